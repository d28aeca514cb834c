// shiftrec's version: CMake's project version (CMakeLists.txt), the one place it is written.
#pragma once

namespace shiftrec {

const char* shiftrec_version();  // "0.1.0"
// The git commit the sources were at when this binary was built (12 hex digits, "-dirty" when
// tracked files had changes; "unknown" outside a clone).
const char* shiftrec_git_commit();

}  // namespace shiftrec
