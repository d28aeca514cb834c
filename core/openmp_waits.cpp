#include "core/openmp_waits.h"

#include <unistd.h>

#include <cstdlib>

namespace shiftrec {

void restart_with_passive_openmp_waits(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);  // returns only on failure: run on with spinning waits
}

}  // namespace shiftrec
