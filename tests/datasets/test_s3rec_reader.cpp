#include "datasets/s3rec_reader.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

std::string read_error(const std::string& path) {
  try {
    read_s3rec_sequences(path);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

TEST(S3RecReader, ReadsSequencesKeepingOriginalIds) {
  testing::TempDir dir;
  testing::write_text(dir.file("seq.txt"), "7 10 20 10\n3 20 30\n");
  const Interactions d = read_s3rec_sequences(dir.file("seq.txt"));
  EXPECT_EQ(d.n_users, 2);
  EXPECT_EQ(d.n_items, 3);
  EXPECT_EQ(d.user_original_ids, (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(d.item_original_ids, (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(d.item, (std::vector<int32_t>{0, 1, 0, 1, 2}));
  EXPECT_EQ(d.time, (std::vector<int64_t>{0, 1, 2, 0, 1}));
}

TEST(S3RecReader, BadInputNamesFileAndLine) {
  testing::TempDir dir;
  testing::write_text(dir.file("bad.txt"), "1 2 3\n2 4 x5\n");
  EXPECT_EQ(read_error(dir.file("bad.txt")),
            dir.file("bad.txt") + ":2: field 3 is \"x5\", expected an integer id");
  testing::write_text(dir.file("lonely.txt"), "1 2 3\n\n4\n");
  EXPECT_EQ(read_error(dir.file("lonely.txt")),
            dir.file("lonely.txt") + ":3: expected \"user item [item ...]\", found a user without items");
  testing::write_text(dir.file("empty.txt"), "");
  EXPECT_EQ(read_error(dir.file("empty.txt")),
            dir.file("empty.txt") + ": empty file, expected user sequences");
  EXPECT_EQ(read_error(dir.file("missing.txt")),
            dir.file("missing.txt") + ": cannot open (missing or unreadable)");
}

}  // namespace
}  // namespace shiftrec
