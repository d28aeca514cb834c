#include "core/version.h"

namespace shiftrec {

const char* shiftrec_version() { return SHIFTREC_VERSION; }

}  // namespace shiftrec
