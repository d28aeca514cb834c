// The vector instruction sets our hand-tuned CPU kernels are compiled for. The build targets the
// x86-64 baseline so a binary runs anywhere; a kernel file compiles its loops once per set (GCC's
// target attribute) and calls the widest one the CPU running it supports, chosen once.
#pragma once

#include <optional>
#include <string>

namespace shiftrec {

// Ordered: a later set implies the earlier ones.
enum class InstructionSet { kBaseline, kAvx2, kAvx512 };

// The widest set this CPU runs: AVX-512 needs AVX-512F and VL, AVX2 needs FMA as well;
// kBaseline off x86-64 or without GCC's builtins.
InstructionSet best_instruction_set();

// "baseline", "avx2", "avx512".
const char* instruction_set_name(InstructionSet set);
// The set of that name when this CPU runs it; nullopt for any other name or a wider set (what
// a kernel file's use_*_isa switch for tests and benchmarks accepts).
std::optional<InstructionSet> runnable_instruction_set(const std::string& name);

// A kernel file's table of per-set functions (a struct with a member `InstructionSet set`),
// made by its `for_set(set)` — the baseline's table where the per-set code is not built.
// table() is the one in use: the widest this CPU runs, chosen at first use; use(name) switches
// to another set this CPU runs (tests and benchmarks compare them) and says whether it could.
template <typename Table, Table (*for_set)(InstructionSet)>
struct KernelChoice {
  static Table& table() {
    static Table chosen = for_set(best_instruction_set());
    return chosen;
  }
  static const char* name() { return instruction_set_name(table().set); }
  static bool use(const std::string& set_name) {
    const std::optional<InstructionSet> set = runnable_instruction_set(set_name);
    if (!set) return false;
    table() = for_set(*set);
    return true;
  }
};

}  // namespace shiftrec

// A kernel's body is a template marked SHIFTREC_ALWAYS_INLINE, inlined into one function per set:
//   SHIFTREC_TARGET_AVX2 void kernel_avx2(...) { body(...); }
// (the attributes exist on x86-64 with GCC or Clang only; guard the per-set functions with
// SHIFTREC_HAS_TARGET_ATTRIBUTES).
#if defined(__x86_64__) && defined(__GNUC__)
#define SHIFTREC_HAS_TARGET_ATTRIBUTES 1
#define SHIFTREC_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SHIFTREC_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#else
#define SHIFTREC_HAS_TARGET_ATTRIBUTES 0
#endif
#if defined(__GNUC__)
#define SHIFTREC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define SHIFTREC_ALWAYS_INLINE inline
#endif
