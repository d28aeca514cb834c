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
#include "tests/models/model_from_toml.h"

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

TEST(Checkpoint, APartHoldingOnlyFittedStateMayBeAddedAndAnythingElseIsRefused) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  testing::TempDir dir;
  const std::string path = dir.file("model.pt");
  auto saved = small_sasrec(data, 1);
  save_checkpoint(*saved, path);
  auto composed = [&](const std::string& head) {
    at::manual_seed(4);
    return testing::model_from_toml(
        "[model]\nsequence = \"sasrec\"\nheads = [\"" + head +
            "\"]\nd = 16\n[model.sasrec]\nmax_length = 8\n" +
            (head == "interest_filter" ? "[model.interest_filter]\nmix = 0.0\n" : ""),
        data.interactions);
  };
  // The same SASRec with a reranking head (its only tensors: fitted laws) loads, and scores as
  // the saved one.
  auto reranked = composed("interest_filter");
  load_checkpoint(*reranked, path);
  saved->eval();
  reranked->eval();
  const auto histories = at::tensor({0, 1, 2, 3, 4, 5, 6, 7}, at::kLong).view({1, 8});
  const ModelInput input{histories, at::Tensor(), at::Tensor()};
  EXPECT_TRUE(at::equal(reranked->score_all(reranked->encode(input).select(1, -1)),
                        saved->score_all(saved->encode(input).select(1, -1))));
  // A head with tensors of its own (shift_weight's category table) is not in the file: refused.
  auto with_shift_weight = composed("shift_weight");
  EXPECT_THROW(load_checkpoint(*with_shift_weight, path), UserError);
  // Another width: refused, naming the file and the tensor (LibTorch alone would take it).
  try {
    auto bigger = testing::model_from_toml(
        "[model]\nsequence = \"sasrec\"\nd = 32\n[model.sasrec]\nmax_length = 8\n",
        data.interactions);
    load_checkpoint(*bigger, path);
    FAIL() << "a checkpoint of width 16 loaded into a model of width 32";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("has shape"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace shiftrec
