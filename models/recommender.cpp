#include "models/recommender.h"

namespace shiftrec {

ModelRegistry& model_registry() { return ModelRegistry::instance("model"); }

}  // namespace shiftrec
