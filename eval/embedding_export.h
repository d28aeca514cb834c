// HDF5 export of trained embeddings, for users' own notebooks (h5py):
//   /user_embeddings  float32 [n_users, d]   chunked
//   /item_embeddings  float32 [n_items, d]   chunked
//   /user_ids         int64 or UTF-8 [n_users]  original ids, row-aligned (strings when the
//   /item_ids         int64 or UTF-8 [n_items]  source's ids were text, see original_ids.h)
//   /item_categories  vlen int32 [n_items]      category ids of each item (only when known),
//                                               indexing /category_names
//   /category_names   UTF-8 [n_categories]      the source's names (the index as text when
//                                               the source names none)
//   h5py returns string datasets as bytes: f['item_ids'].asstr()[()] gives str.
//   root attributes: format = "shiftrec-embeddings", format_version = 2, and the given
//   string attributes (model, config_hash, data_fingerprint, epoch, created_by, ...).
// Written to a temporary file in the same folder and renamed: a crash never leaves a broken
// file under the final name.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/original_ids.h"

namespace shiftrec {

struct EmbeddingTable {
  std::vector<float> values;  // [rows * dim], row-major
  int64_t rows = 0;
  int64_t dim = 0;
  OriginalIds ids;  // [rows]
};

struct EmbeddingExport {
  EmbeddingTable users;
  EmbeddingTable items;
  std::vector<int64_t> category_offsets;  // [n_items + 1]; empty = no categories
  std::vector<int32_t> category_ids;
  std::vector<std::string> category_names;  // [n_categories]
  std::map<std::string, std::string> attributes;
};

// Throws UserError naming the path when it cannot be written.
void write_embeddings_hdf5(const std::string& path, const EmbeddingExport& data);

}  // namespace shiftrec
