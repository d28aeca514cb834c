#include "core/hdf5_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "core/error.h"
#include "core/write_fault.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

// Files in a folder other than `keep`: a stray temporary would show here.
int files_in(const std::string& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += entry.is_regular_file() ? 1 : 0;
  return n;
}

TEST(Hdf5Writer, CommitPublishesTheFileUnderItsNameAndNothingElse) {
  testing::TempDir dir;
  const std::string path = dir.file("n.h5");
  {
    Hdf5Writer out(path, "test file");
    write_column(out.id(), "values", std::vector<int64_t>{1, 2, 3});
    write_attribute(out.id(), "version", 7);
    EXPECT_FALSE(fs::exists(path));  // not before commit
    out.commit();
  }
  EXPECT_EQ(files_in(dir.path()), 1);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  std::vector<int64_t> values;
  int64_t version = 0;
  EXPECT_TRUE(read_column(file, "values", values));
  EXPECT_TRUE(read_attribute(file, "version", version));
  H5Fclose(file);
  EXPECT_EQ(values, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(version, 7);
}

TEST(Hdf5Writer, AnExceptionOnTheWayLeavesNoFileAndNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.file("n.h5");
  try {
    Hdf5Writer out(path, "test file");
    write_column(out.id(), "values", std::vector<int64_t>{1});
    throw std::runtime_error("stopped halfway");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(files_in(dir.path()), 0);
}

TEST(Hdf5Writer, AnUnwritableFolderIsOneErrorNamingTheFile) {
  testing::TempDir dir;
  const std::string path = dir.file("missing/n.h5");
  try {
    Hdf5Writer out(path, "test file");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + path + ": No such file or directory");
  }
}

TEST(Hdf5Writer, AFullDiskIsOneErrorNamingTheFileWithNoHdf5NoiseAndNoLeftovers) {
  testing::TempDir dir;
  const std::string path = dir.file("cache.h5");
  set_write_fault("ENOSPC:1000:cache.h5");
  ::testing::internal::CaptureStderr();
  std::string message;
  try {
    Hdf5Writer out(path, "cache file");
    write_column(out.id(), "values", std::vector<int64_t>(10000, 7));
    out.commit();
  } catch (const UserError& e) {
    message = e.what();
  }
  const std::string printed = ::testing::internal::GetCapturedStderr();
  set_write_fault("");
  EXPECT_EQ(message, "cannot write " + path + ": No space left on device");
  EXPECT_EQ(printed, "");
  EXPECT_EQ(files_in(dir.path()), 0);
  // The library is left in a clean state: the next file writes and reads back.
  Hdf5Writer again(path, "cache file");
  write_column(again.id(), "values", std::vector<int64_t>{4});
  again.commit();
  EXPECT_EQ(files_in(dir.path()), 1);
}

}  // namespace
}  // namespace shiftrec
