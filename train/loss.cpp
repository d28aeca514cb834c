#include "train/loss.h"

namespace shiftrec {

LossRegistry& loss_registry() { return LossRegistry::instance("loss"); }

}  // namespace shiftrec
