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

}  // namespace
}  // namespace shiftrec
