// Item encoders: the part of a model that gives every item its representation — the table the
// sequence encoder reads its inputs from and every score is a dot product with.
//
//   table()                 -> [n_items + 1 + extra, D], row = token (row 0 padding, then the
//                              items, then extra tokens such as BERT4Rec's [mask], which are
//                              the ID table's own rows)
//   user_rows(users [B])    -> [B, D]: users in the same space, for encoders that place users
//                              (a graph over users and items); only asked of those
//   candidate_rows(items)   -> [..., D] the rows of 0-based item ids (any shape)
//
// Registered encoders ([model] item_encoder = ...): `id` (the ID table itself), `categories`
// (the ID row plus the mean of the item's category embeddings), `lightgcn` and
// `ngcf` (propagation over a training graph, models/graph_item_encoder.h), `fusion` (a gate
// between the ID and a propagated table), `popularity` (log training counts; no parameters).
//
// The table is computed lazily and kept: in training once per batch (the composed model calls
// new_batch() before each encode), in evaluation once until a parameter that shapes it is
// written (an optimiser step, a restored best state), the graph is rebuilt, or the model moves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>

#include "core/registry.h"
#include "models/id_table.h"

namespace shiftrec {

class ConfigSection;
struct Interactions;
struct Split;

struct ItemEncoderContext {
  int64_t n_items = 0;
  int64_t n_users = 0;
  int64_t d = 0;
  IdTable ids{nullptr};  // the model's ID table (null for encoders that read none)
  // True when the sequence part reads the users' states from this encoder (general CF): the
  // encoder must place users, and its width is free (NGCF keeps its concatenated layers).
  bool user_states = false;
  const Interactions* data = nullptr;
};

class ItemEncoder : public torch::nn::Module {
 public:
  at::Tensor table();
  virtual bool places_users() const { return false; }
  virtual at::Tensor user_rows(const at::Tensor& users);
  virtual at::Tensor candidate_rows(const at::Tensor& items);
  // The items' rows of table(): [n_items, D].
  at::Tensor item_rows();
  virtual void fit(const Split& /*split*/) { forget(); }
  // An L2 penalty on the ID rows read in training since the last call (undefined = none).
  virtual at::Tensor penalty() { return {}; }
  // True when table(), once made for a batch, is all the encoder keeps for it: several
  // threads may then read it at once (Recommender::shardable).
  virtual bool shardable() const { return false; }
  // The table is recomputed at its next use in training.
  void new_batch() {
    if (is_training()) forget();
  }

 protected:
  explicit ItemEncoder(IdTable ids, int64_t n_items) : ids_(std::move(ids)), n_items_(n_items) {}
  // The full table, computed from the parameters now.
  virtual at::Tensor compute() = 0;
  void forget() {
    table_ = at::Tensor();
    forget_partial();
  }
  // Drops what a subclass keeps besides the table for the same batch (a graph encoder's
  // propagation prefix); called whenever the table is forgotten.
  virtual void forget_partial() {}
  // Whether table() would return the table it keeps (computed in this batch, in training).
  bool table_kept() const { return table_.defined() && table_in_training_ == is_training(); }
  const IdTable& ids() const { return ids_; }
  int64_t n_items() const { return n_items_; }

 private:
  std::vector<int64_t> versions() const;  // of every parameter the table reads
  c10::Device device() const;             // where the table's inputs live

  IdTable ids_{nullptr};
  int64_t n_items_;
  at::Tensor table_;
  bool table_in_training_ = true;  // ... made in training mode (with autograd history)
  std::vector<int64_t> table_versions_;
};

// A factory reads the encoder's options from its section ([model.NAME] in a composition, the
// flat [model] section in a preset).
using ItemEncoderFactory =
    std::function<std::shared_ptr<ItemEncoder>(ConfigSection, const ItemEncoderContext&)>;
struct ItemEncoderEntry {
  bool reads_ids = true;  // false: the model needs no ID table (popularity)
  ItemEncoderFactory make;
};
using ItemEncoderRegistry = Registry<ItemEncoderEntry>;
ItemEncoderRegistry& item_encoder_registry();

}  // namespace shiftrec

#define SHIFTREC_REGISTER_ITEM_ENCODER(name, description, reads_ids, factory) \
  SHIFTREC_REGISTER(::shiftrec::item_encoder_registry, name, description,     \
                    (::shiftrec::ItemEncoderEntry{reads_ids, factory}))
