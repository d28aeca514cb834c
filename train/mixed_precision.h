// Mixed-precision training (`train.precision`): each batch's forward pass and loss run under
// LibTorch's autocast in bfloat16 — matrix products in bf16, reductions and softmaxes kept in
// float32 by autocast's own rules — while the parameters, their gradients and Adam stay
// float32. bf16 has float32's exponent range, so no loss scaling is needed (fp16 would).
// Evaluation always runs in float32.
//
// Autocast's C++ switches changed in LibTorch 2.4 (one per device type instead of the CPU and
// CUDA functions of 1.13); this file is the one place that knows both.
#pragma once

#include <string>

#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

namespace shiftrec {

enum class Precision { kFloat32, kBFloat16 };

// "float32" or "bf16" (the config's values); anything else is a UserError naming `key`.
Precision precision_named(const std::string& name, const std::string& key);
std::string precision_name(Precision precision);

// Autocast in `precision` on `device` for this thread while in scope; kFloat32 changes
// nothing. Autocast is per thread: every thread that runs a forward pass opens its own.
class AutocastScope {
 public:
  AutocastScope(c10::DeviceType device, Precision precision);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  c10::DeviceType device_;
  bool active_ = false;
  bool was_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

// Whether autocast is on for `device` on this thread, and the type it casts products to.
bool autocast_enabled(c10::DeviceType device);
c10::ScalarType autocast_dtype(c10::DeviceType device);

}  // namespace shiftrec
