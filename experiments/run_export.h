// `shiftrec export --run DIR --out FILE.h5`: the trained embeddings of a finished run, in the
// HDF5 layout of eval/embedding_export.h. A user's embedding is the model's state after the
// user's whole known sequence (its last max_length items) — what it would use to recommend
// the next item; an item's is the model's item embedding.
#pragma once

#include <string>

namespace shiftrec {

// Throws UserError for a missing or incompatible run directory or an unwritable output.
void export_run(const std::string& run_dir, const std::string& out_path);

}  // namespace shiftrec
