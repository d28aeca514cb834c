// Model checkpoints: every parameter and buffer of a model, by name, in LibTorch's archive
// format. Written through core/atomic_file.h, so a crash never leaves a broken file.
#pragma once

#include <string>

namespace shiftrec {

class Recommender;

void save_checkpoint(Recommender& model, const std::string& path);
// The model must have the architecture that wrote the file (same config). Throws UserError
// naming the file when it is missing, unreadable or from another architecture.
void load_checkpoint(Recommender& model, const std::string& path);

}  // namespace shiftrec
