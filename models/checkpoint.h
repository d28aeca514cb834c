// Model checkpoints: every parameter and buffer of a model, by name, in LibTorch's archive
// format. Written through core/atomic_file.h, so a crash never leaves a broken file.
#pragma once

#include <string>

namespace torch::serialize {
class OutputArchive;
}

namespace shiftrec {

class Recommender;

// Serializes `archive` to memory (where nothing can fail but memory) and writes the bytes with
// write_file_atomically: LibTorch's file writer throws from its destructor when the disk is
// full, which aborts the process. Throws UserError "cannot write <path>: <reason>".
void write_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path);

void save_checkpoint(Recommender& model, const std::string& path);
// The model must have the architecture that wrote the file (same config), except for fitted
// state: a buffer whose name starts with `fitted` holds what a part fits from the training data
// (not by gradients) and may be absent — it keeps its unfitted value and the part fits it — so
// parts holding nothing else (a head that only reranks, or fits its laws) may be added to a
// finished run. Throws UserError naming the file when it is missing, unreadable or from another
// architecture, and naming the tensor whose shape differs.
void load_checkpoint(Recommender& model, const std::string& path);

}  // namespace shiftrec
