#include "models/composed_model.h"

#include <ATen/ATen.h>

#include "core/config.h"
#include "core/error.h"

namespace shiftrec {

ComposedModel::ComposedModel(IdTable ids, std::shared_ptr<SequenceEncoder> sequence,
                             std::shared_ptr<ItemEncoder> items,
                             std::vector<std::pair<std::string, std::shared_ptr<Head>>> heads,
                             int64_t n_items)
    : n_items_(n_items) {
  // Registered in the order they were made: parameters() lists them so.
  if (ids) ids_ = register_module("ids", ids);
  sequence_ = register_module("sequence", std::move(sequence));
  items_ = register_module("items", std::move(items));
  for (auto& [name, head] : heads) heads_.push_back(register_module("head_" + name, head));
}

at::Tensor ComposedModel::encode(const ModelInput& input) {
  items_->new_batch();
  return sequence_->encode(input, *items_);
}

at::Tensor ComposedModel::score_all(const at::Tensor& states) {
  return at::matmul(states, items_->item_rows().t());
}

at::Tensor ComposedModel::score_candidates(const at::Tensor& states, const at::Tensor& items) {
  auto rows = items_->candidate_rows(items);  // [N, C, D]
  return (rows * states.unsqueeze(-2)).sum(-1);
}

at::Tensor ComposedModel::score_next(const ModelInput& input, const at::Tensor& last_states) {
  auto scores = score_all(last_states);
  const ItemScorer scorer = [this](const at::Tensor& s) { return score_all(s); };
  for (const auto& head : heads_) scores = head->rescore(input, last_states, scores, scorer);
  return scores;
}

std::optional<Recommender::ShiftScore> ComposedModel::shift_score() {
  for (const auto& head : heads_) {
    if (auto score = head->shift_score()) return score;
  }
  return std::nullopt;
}

at::Tensor ComposedModel::item_embeddings() { return items_->item_rows(); }

void ComposedModel::fit_statistics(const Split& split) {
  items_->fit(split);
  for (const auto& head : heads_) head->fit(split);
}

std::pair<at::Tensor, at::Tensor> ComposedModel::training_view(const at::Tensor& inputs,
                                                               const at::Tensor& targets) {
  return sequence_->training_view(inputs, targets);
}

TrainingExamples ComposedModel::training_examples() const { return sequence_->training_examples(); }

at::Tensor ComposedModel::auxiliary_loss(const ModelInput& input, const at::Tensor& states,
                                         const at::Tensor& targets) {
  const ItemScorer scorer = [this](const at::Tensor& s) { return score_all(s); };
  at::Tensor total;
  for (const auto& head : heads_) {
    auto value = head->loss(input, states, targets, scorer);
    if (value.defined()) total = total.defined() ? total + value : value;
  }
  return total;
}

at::Tensor ComposedModel::batch_penalty() { return items_->penalty(); }

// Heads add losses and keep state per batch; the parts say whether they keep any.
bool ComposedModel::shardable() const {
  return heads_.empty() && items_->shardable() && sequence_->shardable();
}

void ComposedModel::begin_shared_batch() {
  items_->new_batch();
  (void)items_->table();  // made here, read by every shard
}

at::Tensor ComposedModel::encode_shard(const ModelInput& input) {
  return sequence_->encode(input, *items_);
}

int64_t ComposedModel::max_length() const { return sequence_->max_length(); }

bool ComposedModel::causal() const { return sequence_->causal(); }

bool ComposedModel::uses_time_gaps() const {
  if (sequence_->reads_gaps()) return true;
  for (const auto& head : heads_) {
    if (head->reads_gaps()) return true;
  }
  return false;
}

std::shared_ptr<Recommender> assemble(const ModelAssembly& a) {
  IdTable ids{nullptr};
  if (a.reads_ids) ids = IdTable(a.n_items, a.d, a.extra_tokens, a.id_init);
  auto sequence = a.sequence(SequenceEncoderContext{a.n_items, a.d});
  if (ids) ids->initialize();
  sequence->initialize();
  ItemEncoderContext item_context;
  item_context.n_items = a.n_items;
  item_context.n_users = a.n_users;
  item_context.d = a.d;
  item_context.ids = ids;
  item_context.user_states = sequence->reads_user_states();
  item_context.data = a.data;
  auto items = a.item_encoder(item_context);
  if (sequence->reads_user_states() && !items->places_users()) {
    throw UserError("the sequence part reads each user's state from the item encoder, and \"" +
                    a.item_encoder_name +
                    "\" places no users: use lightgcn or ngcf over the bipartite graph");
  }
  HeadContext head_context{a.d, sequence->reads_gaps(), a.extra_tokens, a.data,
                           sequence->max_length()};
  std::vector<std::pair<std::string, std::shared_ptr<Head>>> heads;
  for (const auto& [name, make] : a.heads) heads.emplace_back(name, make(head_context));
  return std::make_shared<ComposedModel>(ids, std::move(sequence), std::move(items),
                                         std::move(heads), a.n_items);
}

ModelAssembly assembly_for(const ModelContext& c) {
  ModelAssembly a;
  a.n_items = c.n_items;
  a.n_users = c.n_users;
  a.data = c.data;
  return a;
}

namespace {

// Binds the registered parts named in `parts` to their option sections.
ModelAssembly bind_parts(const ModelContext& c, const ModelParts& parts,
                         const std::function<ConfigSection(const std::string&)>& section_of) {
  ModelAssembly a = assembly_for(c);
  const SequenceEncoderEntry& sequence = sequence_encoder_registry().get(parts.sequence);
  const ItemEncoderEntry& items = item_encoder_registry().get(parts.item_encoder);
  a.extra_tokens = sequence.extra_tokens;
  a.reads_ids = items.reads_ids;
  a.item_encoder_name = parts.item_encoder;
  ConfigSection sequence_section = section_of(parts.sequence);
  a.sequence = [make = sequence.make, sequence_section](const SequenceEncoderContext& context) {
    return make(sequence_section, context);
  };
  ConfigSection item_section = section_of(parts.item_encoder);
  a.item_encoder = [make = items.make, item_section](const ItemEncoderContext& context) {
    return make(item_section, context);
  };
  for (const auto& name : parts.heads) {
    const HeadFactory& make = head_registry().get(name);
    ConfigSection head_section = section_of(name);
    a.heads.emplace_back(name, [make, head_section](const HeadContext& context) {
      return make(head_section, context);
    });
  }
  return a;
}

}  // namespace

std::shared_ptr<Recommender> compose_preset(ConfigSection s, const ModelContext& c,
                                            const ModelParts& parts) {
  ModelAssembly a = bind_parts(c, parts, [&s](const std::string&) { return s; });
  if (parts.d > 0) a.d = s.get_int("d", parts.d, 1, 1 << 16, "embedding and hidden size");
  return assemble(a);
}

std::shared_ptr<Recommender> compose_from_config(ConfigSection s, const ModelContext& c,
                                                 std::string* name) {
  ModelParts parts;
  parts.item_encoder = s.get_string("item_encoder", parts.item_encoder, "the item encoder part",
                                    item_encoder_registry().names());
  parts.sequence = s.get_string("sequence", parts.sequence, "the sequence encoder part",
                                sequence_encoder_registry().names());
  parts.heads = s.get_string_list("heads", {}, "optional heads, e.g. [\"shift\"]");
  for (const auto& head : parts.heads) {
    try {
      head_registry().get(head);  // an unknown name: the registry's message, located
    } catch (const UserError& e) {
      s.fail("heads", e.what());
    }
  }
  for (size_t i = 0; i < parts.heads.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (parts.heads[i] == parts.heads[j]) s.fail("heads", "\"" + parts.heads[i] + "\" twice");
    }
  }
  ModelAssembly a = bind_parts(c, parts, [&s](const std::string& part) { return s.sub(part); });
  a.d = s.get_int("d", parts.d, 1, 1 << 16, "width of every part's embeddings and states");
  a.id_init = s.get_string("id_init", a.id_init, "initialisation of the ID embeddings",
                           IdTableImpl::init_names());
  if (name != nullptr) {
    *name = parts.item_encoder + "+" + parts.sequence;
    for (const auto& head : parts.heads) *name += "+" + head;
  }
  try {
    return assemble(a);
  } catch (const UserError& e) {
    s.fail("item_encoder", e.what());
  }
}

}  // namespace shiftrec
