// Small helpers over the HDF5 C API for files made of named 1-D columns and int64 root
// attributes (the interaction cache, a run's frozen negatives). Errors are return values so
// callers decide between "cache miss" and "broken file".
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

// Writes a chunked, checksummed column; throws UserError naming `name` on failure.
// Defined for int8_t, uint8_t, int32_t and int64_t.
template <typename T>
void write_column(hid_t file, const char* name, const std::vector<T>& values);

// False when the column is missing or unreadable.
template <typename T>
bool read_column(hid_t file, const char* name, std::vector<T>& values);

// Variable-length UTF-8 strings (h5py reads them as str); throws UserError naming `name`.
void write_text_column(hid_t file, const char* name, const std::vector<std::string>& values);
// False when the column is missing, not strings, or unreadable.
bool read_text_column(hid_t file, const char* name, std::vector<std::string>& values);

void write_attribute(hid_t file, const char* name, int64_t value);
bool read_attribute(hid_t file, const char* name, int64_t& value);

// Silences HDF5's error printing while alive (a bad file is reported by the caller).
class QuietHdf5Errors {
 public:
  QuietHdf5Errors();
  ~QuietHdf5Errors();
  QuietHdf5Errors(const QuietHdf5Errors&) = delete;
  QuietHdf5Errors& operator=(const QuietHdf5Errors&) = delete;

 private:
  H5E_auto2_t handler_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace shiftrec
