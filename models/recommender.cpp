#include "models/recommender.h"

#include "core/error.h"

namespace shiftrec {

ModelRegistry& model_registry() { return ModelRegistry::instance("model"); }

torch::Tensor Recommender::encode_users(const torch::Tensor& /*users*/) {
  throw InternalError("encode_users called on a model that does not use user ids");
}

std::vector<int64_t> Recommender::parameter_versions() const {
  std::vector<int64_t> versions;
  for (const auto& p : parameters()) versions.push_back(static_cast<int64_t>(p._version()));
  return versions;
}

torch::Tensor Recommender::shift_probability(const torch::Tensor& /*states*/,
                                             const torch::Tensor& /*gaps*/) {
  throw InternalError("shift_probability called on a model without a shift head");
}

}  // namespace shiftrec
