#include "experiments/device.h"

#include <torch/cuda.h>

#include "core/error.h"

namespace shiftrec {

c10::Device resolve_device(const std::string& name) {
  if (name == "auto") {
    return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw UserError("device \"" + name + "\" requested, but this LibTorch sees no CUDA GPU " +
                      "(use \"auto\" or \"cpu\")");
    }
    try {
      c10::Device device(name);
      if (device.index() >= static_cast<int>(torch::cuda::device_count())) {
        throw UserError("device \"" + name + "\": only " +
                        std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
      }
      return device;
    } catch (const c10::Error&) {
      throw UserError("device \"" + name + "\" is malformed, expected cuda or cuda:N");
    }
  }
  throw UserError("unknown device \"" + name + "\", expected auto, cpu, cuda or cuda:N");
}

}  // namespace shiftrec
