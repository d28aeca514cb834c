#include "core/error.h"

namespace shiftrec {

void throw_internal_error(const char* file, int line, const char* condition,
                          const std::string& message) {
  throw InternalError(std::string("internal error at ") + file + ":" + std::to_string(line) +
                      ": (" + condition + ") " + message);
}

}  // namespace shiftrec
