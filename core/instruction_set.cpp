#include "core/instruction_set.h"

namespace shiftrec {

InstructionSet best_instruction_set() {
#if SHIFTREC_HAS_TARGET_ATTRIBUTES
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
    return InstructionSet::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return InstructionSet::kAvx2;
  }
#endif
  return InstructionSet::kBaseline;
}

const char* instruction_set_name(InstructionSet set) {
  switch (set) {
    case InstructionSet::kAvx512:
      return "avx512";
    case InstructionSet::kAvx2:
      return "avx2";
    case InstructionSet::kBaseline:
      break;
  }
  return "baseline";
}

std::optional<InstructionSet> runnable_instruction_set(const std::string& name) {
  const InstructionSet best = best_instruction_set();
  for (InstructionSet set :
       {InstructionSet::kBaseline, InstructionSet::kAvx2, InstructionSet::kAvx512}) {
    if (name == instruction_set_name(set) && set <= best) return set;
  }
  return std::nullopt;
}

}  // namespace shiftrec
