#include "eval/embedding_export.h"

#include <hdf5.h>

#include <algorithm>

#include "core/error.h"
#include "core/hdf5_columns.h"
#include "core/hdf5_file.h"

namespace shiftrec {
namespace {

constexpr int64_t kFormatVersion = 2;  // 2: text ids, /category_names

void check(herr_t status, const std::string& what) {
  if (status < 0) throw UserError("HDF5 export: cannot write " + what);
}

void write_matrix(hid_t file, const char* name, const EmbeddingTable& table) {
  const hsize_t dims[2] = {static_cast<hsize_t>(table.rows), static_cast<hsize_t>(table.dim)};
  const hsize_t chunk[2] = {std::max<hsize_t>(1, std::min<hsize_t>(dims[0], 4096)),
                            std::max<hsize_t>(1, dims[1])};
  const hid_t space = H5Screate_simple(2, dims, nullptr);
  const hid_t properties = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(properties, 2, chunk);
  const hid_t set =
      H5Dcreate2(file, name, H5T_NATIVE_FLOAT, space, H5P_DEFAULT, properties, H5P_DEFAULT);
  const herr_t status = set < 0                ? -1
                        : table.values.empty() ? 0
                                               : H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
                                                          H5P_DEFAULT, table.values.data());
  if (set >= 0) H5Dclose(set);
  H5Pclose(properties);
  H5Sclose(space);
  check(status, name);
}

void write_ids(hid_t file, const char* name, const OriginalIds& original) {
  if (original.is_text()) return write_text_column(file, name, original.texts());
  const std::vector<int64_t>& ids = original.numbers();
  const hsize_t size = ids.size();
  const hid_t space = H5Screate_simple(1, &size, nullptr);
  const hid_t set =
      H5Dcreate2(file, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t status =
      set < 0       ? -1
      : ids.empty() ? 0
                    : H5Dwrite(set, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids.data());
  if (set >= 0) H5Dclose(set);
  H5Sclose(space);
  check(status, name);
}

void write_categories(hid_t file, const EmbeddingExport& data) {
  const hsize_t size = data.category_offsets.size() - 1;
  std::vector<hvl_t> rows(size);
  for (hsize_t i = 0; i < size; ++i) {
    rows[i].len = static_cast<size_t>(data.category_offsets[i + 1] - data.category_offsets[i]);
    rows[i].p = const_cast<int32_t*>(data.category_ids.data() + data.category_offsets[i]);
  }
  const hid_t type = H5Tvlen_create(H5T_NATIVE_INT32);
  const hid_t space = H5Screate_simple(1, &size, nullptr);
  const hid_t set =
      H5Dcreate2(file, "item_categories", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t status =
      set < 0 ? -1 : H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data());
  if (set >= 0) H5Dclose(set);
  H5Sclose(space);
  H5Tclose(type);
  check(status, "item_categories");
}

// Variable-length UTF-8, so h5py reads it as str (fixed-length strings come back as bytes).
void write_string_attribute(hid_t file, const std::string& name, const std::string& value) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attribute = H5Acreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* text = value.c_str();
  const herr_t status = attribute < 0 ? -1 : H5Awrite(attribute, type, &text);
  if (attribute >= 0) H5Aclose(attribute);
  H5Sclose(space);
  H5Tclose(type);
  check(status, "attribute " + name);
}

void write_int_attribute(hid_t file, const char* name, int64_t value) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attribute = H5Acreate2(file, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t status = attribute < 0 ? -1 : H5Awrite(attribute, H5T_NATIVE_INT64, &value);
  if (attribute >= 0) H5Aclose(attribute);
  H5Sclose(space);
  check(status, std::string("attribute ") + name);
}

}  // namespace

void write_embeddings_hdf5(const std::string& path, const EmbeddingExport& data) {
  SHIFTREC_ASSERT(
      static_cast<int64_t>(data.users.values.size()) == data.users.rows * data.users.dim &&
          static_cast<int64_t>(data.items.values.size()) == data.items.rows * data.items.dim &&
          data.users.ids.size() == data.users.rows && data.items.ids.size() == data.items.rows,
      "embedding export tables are inconsistent");
  Hdf5Writer out(path, "embedding export");
  const hid_t file = out.id();
  write_matrix(file, "user_embeddings", data.users);
  write_matrix(file, "item_embeddings", data.items);
  write_ids(file, "user_ids", data.users.ids);
  write_ids(file, "item_ids", data.items.ids);
  if (!data.category_offsets.empty()) {
    write_categories(file, data);
    write_text_column(file, "category_names", data.category_names);
  }
  write_string_attribute(file, "format", "shiftrec-embeddings");
  write_int_attribute(file, "format_version", kFormatVersion);
  for (const auto& [name, value] : data.attributes) write_string_attribute(file, name, value);
  out.commit();
}

}  // namespace shiftrec
