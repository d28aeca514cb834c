// Chooses the run's device: "auto" (CUDA when torch sees a GPU, else CPU), "cpu", "cuda",
// or "cuda:N".
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace shiftrec {

// Throws UserError when CUDA is asked for but not available, or the name is malformed.
c10::Device resolve_device(const std::string& name);

}  // namespace shiftrec
