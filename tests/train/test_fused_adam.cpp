// fused_adam_step against torch::optim::Adam::step: the same parameters (to the bit) after
// several steps, with weight decay and a learning rate changed between steps, and state that
// torch's own step (and its serialisation) continues from.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "train/fused_adam.h"

namespace shiftrec {
namespace {

struct Twin {
  std::vector<at::Tensor> params;
  std::unique_ptr<torch::optim::Adam> adam;
};

Twin make_twin(const std::vector<at::Tensor>& start, const torch::optim::AdamOptions& options) {
  Twin t;
  for (const auto& s : start) t.params.push_back(s.clone().requires_grad_(true));
  t.adam = std::make_unique<torch::optim::Adam>(t.params, options);
  return t;
}

void set_grads(Twin& t, const std::vector<at::Tensor>& grads) {
  for (size_t i = 0; i < grads.size(); ++i) t.params[i].mutable_grad() = grads[i].clone();
}

TEST(FusedAdam, StepsAsTorchsAdamDoesWithWeightDecayAndAChangingRate) {
  at::manual_seed(12);
  // Sizes over and under the parallel grain, one of them not a multiple of a vector width.
  const std::vector<at::Tensor> start = {at::randn({300, 64}), at::randn({37}), at::randn({70000})};
  for (double weight_decay : {0.0, 0.01}) {
    SCOPED_TRACE("weight decay " + std::to_string(weight_decay));
    const auto options =
        torch::optim::AdamOptions(1e-2).betas({0.9, 0.98}).weight_decay(weight_decay);
    Twin torch_adam = make_twin(start, options);
    Twin fused = make_twin(start, options);
    for (int step = 1; step <= 5; ++step) {
      std::vector<at::Tensor> grads;
      for (const auto& s : start) grads.push_back(at::randn(s.sizes()) * (step == 3 ? 100 : 1));
      set_grads(torch_adam, grads);
      set_grads(fused, grads);
      const double rate = 1e-2 / step;
      for (auto* t : {&torch_adam, &fused}) {
        for (auto& group : t->adam->param_groups()) {
          static_cast<torch::optim::AdamOptions&>(group.options()).lr(rate);
        }
      }
      torch_adam.adam->step();
      fused_adam_step(*fused.adam);
    }
    for (size_t i = 0; i < start.size(); ++i) {
      EXPECT_TRUE(at::equal(fused.params[i], torch_adam.params[i])) << i;      // to the bit
      EXPECT_FALSE(at::allclose(fused.params[i], start[i], 1e-3, 1e-3)) << i;  // it moved
    }
    // The state is torch's: its step count and moments, which torch's step then continues.
    auto& fused_state =
        static_cast<torch::optim::AdamParamState&>(*fused.adam->state().begin()->second);
    EXPECT_EQ(fused_state.step(), 5);
    std::vector<at::Tensor> grads;
    for (const auto& s : start) grads.push_back(at::randn(s.sizes()));
    set_grads(torch_adam, grads);
    set_grads(fused, grads);
    torch_adam.adam->step();
    fused.adam->step();  // torch's step on the fused state
    for (size_t i = 0; i < start.size(); ++i) {
      EXPECT_TRUE(at::allclose(fused.params[i], torch_adam.params[i], 1e-5, 1e-6)) << i;
    }
  }
}

TEST(FusedAdam, AParameterWithoutAGradientIsLeftAlone) {
  at::manual_seed(13);
  const std::vector<at::Tensor> start = {at::randn({10}), at::randn({10})};
  Twin fused = make_twin(start, torch::optim::AdamOptions(0.1));
  fused.params[0].mutable_grad() = at::ones({10});
  fused_adam_step(*fused.adam);
  EXPECT_FALSE(at::equal(fused.params[0], start[0]));
  EXPECT_TRUE(at::equal(fused.params[1], start[1]));
  EXPECT_EQ(fused.adam->state().size(), 1u);  // as torch: no state for a parameter not stepped
}

// A row-sparse gradient (model.sparse_gradients) steps only its rows, lazily: on the first
// step that is dense Adam exactly (a zero gradient on fresh moments moves nothing); later a row
// without a gradient keeps its value where dense Adam moves it by its momentum, and a row with
// one follows the formula with the global step count. Repeated rows are summed.
TEST(FusedAdam, ARowSparseGradientStepsOnlyItsRowsLazily) {
  at::manual_seed(14);
  const std::vector<at::Tensor> start = {at::randn({6, 4})};
  const auto options = torch::optim::AdamOptions(0.1).betas({0.9, 0.99});
  Twin dense = make_twin(start, options);
  Twin lazy = make_twin(start, options);
  const auto sparse_rows = [](std::vector<int64_t> rows, const at::Tensor& values) {
    return at::sparse_coo_tensor(at::tensor(rows, at::kLong).unsqueeze(0), values, {6, 4});
  };
  // Step 1: rows 1 and 4, row 4 given twice (summed: 0.5 + 1.5 = 2).
  const auto values = at::randn({3, 4});
  const auto first =
      sparse_rows({1, 4, 4}, at::cat({values.narrow(0, 0, 1), values.narrow(0, 1, 1).fill_(0.5),
                                      values.narrow(0, 2, 1).fill_(1.5)}));
  set_grads(dense, {first.to_dense()});
  set_grads(lazy, {first});
  fused_adam_step(*dense.adam);
  fused_adam_step(*lazy.adam);
  EXPECT_TRUE(at::equal(lazy.params[0], dense.params[0]));
  EXPECT_TRUE(at::equal(lazy.params[0].select(0, 0), start[0].select(0, 0)));  // untouched
  // Step 2: row 4 only. Row 1 stays where step 1 left it; dense Adam moves it on.
  const auto row4 = at::randn({1, 4});
  set_grads(dense, {sparse_rows({4}, row4).to_dense()});
  set_grads(lazy, {sparse_rows({4}, row4)});
  const at::Tensor after_first = lazy.params[0].detach().clone();
  fused_adam_step(*dense.adam);
  fused_adam_step(*lazy.adam);
  EXPECT_TRUE(at::equal(lazy.params[0].select(0, 1), after_first.select(0, 1)));
  EXPECT_FALSE(at::allclose(dense.params[0].select(0, 1), after_first.select(0, 1)));
  // Row 4 by hand: m = 0.9 m1 + 0.1 g, v = 0.99 v1 + 0.01 g^2 with m1 = 0.1 * 2,
  // v1 = 0.01 * 4; p -= 0.1 / (1 - 0.9^2) m / (sqrt(v) / sqrt(1 - 0.99^2) + 1e-8).
  const auto g = row4.squeeze(0).to(at::kDouble);
  const auto m = 0.9 * (0.1 * 2.0) + 0.1 * g;
  const auto v = 0.99 * (0.01 * 4.0) + 0.01 * g * g;
  const auto expected = after_first.select(0, 4).to(at::kDouble) -
                        0.1 / (1 - 0.81) * m / (v.sqrt() / std::sqrt(1 - 0.99 * 0.99) + 1e-8);
  EXPECT_TRUE(at::allclose(lazy.params[0].select(0, 4).to(at::kDouble), expected, 1e-5, 1e-6));
  EXPECT_TRUE(at::equal(lazy.params[0].select(0, 4), dense.params[0].select(0, 4)));
}

// Rows given several times, interleaved with others (as a sampled batch's two subgraphs and
// its L2 term read them), step as their summed gradient would, in one table and the next.
TEST(FusedAdam, InterleavedRepeatsOfARowStepAsTheirSum) {
  at::manual_seed(15);
  const std::vector<at::Tensor> start = {at::randn({7, 3}), at::randn({4, 3})};
  const auto options = torch::optim::AdamOptions(0.05);
  Twin dense = make_twin(start, options);
  Twin lazy = make_twin(start, options);
  for (int step = 0; step < 3; ++step) {
    const std::vector<int64_t> rows_a = {2, 0, 2, 5, 2, 0};
    const std::vector<int64_t> rows_b = {3, 3, 1};
    const auto a = at::sparse_coo_tensor(at::tensor(rows_a, at::kLong).unsqueeze(0),
                                         at::randn({6, 3}), {7, 3});
    const auto b = at::sparse_coo_tensor(at::tensor(rows_b, at::kLong).unsqueeze(0),
                                         at::randn({3, 3}), {4, 3});
    set_grads(dense, {a.to_dense(), b.to_dense()});
    set_grads(lazy, {a, b});
    fused_adam_step(*dense.adam);
    fused_adam_step(*lazy.adam);
    // The same rows every step, so dense Adam too leaves the others where they are (zero
    // moments): both agree everywhere.
    for (int64_t r : {0, 2, 5}) {
      EXPECT_TRUE(at::allclose(lazy.params[0][r], dense.params[0][r], 1e-6, 1e-7)) << r;
    }
    for (int64_t r : {1, 3}) {
      EXPECT_TRUE(at::allclose(lazy.params[1][r], dense.params[1][r], 1e-6, 1e-7)) << r;
    }
    EXPECT_TRUE(at::equal(lazy.params[0][4], start[0][4]));
  }
}

}  // namespace
}  // namespace shiftrec
