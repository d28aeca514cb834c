// Checkpoints round-trip, and a checkpoint that cannot be written is one error — never the
// abort LibTorch's file writer gives when its destructor meets a full disk.
#include "models/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "core/write_fault.h"
#include "models/recommender.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

std::shared_ptr<Recommender> small_sasrec(const SyntheticData& data, uint64_t seed) {
  at::manual_seed(seed);
  Config config = Config::from_string("[model]\nd = 16\nmax_length = 8\n", "test.toml");
  ModelContext context;
  context.n_items = data.interactions.n_items;
  context.n_users = data.interactions.n_users;
  context.data = &data.interactions;
  return model_registry().get("sasrec")(config.section("model"), context);
}

at::Tensor first_parameter(Recommender& model) { return model.parameters().front().clone(); }

TEST(Checkpoint, RoundTripsAndAFailedWriteKeepsThePreviousOne) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  testing::TempDir dir;
  const std::string path = dir.file("model.pt");
  auto saved = small_sasrec(data, 1);
  save_checkpoint(*saved, path);

  auto other = small_sasrec(data, 2);
  ASSERT_FALSE(at::equal(first_parameter(*other), first_parameter(*saved)));
  set_write_fault("ENOSPC:1000:model.pt");
  std::string message;
  try {
    save_checkpoint(*other, path);
  } catch (const UserError& e) {
    message = e.what();
  }
  set_write_fault("");
  EXPECT_EQ(message, "cannot write " + path + ": No space left on device");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);  // model.pt, no temporary

  auto loaded = small_sasrec(data, 3);
  load_checkpoint(*loaded, path);  // the first checkpoint, whole
  EXPECT_TRUE(at::equal(first_parameter(*loaded), first_parameter(*saved)));
}

}  // namespace
}  // namespace shiftrec
