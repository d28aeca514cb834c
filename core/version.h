// shiftrec's version: CMake's project version (CMakeLists.txt), the one place it is written.
#pragma once

namespace shiftrec {

const char* shiftrec_version();  // "0.1.0"

}  // namespace shiftrec
