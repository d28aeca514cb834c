// A model as a composition of parts (ARCHITECTURE.md, "Model"): an item encoder
// (models/item_encoder.h), a sequence encoder (models/sequence_encoder.h) and optional heads
// (models/head.h), each from a registry of its own. A config composes them without C++:
//
//   [model]
//   item_encoder = "lightgcn"   # id (default), lightgcn, ngcf, fusion, popularity
//   sequence = "bert4rec"       # sasrec (default), bert4rec, gru4rec, none (general CF)
//   heads = ["shift"]           # optional
//   d = 64                      # shared width
//   id_init = "xavier_normal"   # the ID tables' initialisation (models/id_table.h)
//   [model.lightgcn]            # each part's options in a table named after it
//   layers = 2
//   [model.bert4rec]
//   max_length = 50
//   [model.shift]
//   loss_weight = 0.5
//
// The named presets (`sasrec`, `fusion_sasrec`, `lightgcn`, ...) are compositions too, reading
// the flat [model] keys they always read (models/presets.cpp).
//
// Shapes: encode(input) -> [B, L, D]; the item table [n_items + 1 + extra, D] (row = token);
// scores are dot products with its item rows.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/head.h"
#include "models/id_table.h"
#include "models/item_encoder.h"
#include "models/recommender.h"
#include "models/sequence_encoder.h"

namespace shiftrec {

class ComposedModel : public Recommender {
 public:
  ComposedModel(IdTable ids, std::shared_ptr<SequenceEncoder> sequence,
                std::shared_ptr<ItemEncoder> items,
                std::vector<std::pair<std::string, std::shared_ptr<Head>>> heads, int64_t n_items);

  at::Tensor encode(const ModelInput& input) override;
  at::Tensor score_all(const at::Tensor& states) override;
  at::Tensor score_candidates(const at::Tensor& states, const at::Tensor& items) override;
  at::Tensor score_next(const ModelInput& input, const at::Tensor& last_states) override;
  std::optional<ShiftScore> shift_score() override;
  at::Tensor item_embeddings() override;
  void fit_statistics(const Split& split) override;
  std::pair<at::Tensor, at::Tensor> training_view(const at::Tensor& inputs,
                                                  const at::Tensor& targets) override;
  TrainingExamples training_examples() const override;
  at::Tensor auxiliary_loss(const ModelInput& input, const at::Tensor& states,
                            const at::Tensor& targets) override;
  at::Tensor batch_penalty() override;
  bool shardable() const override;
  void begin_shared_batch() override;
  at::Tensor encode_shard(const ModelInput& input) override;
  int64_t max_length() const override;
  int64_t n_items() const override { return n_items_; }
  bool causal() const override;
  bool uses_time_gaps() const override;

 private:
  IdTable ids_{nullptr};  // null when no part reads IDs
  std::shared_ptr<SequenceEncoder> sequence_;
  std::shared_ptr<ItemEncoder> items_;
  std::vector<std::shared_ptr<Head>> heads_;
  int64_t n_items_;
};

// The parts of a model with their options already read: what assemble() puts together.
struct ModelAssembly {
  int64_t n_items = 0;
  int64_t n_users = 0;
  int64_t d = 1;
  const Interactions* data = nullptr;
  std::string id_init = "xavier_normal";
  std::string item_encoder_name = "id";  // for messages
  int64_t extra_tokens = 0;              // the sequence encoder's (SequenceEncoderEntry)
  bool reads_ids = true;                 // the item encoder's (ItemEncoderEntry)
  std::function<std::shared_ptr<SequenceEncoder>(const SequenceEncoderContext&)> sequence;
  std::function<std::shared_ptr<ItemEncoder>(const ItemEncoderContext&)> item_encoder;
  std::vector<std::pair<std::string, std::function<std::shared_ptr<Head>(const HeadContext&)>>>
      heads;
};

// An assembly with the sizes and data of `context` filled in.
ModelAssembly assembly_for(const ModelContext& context);

// Makes the parts in the order that draws random values as the hand-written models did: the
// ID table, the sequence encoder, their initialisation, the item encoder, the heads.
// Throws UserError when the sequence encoder reads users the item encoder does not place.
std::shared_ptr<Recommender> assemble(const ModelAssembly& parts);

// A preset over registered parts, every part reading the flat [model] section; `d` is read
// with the preset's default (0: the preset has no `d`).
struct ModelParts {
  std::string item_encoder = "id";
  std::string sequence = "sasrec";
  std::vector<std::string> heads;
  int64_t d = 64;
};
std::shared_ptr<Recommender> compose_preset(ConfigSection section, const ModelContext& context,
                                            const ModelParts& parts);

// The [model] section's composition (item_encoder, sequence, heads; each part's options in
// [model.NAME]). `name` gets "item_encoder+sequence[+head...]".
std::shared_ptr<Recommender> compose_from_config(ConfigSection section, const ModelContext& context,
                                                 std::string* name);

// The `id` item encoder (for assemblies made in code).
std::shared_ptr<ItemEncoder> make_id_item_encoder(const ItemEncoderContext& context);

}  // namespace shiftrec
