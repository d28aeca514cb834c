// The fused attention kernel (models/attention_kernel.h) against, in one process: the same
// attention operator by operator (LibTorch's batched matmuls, mask, softmax, dropout), and the
// six bare batched products of its shapes (scores, output, and the four gradients), forward +
// backward, median of 5 after one warm-up. Causal with left padding, attention dropout on:
// a SASRec training step's attention.
//   build/bench/attention_kernel [B=128] [L=200] [d=64] [heads=1] [threads=all]
// The defaults are ml-1m-pos4's SASRec+ (max_length 200); Beauty's is 256 50 64 1.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "core/allocator.h"
#include "models/attention_kernel.h"
#include "models/layers.h"

#include "bench/timing.h"

using shiftrec::bench::median_seconds;

int main(int argc, char** argv) {
  const int64_t B = argc > 1 ? std::atoll(argv[1]) : 128;
  const int64_t L = argc > 2 ? std::atoll(argv[2]) : 200;
  const int64_t d = argc > 3 ? std::atoll(argv[3]) : 64;
  const int64_t heads = argc > 4 ? std::atoll(argv[4]) : 1;
  const int threads = argc > 5
                          ? std::atoi(argv[5])
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  shiftrec::retain_freed_memory();  // as training runs: freed blocks are reused, not faulted in
  torch::manual_seed(0);
  const int64_t dh = d / heads;
  const auto q = torch::randn({B, L, d}), k = torch::randn({B, L, d}), v = torch::randn({B, L, d});
  const auto upstream = torch::randn({B, L, d});
  // Half the sequences fill the window, the others are left-padded to a uniform length.
  auto tokens = torch::ones({B, L}, torch::kLong);
  auto pad = torch::randint(0, L, {B}, torch::kLong);
  for (int64_t b = 0; b < B; b += 2) tokens[b].narrow(0, 0, pad[b].item<int64_t>()).zero_();
  const auto allowed = shiftrec::causal_padding_mask(tokens);
  const auto keep = torch::rand({B, heads, L, L}).ge_(0.2).mul_(1.0 / 0.8);
  const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
  std::printf("B %lld, L %lld, d %lld, heads %lld, threads %d, kernels %s\n",
              static_cast<long long>(B), static_cast<long long>(L), static_cast<long long>(d),
              static_cast<long long>(heads), at::get_num_threads(),
              shiftrec::attention_kernel_isa());

  auto split = [&](const at::Tensor& x) { return x.view({B, L, heads, dh}).transpose(1, 2); };
  const double fused = median_seconds(
      [&] {
        auto qq = q.clone().requires_grad_(), kk = k.clone().requires_grad_(),
             vv = v.clone().requires_grad_();
        shiftrec::fused_attention(qq, kk, vv, allowed, keep, heads, scale).backward(upstream);
      },
      7, 2);
  const double operators = median_seconds(
      [&] {
        auto qq = q.clone().requires_grad_(), kk = k.clone().requires_grad_(),
             vv = v.clone().requires_grad_();
        auto scores = at::matmul(split(qq), split(kk).transpose(-2, -1)) * scale;
        scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
        auto out = at::matmul(at::softmax(scores, -1) * keep, split(vv));
        out.transpose(1, 2).reshape({B, L, d}).backward(upstream);
      },
      7, 2);
  const auto qs = split(q).contiguous(), ks = split(k).contiguous(), vs = split(v).contiguous();
  const auto p = at::softmax(at::matmul(qs, ks.transpose(-2, -1)), -1);
  const auto g = split(upstream).contiguous();
  const double products = median_seconds(
      [&] {
        const auto s = at::matmul(qs, ks.transpose(-2, -1));   // scores
        const auto out = at::matmul(p, vs);                    // output
        const auto dp = at::matmul(g, vs.transpose(-2, -1));   // d/d probabilities
        const auto dv = at::matmul(p.transpose(-2, -1), g);    // d/d v
        const auto dq = at::matmul(dp, ks);                    // d/d q
        const auto dk = at::matmul(dp.transpose(-2, -1), qs);  // d/d k
      },
      7, 2);
  std::printf("bare batched products (6)   %.4f s   1.00x\n", products);
  std::printf("operators fwd+bwd           %.4f s   %.2fx\n", operators, operators / products);
  std::printf("fused kernel fwd+bwd        %.4f s   %.2fx\n", fused, fused / products);
  return 0;
}
