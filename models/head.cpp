#include "models/head.h"

namespace shiftrec {

HeadRegistry& head_registry() { return HeadRegistry::instance("head"); }

}  // namespace shiftrec
