#include "models/recommender.h"

#include "core/error.h"

namespace shiftrec {

ModelRegistry& model_registry() { return ModelRegistry::instance("model"); }

torch::Tensor Recommender::encode_users(const torch::Tensor& /*users*/) {
  throw InternalError("encode_users called on a model that does not use user ids");
}

}  // namespace shiftrec
