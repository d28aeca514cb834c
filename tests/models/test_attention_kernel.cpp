#include "models/attention_kernel.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "models/layers.h"

namespace shiftrec {
namespace {

// The definition, operator by operator (models/attention_kernel.h's formula).
at::Tensor attention_by_definition(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                   const at::Tensor& allowed, const at::Tensor& keep, int64_t heads,
                                   double scale) {
  const int64_t B = q.size(0), L = q.size(1), d = q.size(2), dh = d / heads;
  auto split = [&](const at::Tensor& x) { return x.view({B, L, heads, dh}).transpose(1, 2); };
  auto scores = at::matmul(split(q), split(k).transpose(-2, -1)) * scale;
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
  auto weights = at::softmax(scores, -1);
  if (keep.defined()) weights = weights * keep;
  return at::matmul(weights, split(v)).transpose(1, 2).reshape({B, L, d});
}

// Causal with left padding: row b has `pad[b]` padding positions, which see only themselves.
at::Tensor causal_padded(int64_t B, int64_t L, const std::vector<int64_t>& pad) {
  auto tokens = at::ones({B, L}, at::kLong);
  for (int64_t b = 0; b < B; ++b) tokens[b].narrow(0, 0, pad[b]).zero_();
  return causal_padding_mask(tokens);
}

struct Case {
  int64_t B, L, d, heads;
  bool dropout;
  bool bidirectional;
  // Random holes inside each row's span (the diagonal kept), and the mask read through a
  // non-unit key stride rather than as contiguous rows.
  bool holes = false;
  bool strided = false;
};

void expect_matches_definition(const Case& c) {
  SCOPED_TRACE("B " + std::to_string(c.B) + " L " + std::to_string(c.L) + " d " +
               std::to_string(c.d) + " heads " + std::to_string(c.heads) +
               (c.dropout ? " dropout" : "") + (c.bidirectional ? " bidirectional" : "") +
               (c.holes ? " holes" : "") + (c.strided ? " strided" : ""));
  at::manual_seed(5);
  auto q = at::randn({c.B, c.L, c.d}).requires_grad_();
  auto k = at::randn({c.B, c.L, c.d}).requires_grad_();
  auto v = at::randn({c.B, c.L, c.d}).requires_grad_();
  std::vector<int64_t> pad;
  for (int64_t b = 0; b < c.B; ++b) pad.push_back(b % c.L);
  at::Tensor allowed = causal_padded(c.B, c.L, pad);
  if (c.bidirectional) {  // every real key (BERT4Rec's mask), itself always
    auto real = at::ones({c.B, c.L}, at::kBool);
    for (int64_t b = 0; b < c.B; ++b) real[b].narrow(0, 0, pad[b]).fill_(false);
    allowed = (real.unsqueeze(1) | at::eye(c.L, at::kBool).unsqueeze(0)).unsqueeze(1);
  }
  if (c.holes) allowed = allowed & (at::rand({c.B, 1, c.L, c.L}).gt(0.4) | at::eye(c.L, at::kBool));
  if (c.strided) allowed = allowed.transpose(2, 3).contiguous().transpose(2, 3);
  at::Tensor keep;
  if (c.dropout) keep = at::rand({c.B, c.heads, c.L, c.L}).ge_(0.3).mul_(1.0 / 0.7);
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.d / c.heads));
  const auto upstream = at::randn({c.B, c.L, c.d});

  auto expected = attention_by_definition(q, k, v, allowed, keep, c.heads, scale);
  auto expected_grads = torch::autograd::grad({expected}, {q, k, v}, {upstream});
  auto fused = fused_attention(q, k, v, allowed, keep, c.heads, scale);
  auto fused_grads = torch::autograd::grad({fused}, {q, k, v}, {upstream});

  EXPECT_TRUE(at::allclose(fused, expected, 1e-5, 1e-5))
      << (fused - expected).abs().max().item<float>();
  const char* names[] = {"dq", "dk", "dv"};
  for (int g = 0; g < 3; ++g) {
    EXPECT_TRUE(at::allclose(fused_grads[g], expected_grads[g], 1e-4, 1e-5))
        << names[g] << " " << (fused_grads[g] - expected_grads[g]).abs().max().item<float>();
  }
}

TEST(FusedAttention, MatchesTheDefinitionForwardAndBackwardInEveryInstructionSet) {
  const std::string chosen = attention_kernel_isa();
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_attention_kernel_isa(isa)) continue;
    SCOPED_TRACE(isa);
    // Head widths below, at and across the tiles' column widths (3, 8, 16, 25, 40, 64);
    // one window of 1; windows across the 4-row and 8/16/32-column tiles (37, 70, 129).
    for (const Case& c :
         {Case{6, 7, 3, 1, false, false}, Case{5, 9, 16, 2, true, false},
          Case{4, 12, 50, 2, true, false}, Case{7, 10, 32, 4, false, true},
          Case{3, 1, 8, 1, true, false}, Case{9, 13, 50, 1, true, true},
          Case{5, 37, 40, 1, true, false}, Case{3, 70, 64, 1, true, false, true, false},
          Case{4, 70, 48, 3, false, true, false, true},
          Case{2, 129, 64, 1, true, false, false, true},
          Case{3, 37, 24, 1, true, true, true, true}}) {
      expect_matches_definition(c);
    }
  }
  EXPECT_FALSE(use_attention_kernel_isa("sse9"));
  ASSERT_TRUE(use_attention_kernel_isa(chosen));
}

TEST(FusedAttention, ARowWithoutAllowedKeysIsNaNAsSoftmaxMakesIt) {
  auto q = at::randn({1, 2, 4}), k = at::randn({1, 2, 4}), v = at::randn({1, 2, 4});
  auto allowed = at::tensor({1, 0, 0, 0}, at::kInt).to(at::kBool).view({1, 1, 2, 2});
  auto out = fused_attention(q, k, v, allowed, at::Tensor(), 1, 0.5);
  EXPECT_TRUE(at::allclose(out[0][0], v[0][0]));  // one key: its value
  EXPECT_TRUE(at::isnan(out[0][1]).all().item<bool>());
}

// The layer takes the fused path on the CPU: same outputs and gradients as the operator path,
// dropout included (the keep mask is drawn from the same random stream).
TEST(FusedAttention, TheAttentionLayerGivesWhatItsOperatorPathGives) {
  CausalSelfAttention layer(16, 2, 0.4);
  layer->train();
  at::manual_seed(9);
  const auto x = at::randn({5, 11, 16});
  std::vector<int64_t> pad = {0, 3, 10, 6, 1};
  const auto allowed = causal_padded(5, 11, pad);
  const auto upstream = at::randn({5, 11, 16});
  auto run = [&](bool fused) {
    use_fused_attention(fused);
    layer->zero_grad();
    at::manual_seed(21);
    auto out = layer->forward(x, x, allowed);
    out.backward(upstream);
    std::vector<at::Tensor> grads;
    for (const auto& p : layer->parameters()) grads.push_back(p.grad().clone());
    use_fused_attention(true);
    return std::make_pair(out.detach(), grads);
  };
  const auto [fused_out, fused_grads] = run(true);
  const auto [plain_out, plain_grads] = run(false);
  EXPECT_TRUE(at::allclose(fused_out, plain_out, 1e-5, 1e-5));
  ASSERT_EQ(fused_grads.size(), plain_grads.size());
  for (size_t g = 0; g < fused_grads.size(); ++g) {
    EXPECT_TRUE(at::allclose(fused_grads[g], plain_grads[g], 1e-4, 1e-5)) << "parameter " << g;
  }
}

}  // namespace
}  // namespace shiftrec
