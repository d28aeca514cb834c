// recommend agrees with the evaluator on a shared dataset: MovieLens-100K (RecBole atomic
// files, real timestamps), SASRec trained one epoch; every test user's history asked in
// batches gives the top-k list `eval --dump-topk` writes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "core/config.h"
#include "datasets/split.h"
#include "experiments/experiment.h"
#include "experiments/recommendation.h"
#include "experiments/run_evaluation.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

TEST(RealRecommend, EveryMovieLens100kTestUserGetsTheEvaluatorsTopKList) {
  if (std::getenv("SHIFTREC_DATA") == nullptr) {
    GTEST_SKIP() << "SHIFTREC_DATA is not set: no shared datasets here";
  }
  testing::TempDir dir;
  const std::string run = dir.file("run");
  {
    Config config = Config::from_file(std::string(SHIFTREC_SOURCE_DIR) +
                                      "/experiments/configs/ml100k_sasrec.toml");
    for (const char* set : {"train.epochs=1", "log_level=\"warn\"", "threads=2"}) {
      config.apply_override(set);
    }
    run_experiment(config, run);
  }
  EvalRunOptions eval;
  eval.run_dir = run;
  eval.dump_topk = dir.file("top.tsv");
  evaluate_run(eval);
  std::vector<std::vector<std::string>> dumped;
  std::istringstream lines(testing::read_text(eval.dump_topk));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string column;
    for (int c = 0; c < 5; ++c) std::getline(fields, column, '\t');
    std::getline(fields, column, '\t');
    std::istringstream ids(column);
    dumped.emplace_back();
    for (std::string id; ids >> id;) dumped.back().push_back(id);
  }
  // Every test query's history, as a client sends it: original ids, times, the request time.
  const FinishedRun finished = load_finished_run(run);
  const Split& split = finished.plan.split;
  const Interactions& data = finished.plan.dataset.interactions;
  const std::vector<int64_t> queries = split.test.query_offsets();
  ASSERT_EQ(queries.size() - 1, dumped.size());  // one test target per user (LOO)
  std::vector<RecommendRequest> requests;
  for (size_t q = 0; q + 1 < queries.size(); ++q) {
    const int64_t t = queries[q], first = split.offsets[split.test.user[t]];
    RecommendRequest request;
    for (int64_t i = first; i < first + split.test.history_length[t]; ++i) {
      request.history.push_back(data.item_original_ids.name(split.items[i]));
      request.times.push_back(split.times[i]);
    }
    request.at = split.times[first + split.test.history_length[t]];
    requests.push_back(request);
  }
  RecommendOptions options;
  options.k = static_cast<int64_t>(dumped.front().size());
  RunRecommender recommender(run, options);
  const std::vector<Recommendation> answers = recommender.recommend(requests);
  ASSERT_EQ(answers.size(), dumped.size());
  int64_t equal = 0;
  for (size_t q = 0; q < answers.size(); ++q) {
    std::vector<std::string> items;
    for (const auto& item : answers[q].items) items.push_back(item.item);
    EXPECT_EQ(items, dumped[q]) << "query " << q;
    equal += items == dumped[q] ? 1 : 0;
  }
  EXPECT_EQ(equal, static_cast<int64_t>(dumped.size()));
}

}  // namespace
}  // namespace shiftrec
