#include "core/version.h"

#include "git_commit.h"  // build/generated, written by cmake/git_commit.cmake

namespace shiftrec {

const char* shiftrec_version() { return SHIFTREC_VERSION; }

const char* shiftrec_git_commit() { return SHIFTREC_GIT_COMMIT; }

}  // namespace shiftrec
