#include "models/item_encoder.h"

#include <ATen/ATen.h>

#include "core/error.h"

namespace shiftrec {

ItemEncoderRegistry& item_encoder_registry() {
  return ItemEncoderRegistry::instance("item encoder");
}

std::vector<int64_t> ItemEncoder::versions() const {
  std::vector<int64_t> out;
  for (const auto& p : parameters()) out.push_back(static_cast<int64_t>(p._version()));
  if (ids_) {
    for (const auto& p : ids_->parameters()) out.push_back(static_cast<int64_t>(p._version()));
  }
  return out;
}

at::Tensor ItemEncoder::table() {
  // Evaluation scores batch after batch with unchanged parameters: one table (for a graph,
  // one propagation) serves them all until a parameter is written or the model moves.
  const bool reusable =
      table_.defined() && table_in_training_ == is_training() &&
      (is_training() || (table_versions_ == versions() && table_.device() == device()));
  if (reusable) return table_;
  table_ = compute();
  table_in_training_ = is_training();
  table_versions_ = is_training() ? std::vector<int64_t>{} : versions();
  return table_;
}

c10::Device ItemEncoder::device() const {
  if (ids_) return ids_->weight().device();
  for (const auto& p : parameters()) return p.device();
  for (const auto& b : buffers()) return b.device();
  return c10::kCPU;
}

at::Tensor ItemEncoder::item_rows() { return table().narrow(0, 1, n_items_); }

at::Tensor ItemEncoder::user_rows(const at::Tensor& /*users*/) {
  throw InternalError("user states asked of an item encoder that places no users");
}

at::Tensor ItemEncoder::candidate_rows(const at::Tensor& items) {
  return at::embedding(table(), items + 1, /*padding_idx=*/0);
}

}  // namespace shiftrec
