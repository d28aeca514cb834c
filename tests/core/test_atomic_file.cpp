// The one write path under real write failures: every failure is one UserError naming the
// final file and the OS reason, the previous file stays whole, no temporary stays behind.
// Faults come from the hook of core/write_fault.h, as a full disk, a size limit or a
// read-only folder would give them.
#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"
#include "core/write_fault.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

// Clears the injected fault when a test ends, pass or fail.
struct InjectedFault {
  explicit InjectedFault(const std::string& spec) { set_write_fault(spec); }
  ~InjectedFault() { set_write_fault(""); }
};

int temporaries_in(const std::string& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    n += entry.path().filename().string().find(".tmp-") != std::string::npos ? 1 : 0;
  }
  return n;
}

std::string write_error_of(const std::function<void()>& write) {
  try {
    write();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(AtomicFile, AFullDiskMidFileKeepsThePreviousFileAndNamesTheFinalFile) {
  testing::TempDir dir;
  const std::string path = dir.file("results.json");
  write_file_atomically(path, "previous\n");
  InjectedFault fault("ENOSPC:5:results.json");
  EXPECT_EQ(write_error_of([&] { write_file_atomically(path, std::string(100, 'x')); }),
            "cannot write " + path + ": No space left on device");
  EXPECT_EQ(testing::read_text(path), "previous\n");
  EXPECT_EQ(temporaries_in(dir.path()), 0);
}

TEST(AtomicFile, AStreamedFilePastTheSizeLimitFailsAtCommitWithTheReason) {
  testing::TempDir dir;
  const std::string path = dir.file("targets.tsv");
  InjectedFault fault("EFBIG:200000:targets.tsv");  // past the writer's first buffer
  const std::string message = write_error_of([&] {
    AtomicWriter out(path);
    for (int i = 0; i < 100000; ++i) out.stream() << i << '\n';
    out.commit();
  });
  EXPECT_EQ(message, "cannot write " + path + ": File too large");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(temporaries_in(dir.path()), 0);
}

TEST(AtomicFile, AReadOnlyFolderFailsAtCreationAndOnlyTheNamedFiles) {
  testing::TempDir dir;
  InjectedFault fault("EROFS:0:model.pt,error.txt");
  EXPECT_EQ(write_error_of([&] { AtomicWriter out(dir.file("model.pt")); }),
            "cannot write " + dir.file("model.pt") + ": Read-only file system");
  EXPECT_EQ(write_error_of([&] { write_file_atomically(dir.file("error.txt"), "x"); }),
            "cannot write " + dir.file("error.txt") + ": Read-only file system");
  write_file_atomically(dir.file("other.txt"), "fine");  // not named: written
  EXPECT_EQ(testing::read_text(dir.file("other.txt")), "fine");
  EXPECT_EQ(temporaries_in(dir.path()), 0);
}

TEST(AtomicFile, TheByteCountSpansFilesSoALaterWriteFails) {
  testing::TempDir dir;
  InjectedFault fault("ENOSPC:15:state");
  write_file_atomically(dir.file("state"), "0123456789");  // 10 of 15 bytes
  EXPECT_NE(write_error_of([&] {
              write_file_atomically(dir.file("state"), "0123456789");
            }).find("No space left on device"),
            std::string::npos);
  EXPECT_EQ(testing::read_text(dir.file("state")), "0123456789");  // the first one stays
}

TEST(AtomicFile, AFailedAppendLeavesNoPartialLine) {
  testing::TempDir dir;
  const std::string path = dir.file("metrics.jsonl");
  append_line(path, "{\"epoch\":1}");
  InjectedFault fault("ENOSPC:4:metrics.jsonl");
  EXPECT_EQ(write_error_of([&] { append_line(path, "{\"epoch\":2}"); }),
            "cannot write " + path + ": No space left on device");
  EXPECT_EQ(testing::read_text(path), "{\"epoch\":1}\n");
}

TEST(AtomicFile, AMalformedFaultSpecIsAnErrorNamingTheVariable) {
  EXPECT_NE(write_error_of([] { set_write_fault("ENOSPACE:10"); }).find("SHIFTREC_WRITE_FAULT"),
            std::string::npos);
  EXPECT_NE(write_error_of([] { set_write_fault("ENOSPC:ten"); }).find("expected"),
            std::string::npos);
}

TEST(AtomicFile, StaleTemporariesOfDeadProcessesAreRemovedLiveOnesKept) {
  testing::TempDir dir;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a process that surely ended
  const std::string dead = dir.file("model.pt.tmp-" + std::to_string(child));
  const std::string ours = temporary_path(dir.file("results.json"));
  const std::string live = dir.file("cache.h5.tmp-1");  // init: always running
  for (const auto& path : {dead, ours, live, dir.file("notes.tmp-abc")}) {
    testing::write_text(path, "x");
  }
  EXPECT_EQ(remove_stale_temporaries(dir.path()), 1);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(ours) && fs::exists(live) && fs::exists(dir.file("notes.tmp-abc")));
}

}  // namespace
}  // namespace shiftrec
