#include "models/sasrec.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/utils.h>

namespace shiftrec {
namespace {

std::shared_ptr<Recommender> make_model() {
  at::manual_seed(5);
  auto model = make_sasrec(SASRecOptions(20).d(16).blocks(2).heads(2).dropout(0.3).max_length(6));
  model->eval();
  return model;
}

at::Tensor encode(Recommender& model, const at::Tensor& histories,
                  const at::Tensor& gaps = at::Tensor()) {
  return model.encode(ModelInput{histories, gaps, at::Tensor()});
}

TEST(SASRec, StatesDoNotDependOnPaddedWidth) {
  auto model = make_model();
  torch::NoGradGuard no_grad;
  auto narrow = at::tensor({4, 7, 2}, at::kLong).view({1, 3});
  auto wide = at::tensor({0, 0, 4, 7, 2}, at::kLong).view({1, 5});
  auto a = encode(*model, narrow).select(1, -1);
  auto b = encode(*model, wide).select(1, -1);
  EXPECT_TRUE(at::allclose(a, b, 1e-5, 1e-6));
}

TEST(SASRec, IsCausal) {
  auto model = make_model();
  torch::NoGradGuard no_grad;
  auto x = at::tensor({3, 5, 7, 9}, at::kLong).view({1, 4});
  auto y = at::tensor({3, 5, 7, 11}, at::kLong).view({1, 4});
  auto sx = encode(*model, x), sy = encode(*model, y);
  // Positions before the changed one are unchanged; the changed one moves.
  EXPECT_TRUE(at::allclose(sx.narrow(1, 0, 3), sy.narrow(1, 0, 3), 1e-5, 1e-6));
  EXPECT_FALSE(at::allclose(sx.select(1, 3), sy.select(1, 3), 1e-5, 1e-6));
}

TEST(SASRec, TimeGapsEnterCausallyAndOnlyWhenSwitchedOn) {
  at::manual_seed(5);
  auto timed = make_sasrec(
      SASRecOptions(20).d(16).blocks(2).heads(2).dropout(0.0).max_length(6).time_gaps(true));
  timed->eval();
  auto plain = make_model();
  torch::NoGradGuard no_grad;
  auto x = at::tensor({0, 5, 7, 9}, at::kLong).view({1, 4});
  auto gaps = at::tensor({0, 3, 4, 20}, at::kLong).view({1, 4});
  auto later =
      at::tensor({0, 3, 4, 40}, at::kLong).view({1, 4});  // a longer wait before the target
  auto a = encode(*timed, x, gaps), b = encode(*timed, x, later);
  EXPECT_TRUE(at::allclose(a.narrow(1, 0, 3), b.narrow(1, 0, 3), 1e-5, 1e-6));
  EXPECT_FALSE(at::allclose(a.select(1, 3), b.select(1, 3), 1e-5, 1e-6));
  EXPECT_THROW(encode(*timed, x), c10::Error);  // gaps are required, not silently zero
  // Off: the gaps are ignored and no gap parameter exists.
  EXPECT_TRUE(at::equal(encode(*plain, x, gaps), encode(*plain, x)));
  EXPECT_EQ(timed->parameters().size(), plain->parameters().size() + 1);
  EXPECT_TRUE(timed->uses_time_gaps());
  EXPECT_FALSE(plain->uses_time_gaps());
}

TEST(SASRec, RejectsBadOptions) {
  EXPECT_THROW(make_sasrec(SASRecOptions(20).d(10).heads(3)), c10::Error);
  EXPECT_THROW(make_sasrec(SASRecOptions(0)), c10::Error);
}

}  // namespace
}  // namespace shiftrec
