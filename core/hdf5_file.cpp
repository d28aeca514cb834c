#include "core/hdf5_file.h"

#include <unistd.h>

#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"

namespace shiftrec {

Hdf5Writer::Hdf5Writer(std::string path, std::string what)
    : path_(std::move(path)), what_(std::move(what)) {
  // Fail where the file goes before building it in memory (a missing or unwritable folder).
  const std::string folder = std::filesystem::path(path_).parent_path().string();
  if (::access(folder.empty() ? "." : folder.c_str(), W_OK) != 0) throw_write_error(path_, errno);
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  const bool in_memory = access >= 0 && H5Pset_fapl_core(access, 1 << 20, 0) >= 0;
  if (in_memory) file_ = H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
  if (access >= 0) H5Pclose(access);
  if (file_ < 0) throw UserError("cannot create the " + what_ + " " + path_ + " (HDF5)");
}

Hdf5Writer::~Hdf5Writer() {
  if (file_ >= 0) H5Fclose(file_);
}

Checksum Hdf5Writer::commit() {
  std::string image;
  bool built = H5Fflush(file_, H5F_SCOPE_LOCAL) >= 0;
  const ssize_t size = built ? H5Fget_file_image(file_, nullptr, 0) : -1;
  if (size > 0) {
    image.resize(static_cast<size_t>(size));
    built = H5Fget_file_image(file_, image.data(), image.size()) == size;
  }
  const bool closed = H5Fclose(file_) >= 0;
  file_ = -1;
  built = built && size > 0 && closed;
  if (!built)
    throw UserError("cannot write the " + what_ + " " + path_ + ": HDF5 could not build it");
  write_file_atomically(path_, image);
  return checksum_of(image);
}

}  // namespace shiftrec
