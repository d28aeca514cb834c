// Full-ranking evaluation against its floor: the bare encoder forward plus the
// [users, n_items] score matrix product, measured in the same run (issue 5's target: the
// evaluation takes at most 1.5x the floor).
//
//   build/bench/eval_full_ranking beauty FILE [batch]        # S3-Rec Beauty.txt, all users
//   build/bench/eval_full_ranking synthetic USERS ITEMS [batch]
//
// SASRec (d=64, 2 blocks, max length 50, untrained: the cost does not depend on the weights)
// scores every user's test target (leave-one-out) against all items; the evaluation computes
// recall@10 and ndcg@10 and keeps every user's top-10 (and NewCategoryHit@10 where the data
// has categories). Prints seconds for both, their ratio and the peak RSS after each (ROUNDS=n:
// n alternating rounds and the median ratio), then the same ranking through tensor operations
// against a floor pass of its own (SKIP_TENSOR_PATH=1 leaves that out).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/allocator.h"
#include "datasets/histories.h"
#include "datasets/s3rec_reader.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "eval/evaluator.h"
#include "models/sasrec.h"

#include "bench/peak_rss.h"

using shiftrec::bench::peak_rss_mb;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shiftrec;
  const std::string kind = argc > 1 ? argv[1] : "";
  if (!(kind == "beauty" && argc >= 3) && !(kind == "synthetic" && argc >= 4)) {
    std::fprintf(stderr, "usage: %s beauty FILE [batch] | synthetic USERS ITEMS [batch]\n",
                 argv[0]);
    return 1;
  }
  retain_freed_memory();
  at::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  at::manual_seed(1);
  Interactions data;
  int64_t batch = 1024;
  if (kind == "beauty") {
    data = read_s3rec_sequences(argv[2]);
    if (argc > 3) batch = std::atoll(argv[3]);
  } else {
    SyntheticOptions options;
    options.users = std::atoll(argv[2]);
    options.items = std::atoll(argv[3]);
    options.categories = std::max<int64_t>(40, options.items / 100);
    options.max_length = 50;
    data = generate_synthetic(options).interactions;
    if (argc > 4) batch = std::atoll(argv[4]);
  }
  const Split split = leave_one_out(data);
  const int64_t max_length = 50;
  auto model_ptr = make_sasrec(
      SASRecOptions(data.n_items).d(64).blocks(2).heads(1).dropout(0.0).max_length(max_length));
  Recommender& model = *model_ptr;
  model.eval();
  torch::NoGradGuard no_grad;
  const Scorer scorer = [&model](const at::Tensor& histories, const at::Tensor& /*users*/,
                                 const at::Tensor& /*gaps*/) {
    return model.score_all(
        model.encode(ModelInput{histories, at::Tensor(), at::Tensor()}).select(1, -1));
  };
  const EvalTargets& targets = split.test;
  std::printf("%s: %lld users, %lld items, %lld test targets, batch %lld, threads %d\n",
              kind.c_str(), static_cast<long long>(data.n_users),
              static_cast<long long>(data.n_items), static_cast<long long>(targets.size()),
              static_cast<long long>(batch), at::get_num_threads());
  const double rss_data = peak_rss_mb();

  // Floor: histories packed, encoded, the last state times every item embedding. Nothing else.
  const auto floor_pass = [&](int64_t limit) {
    double checksum = 0.0;
    for (int64_t start = 0; start < std::min(limit, targets.size()); start += batch) {
      const int64_t end = std::min(targets.size(), start + batch);
      std::vector<int64_t> begin, length;
      for (int64_t t = start; t < end; ++t) {
        begin.push_back(split.offsets[targets.user[t]]);
        length.push_back(targets.history_length[t]);
      }
      auto scores = scorer(pack_histories(split.items, begin, length, max_length), at::Tensor(),
                           at::Tensor());
      checksum += scores.select(1, 0).sum().item<double>();
    }
    return checksum;
  };
  floor_pass(batch);  // warm-up
  EvalOptions options;
  options.metrics = {"recall", "ndcg"};
  options.ks = {10};
  options.batch_size = batch;
  Evaluator evaluator(split, data, options);
  // ROUNDS=n alternates floor and evaluation n times (the machine's noise is ~10% between
  // single passes) and reports the median of the per-round ratios.
  const char* rounds_text = std::getenv("ROUNDS");
  const int rounds = rounds_text != nullptr ? std::max(1, std::atoi(rounds_text)) : 1;
  std::vector<double> ratios;
  double floor_total = 0.0, eval_total = 0.0;
  for (int round = 1; round <= rounds; ++round) {
    double t0 = now();
    floor_pass(targets.size());
    const double floor_seconds = now() - t0;
    const double rss_floor = peak_rss_mb();
    t0 = now();
    const SplitEvaluation result = evaluator.evaluate("test", scorer, max_length, c10::kCPU, 10);
    const double eval_seconds = now() - t0;
    const double rss_eval = peak_rss_mb();
    std::printf(
        "round %d: floor (encode + score matrix): %.2f s, peak RSS %.0f MB (data %.0f MB)\n", round,
        floor_seconds, rss_floor, rss_data);
    std::printf(
        "round %d: evaluation (ranks, recall/ndcg@10, top-10%s): %.2f s, peak RSS %.0f MB\n", round,
        data.has_categories() ? ", labels, newcat_hit@10" : "", eval_seconds, rss_eval);
    std::printf("round %d: ratio evaluation / floor: %.2f   (ndcg@10 %.4f of an untrained model)\n",
                round, eval_seconds / floor_seconds, result.metrics.at("ndcg@10"));
    std::fflush(stdout);
    ratios.push_back(eval_seconds / floor_seconds);
    floor_total += floor_seconds;
    eval_total += eval_seconds;
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf(
      "median ratio evaluation / floor over %d round(s): %.3f (min %.3f, max %.3f); "
      "total %.1f / %.1f s = %.3f\n",
      rounds, ratios[ratios.size() / 2], ratios.front(), ratios.back(), eval_total, floor_total,
      eval_total / floor_total);
  std::fflush(stdout);
  // The same ranking through the tensor operations (the non-CPU path), for comparison;
  // SKIP_TENSOR_PATH=1 leaves it out (at 1 M users it adds a quarter of an hour).
  const char* skip = std::getenv("SKIP_TENSOR_PATH");
  if (skip != nullptr && std::string(skip) == "1") return 0;
  RankingOptions tensor_path;
  tensor_path.batch_size = batch;
  tensor_path.max_length = max_length;
  tensor_path.top_k = 10;
  tensor_path.fused_cpu = false;
  const double floor_start = now();
  floor_pass(targets.size());
  const double floor_seconds = now() - floor_start;
  const double t0 = now();
  rank_targets(split, targets, scorer, tensor_path, c10::kCPU);
  const double tensor_seconds = now() - t0;
  std::printf("ranking + top-10 through tensor operations instead: %.2f s (ratio %.2f)\n",
              tensor_seconds, tensor_seconds / floor_seconds);
  return 0;
}
