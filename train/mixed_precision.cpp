#include "train/mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/error.h"

// LibTorch 2.4 replaced the per-device functions (set_cpu_enabled, set_enabled for CUDA,
// set_autocast_cpu_dtype, ...) by ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SHIFTREC_AUTOCAST_BY_DEVICE 1
#else
#define SHIFTREC_AUTOCAST_BY_DEVICE 0
#endif

namespace shiftrec {
namespace {

bool enabled_on(c10::DeviceType device) {
#if SHIFTREC_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                         : at::autocast::is_cpu_enabled();
#endif
}

void enable_on(c10::DeviceType device, bool enabled) {
#if SHIFTREC_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}

at::ScalarType dtype_on(c10::DeviceType device) {
#if SHIFTREC_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_dtype_on(c10::DeviceType device, at::ScalarType dtype) {
#if SHIFTREC_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

}  // namespace

Precision precision_named(const std::string& name, const std::string& key) {
  if (name == "float32") return Precision::kFloat32;
  if (name == "bf16") return Precision::kBFloat16;
  throw UserError(key + ": unknown precision \"" + name + "\" (float32 or bf16)");
}

std::string precision_name(Precision precision) {
  return precision == Precision::kBFloat16 ? "bf16" : "float32";
}

AutocastScope::AutocastScope(c10::DeviceType device, Precision precision) : device_(device) {
  if (precision == Precision::kFloat32) return;
  SHIFTREC_ASSERT(device == c10::DeviceType::CPU || device == c10::DeviceType::CUDA,
                  "bf16 autocast runs on the CPU or on CUDA");
  active_ = true;
  was_enabled_ = enabled_on(device);
  previous_dtype_ = dtype_on(device);
  enable_on(device, true);
  set_dtype_on(device, at::kBFloat16);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // As torch.autocast does on leaving its outermost scope: the cast copies of the weights
  // made for this batch are dropped (the next batch's weights differ).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  enable_on(device_, was_enabled_);
  set_dtype_on(device_, previous_dtype_);
}

bool autocast_enabled(c10::DeviceType device) {
  return (device == c10::DeviceType::CPU || device == c10::DeviceType::CUDA) && enabled_on(device);
}

c10::ScalarType autocast_dtype(c10::DeviceType device) { return dtype_on(device); }

}  // namespace shiftrec
