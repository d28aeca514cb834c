// HDF5 export of trained embeddings, for users' own notebooks (h5py):
//   /user_embeddings  float32 [n_users, d]   chunked
//   /item_embeddings  float32 [n_items, d]   chunked
//   /user_ids         int64   [n_users]      original ids, row-aligned
//   /item_ids         int64   [n_items]      original ids, row-aligned
//   /item_categories  vlen int32 [n_items]   category ids of each item (only when known)
//   root attributes: format = "shiftrec-embeddings", format_version = 1, and the given
//   string attributes (model, config_hash, data_fingerprint, epoch, created_by, ...).
// Written to a temporary file in the same folder and renamed: a crash never leaves a broken
// file under the final name.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shiftrec {

struct EmbeddingTable {
  std::vector<float> values;  // [rows * dim], row-major
  int64_t rows = 0;
  int64_t dim = 0;
  std::vector<int64_t> ids;  // [rows] original ids
};

struct EmbeddingExport {
  EmbeddingTable users;
  EmbeddingTable items;
  std::vector<int64_t> category_offsets;  // [n_items + 1]; empty = no categories
  std::vector<int32_t> category_ids;
  std::map<std::string, std::string> attributes;
};

// Throws UserError naming the path when it cannot be written.
void write_embeddings_hdf5(const std::string& path, const EmbeddingExport& data);

}  // namespace shiftrec
