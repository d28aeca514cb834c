#include "core/hdf5_file.h"

#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace shiftrec {

Hdf5Writer::Hdf5Writer(std::string path, std::string what)
    : path_(std::move(path)), what_(std::move(what)), temporary_(temporary_path(path_)) {
  file_ = H5Fcreate(temporary_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw UserError("cannot create the " + what_ + " " + path_);
}

Hdf5Writer::~Hdf5Writer() {
  if (file_ < 0) return;  // committed
  H5Fclose(file_);
  ::unlink(temporary_.c_str());
}

void Hdf5Writer::commit() {
  const herr_t closed = H5Fclose(file_);
  file_ = -1;
  if (closed < 0) {
    ::unlink(temporary_.c_str());
    throw UserError("cannot write the " + what_ + " " + path_);
  }
  publish_temporary(temporary_, path_);
}

}  // namespace shiftrec
