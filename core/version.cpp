#include "core/version.h"

namespace shiftrec {

const char* shiftrec_version() { return SHIFTREC_VERSION; }

const char* shiftrec_git_commit() { return SHIFTREC_GIT_COMMIT; }

}  // namespace shiftrec
