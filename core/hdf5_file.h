// An HDF5 file written atomically, for every HDF5 file shiftrec writes (the data cache, a
// run's frozen negatives, the embedding export): created as "<path>.tmp-<pid>", and on
// commit() closed, fsync'ed and renamed over <path>; destroyed without commit() (an exception
// on the way), its handle is closed and the temporary removed. HDF5's own error printing is
// off while it lives: failures are one UserError naming the final path.
//
//   Hdf5Writer out(path, "negatives file");
//   write_column(out.id(), "test", items);
//   out.commit();
#pragma once

#include <hdf5.h>

#include <string>

#include "core/hdf5_columns.h"

namespace shiftrec {

class Hdf5Writer {
 public:
  // `what` names the file in messages ("cache file"). Throws UserError when it cannot be made.
  Hdf5Writer(std::string path, std::string what);
  ~Hdf5Writer();
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  hid_t id() const { return file_; }
  void commit();

 private:
  std::string path_, what_, temporary_;
  QuietHdf5Errors quiet_;
  hid_t file_ = -1;
};

}  // namespace shiftrec
