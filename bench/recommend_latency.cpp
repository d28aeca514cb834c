// `shiftrec recommend` served in-process from a finished run: one history at a time (p50 and
// p99 latency) and batches of eval.batch_size (throughput, the fastest of three passes
// alternated with the floor's), against the floor measured in the same run — the bare
// encoder forward plus the [batch, n_items] score product for the same histories, without
// mapping ids, masking, top-k, shift scores or categories.
//
//   build/bench/recommend_latency RUN_DIR [single_requests=300]
//
// Then the deletion test of --explain over the same first requests: the top item's score drop
// when its top-attributed history item is deleted, against a random history item's.
//
// The requests are the run's test users' histories (original ids, and times for a
// time-aware model), as a client would send them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/allocator.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"
#include "experiments/recommendation.h"
#include "experiments/run_evaluation.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shiftrec;
  retain_freed_memory();  // as the CLI does
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s RUN_DIR [single_requests]\n", argv[0]);
    return 1;
  }
  const std::string run_dir = argv[1];
  const int64_t singles = argc > 2 ? std::atoll(argv[2]) : 300;
  FinishedRun run = load_finished_run(run_dir);
  const Split& split = run.plan.split;
  const Interactions& data = run.plan.dataset.interactions;
  const EvalTargets& targets = split.test;
  std::vector<RecommendRequest> requests;
  std::vector<int64_t> begin, length;
  for (int64_t t = 0; t < targets.size(); ++t) {
    const int64_t u = targets.user[t], first = split.offsets[u];
    if (!requests.empty() && begin.back() == first) continue;  // one per query
    RecommendRequest request;
    for (int64_t i = first; i < first + targets.history_length[t]; ++i) {
      request.history.push_back(data.item_original_ids.name(split.items[i]));
      if (!split.times.empty()) request.times.push_back(split.times[i]);
    }
    if (!split.times.empty()) request.at = split.times[first + targets.history_length[t]];
    requests.push_back(request);
    begin.push_back(first);
    length.push_back(targets.history_length[t]);
  }
  RecommendOptions options;
  options.k = 20;
  RunRecommender recommender(run_dir, options);
  const int64_t batch = recommender.batch_size();
  std::printf("run %s: %zu requests, %lld items, batch %lld, %d threads\n", run_dir.c_str(),
              requests.size(), static_cast<long long>(data.n_items), static_cast<long long>(batch),
              at::get_num_threads());

  std::vector<double> latency;
  for (int64_t r = 0; r < std::min<int64_t>(singles, requests.size()); ++r) {
    const double t0 = now();
    recommender.recommend({requests[r]});
    latency.push_back(now() - t0);
  }
  // The floor: encoder + score product over the same histories, batch by batch.
  Recommender& model = *run.plan.model;
  const auto floor_pass = [&] {
    const double f0 = now();
    torch::NoGradGuard no_grad;
    for (size_t first = 0; first < begin.size(); first += batch) {
      const size_t end = std::min(begin.size(), first + static_cast<size_t>(batch));
      const std::vector<int64_t> b(begin.begin() + first, begin.begin() + end);
      const std::vector<int64_t> l(length.begin() + first, length.begin() + end);
      ModelInput input;
      input.histories = pack_histories(split.items, b, l, model.max_length());
      if (model.uses_time_gaps()) input.gaps = split_gap_buckets(split, b, l, model.max_length());
      model.score_all(model.encode(input).select(1, -1)).sum().item<float>();
    }
    return now() - f0;
  };
  const auto served_pass = [&] {
    const double t0 = now();
    recommender.recommend(requests);
    return now() - t0;
  };
  // Alternated, the fastest pass of each kept: the first pass over a batch grows the heap
  // (page faults) that every later one reuses, whichever of the two comes first.
  double floor = 1e300, served = 1e300;
  for (int round = 0; round < 3; ++round) {
    floor = std::min(floor, floor_pass());
    served = std::min(served, served_pass());
  }
  const double n = static_cast<double>(requests.size());
  std::printf("one history: p50 %.2f ms, p99 %.2f ms (%zu requests)\n",
              1e3 * percentile(latency, 0.5), 1e3 * percentile(latency, 0.99), latency.size());
  std::printf(
      "batch: %.0f requests/s (%.3f s); floor (encode + score product): %.0f requests/s "
      "(%.3f s); ratio %.2fx\n",
      n / served, served, n / floor, floor, served / floor);

  // The deletion test of --explain: for each answer's top item, deleting its top-attributed
  // history item against deleting a random one (uniform over the items the model reads).
  RecommendOptions explaining;
  explaining.k = 1;
  explaining.explain = true;
  explaining.explain_top = 1 << 20;  // every history item's weight
  RunRecommender explainer(run_dir, explaining);
  const int64_t asked = std::min<int64_t>(singles, static_cast<int64_t>(requests.size()));
  const auto answers = explainer.recommend(
      std::vector<RecommendRequest>(requests.begin(), requests.begin() + asked));
  std::mt19937_64 rng(7);
  double top_sum = 0.0, random_sum = 0.0, shift_top = 0.0, shift_random = 0.0;
  int64_t above = 0, shift_above = 0, counted = 0, shift_counted = 0;
  for (const auto& a : answers) {
    const auto& because = a.items.front().because;
    if (because.size() < 2) continue;
    const double random = because[rng() % because.size()].weight;
    top_sum += because.front().weight;
    random_sum += random;
    above += because.front().weight > random ? 1 : 0;
    ++counted;
    if (a.shift_because.size() >= 2) {
      const double r = a.shift_because[rng() % a.shift_because.size()].weight;
      shift_top += a.shift_because.front().weight;
      shift_random += r;
      shift_above += a.shift_because.front().weight > r ? 1 : 0;
      ++shift_counted;
    }
  }
  std::printf(
      "deletion test over %lld answers: top item's score drops %.4f (top-attributed "
      "history item) vs %.4f (a random one); strictly larger in %.1f%%\n",
      static_cast<long long>(counted), top_sum / counted, random_sum / counted,
      100.0 * above / counted);
  if (shift_counted > 0) {
    std::printf("shift probability drops %.4f vs %.4f; strictly larger in %.1f%%\n",
                shift_top / shift_counted, shift_random / shift_counted,
                100.0 * shift_above / shift_counted);
  }
  return 0;
}
