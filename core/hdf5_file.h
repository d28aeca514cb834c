// An HDF5 file written atomically, for every HDF5 file shiftrec writes (the data cache, a
// run's frozen negatives, the embedding export). HDF5 builds the file in memory (its "core"
// driver, no backing store); commit() takes the finished image and writes it through the one
// write path (core/atomic_file), so a full disk or a size limit is the same clear error as for
// every other file, HDF5 never holds a half-written file open at exit, and the fault hook
// reaches these files too. HDF5's own error printing is off while it lives.
//
//   Hdf5Writer out(path, "negatives file");
//   write_column(out.id(), "test", items);
//   out.commit();
#pragma once

#include <hdf5.h>

#include <string>

#include "core/checksum.h"
#include "core/hdf5_columns.h"

namespace shiftrec {

class Hdf5Writer {
 public:
  // `what` names the file in messages ("cache file"). Throws UserError when it cannot be made.
  Hdf5Writer(std::string path, std::string what);
  ~Hdf5Writer();  // closes the in-memory file; writes nothing unless committed
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  hid_t id() const { return file_; }
  // Throws UserError "cannot write <path>: <reason>" when the file cannot be written. Returns
  // the checksum of the bytes written (core/checksum.h), for a reader to check them later.
  Checksum commit();

 private:
  std::string path_, what_;
  QuietHdf5Errors quiet_;
  hid_t file_ = -1;
};

}  // namespace shiftrec
