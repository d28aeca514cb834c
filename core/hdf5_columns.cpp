#include "core/hdf5_columns.h"

#include <algorithm>

#include "core/error.h"

namespace shiftrec {
namespace {

template <typename T>
hid_t type_of();
template <>
hid_t type_of<int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t type_of<int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t type_of<uint8_t>() {
  return H5T_NATIVE_UINT8;
}
template <>
hid_t type_of<int8_t>() {
  return H5T_NATIVE_INT8;
}

}  // namespace

template <typename T>
void write_column(hid_t file, const char* name, const std::vector<T>& values) {
  const hsize_t size = values.size();
  const hsize_t chunk = std::max<hsize_t>(1, std::min<hsize_t>(size, 1 << 16));
  const hid_t space = H5Screate_simple(1, &size, nullptr);
  const hid_t properties = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(properties, 1, &chunk);
  H5Pset_fletcher32(properties);
  const hid_t set =
      H5Dcreate2(file, name, type_of<T>(), space, H5P_DEFAULT, properties, H5P_DEFAULT);
  const herr_t status =
      set < 0     ? -1
      : size == 0 ? 0
                  : H5Dwrite(set, type_of<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  if (set >= 0) H5Dclose(set);
  H5Pclose(properties);
  H5Sclose(space);
  if (set < 0 || status < 0) throw UserError(std::string("cannot write HDF5 column ") + name);
}

template <typename T>
bool read_column(hid_t file, const char* name, std::vector<T>& values) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return false;
  const hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  if (set < 0) return false;
  const hid_t space = H5Dget_space(set);
  hsize_t size = 0;
  const bool one_dimensional = H5Sget_simple_extent_ndims(space) == 1;
  if (one_dimensional) H5Sget_simple_extent_dims(space, &size, nullptr);
  // A damaged file may claim any size: beyond 2^32 elements (no column we write) it is a
  // broken file, not an allocation to attempt.
  if (size > (hsize_t{1} << 32)) {
    H5Sclose(space);
    H5Dclose(set);
    return false;
  }
  values.resize(size);
  const herr_t status =
      !one_dimensional ? -1
      : size == 0      ? 0
                       : H5Dread(set, type_of<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(set);
  return status >= 0;
}

template void write_column(hid_t, const char*, const std::vector<int8_t>&);
template void write_column(hid_t, const char*, const std::vector<uint8_t>&);
template void write_column(hid_t, const char*, const std::vector<int32_t>&);
template void write_column(hid_t, const char*, const std::vector<int64_t>&);
template bool read_column(hid_t, const char*, std::vector<int8_t>&);
template bool read_column(hid_t, const char*, std::vector<uint8_t>&);
template bool read_column(hid_t, const char*, std::vector<int32_t>&);
template bool read_column(hid_t, const char*, std::vector<int64_t>&);

namespace {

hid_t utf8_string_type() {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

}  // namespace

void write_text_column(hid_t file, const char* name, const std::vector<std::string>& values) {
  const hsize_t size = values.size();
  std::vector<const char*> pointers(values.size());
  for (size_t i = 0; i < values.size(); ++i) pointers[i] = values[i].c_str();
  const hid_t type = utf8_string_type();
  const hid_t space = H5Screate_simple(1, &size, nullptr);
  const hid_t set = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t status = set < 0 ? -1
                        : size == 0
                            ? 0
                            : H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data());
  if (set >= 0) H5Dclose(set);
  H5Sclose(space);
  H5Tclose(type);
  if (set < 0 || status < 0) throw UserError(std::string("cannot write HDF5 column ") + name);
}

bool read_text_column(hid_t file, const char* name, std::vector<std::string>& values) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return false;
  const hid_t set = H5Dopen2(file, name, H5P_DEFAULT);
  if (set < 0) return false;
  const hid_t stored = H5Dget_type(set);
  const bool strings =
      stored >= 0 && H5Tget_class(stored) == H5T_STRING && H5Tis_variable_str(stored) > 0;
  if (stored >= 0) H5Tclose(stored);
  const hid_t space = H5Dget_space(set);
  hsize_t size = 0;
  const bool one_dimensional = H5Sget_simple_extent_ndims(space) == 1;
  if (one_dimensional) H5Sget_simple_extent_dims(space, &size, nullptr);
  bool ok = strings && one_dimensional && size <= (hsize_t{1} << 32);
  if (ok && size > 0) {
    std::vector<char*> pointers(size, nullptr);
    const hid_t type = utf8_string_type();
    ok = H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0;
    if (ok) {
      values.clear();
      values.reserve(size);
      for (char* p : pointers) values.emplace_back(p != nullptr ? p : "");
      H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
    }
    H5Tclose(type);
  } else if (ok) {
    values.clear();
  }
  H5Sclose(space);
  H5Dclose(set);
  return ok;
}

void write_attribute(hid_t file, const char* name, int64_t value) {
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t attribute = H5Acreate2(file, name, H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t status = attribute < 0 ? -1 : H5Awrite(attribute, H5T_NATIVE_INT64, &value);
  if (attribute >= 0) H5Aclose(attribute);
  H5Sclose(space);
  if (status < 0) throw UserError(std::string("cannot write HDF5 attribute ") + name);
}

bool read_attribute(hid_t file, const char* name, int64_t& value) {
  if (H5Aexists(file, name) <= 0) return false;
  const hid_t attribute = H5Aopen(file, name, H5P_DEFAULT);
  if (attribute < 0) return false;
  const herr_t status = H5Aread(attribute, H5T_NATIVE_INT64, &value);
  H5Aclose(attribute);
  return status >= 0;
}

QuietHdf5Errors::QuietHdf5Errors() {
  H5Eget_auto2(H5E_DEFAULT, &handler_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietHdf5Errors::~QuietHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, handler_, data_); }

}  // namespace shiftrec
