// Replays the fuzz corpus (fuzz/corpus/<target>/: seeds, and every input that ever failed)
// through the fuzz targets as an ordinary test: each input must be handled — accepted, or one
// UserError — with no crash or abort (the targets abort on anything else).
#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/fuzz_target.h"
#include "tests/fixtures.h"

namespace shiftrec::fuzz {
int fuzz_config(const uint8_t* data, size_t size);
int fuzz_reader(const uint8_t* data, size_t size);
int fuzz_attributes(const uint8_t* data, size_t size);
int fuzz_cache(const uint8_t* data, size_t size);
int fuzz_run_results(const uint8_t* data, size_t size);
}  // namespace shiftrec::fuzz

namespace shiftrec {
namespace {

struct Corpus {
  const char* folder;
  fuzz::Target target;
};

class FuzzReplay : public ::testing::TestWithParam<Corpus> {};

TEST_P(FuzzReplay, EveryCorpusInputIsHandled) {
  const std::string folder = std::string(SHIFTREC_SOURCE_DIR) + "/fuzz/corpus/" + GetParam().folder;
  int inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    SCOPED_TRACE(entry.path().string());
    const std::string bytes = testing::read_text(entry.path().string());
    EXPECT_EQ(GetParam().target(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
    ++inputs;
  }
  EXPECT_GT(inputs, 0) << "empty corpus " << folder;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay,
                         ::testing::Values(Corpus{"config", fuzz::fuzz_config},
                                           Corpus{"reader", fuzz::fuzz_reader},
                                           Corpus{"attributes", fuzz::fuzz_attributes},
                                           Corpus{"cache", fuzz::fuzz_cache},
                                           Corpus{"run_results", fuzz::fuzz_run_results}),
                         [](const auto& info) { return std::string(info.param.folder); });

}  // namespace
}  // namespace shiftrec
