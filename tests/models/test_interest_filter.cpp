#include "models/interest_filter.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "datasets/synthetic_oracle.h"
#include "datasets/time_gaps.h"
#include "models/checkpoint.h"
#include "tests/datasets/hand_labelled.h"
#include "tests/fixtures.h"
#include "tests/models/model_from_toml.h"

namespace shiftrec {
namespace {

// 3 categories, 2 active: the sets {0,1}, {0,2}, {1,2}. Items 0 {c0}, 1 {c1}, 2 and 3 {c2}.
InterestFilter three_categories() { return InterestFilter({0, 1, 2, 2}, 3, 2); }

TEST(InterestFilter, OneStepIsBayesRuleOverTheSetsThenAChange) {
  // Starting laws: first set uniform, change 0.1, uniform moves, noise 0.1, q uniform within a
  // category (item 0: 1, item 3: 1/2).
  const InterestFilter f = three_categories();
  const int32_t items[] = {0};
  const int64_t gaps[] = {0};
  std::vector<float> p(4);
  f.predict(items, gaps, 1, p.data());
  // Item 0 under a set holding c0: 0.9 * 1 / 2 + 0.1 / 4 = 0.475; under {1,2}: 0.025.
  const double a = 0.475 / 0.975, b = 0.025 / 0.975;  // posterior of {0,1} (= {0,2}), {1,2}
  // A change drops one member (1/2) and adds the only category left (1): each set receives
  // half of each other set's mass.
  const double p01 = 0.9 * a + 0.05 * a + 0.05 * b, p02 = p01;
  const double p12 = 0.9 * b + 0.05 * a + 0.05 * a;
  const double c0 = (p01 + p02) / 2, c1 = (p01 + p12) / 2, c2 = (p02 + p12) / 2;
  EXPECT_NEAR(p[0], 0.9 * c0 * 1.0 + 0.025, 1e-6);
  EXPECT_NEAR(p[1], 0.9 * c1 * 1.0 + 0.025, 1e-6);
  EXPECT_NEAR(p[3], 0.9 * c2 * 0.5 + 0.025, 1e-6);
  EXPECT_NEAR(p[0] + p[1] + p[2] + p[3], 1.0, 1e-6);
  // An empty history is the first set's prediction: every category 1/3.
  f.predict(items, gaps, 0, p.data());
  EXPECT_NEAR(p[2], 0.9 / 3 * 0.5 + 0.025, 1e-6);
}

TEST(InterestFilter, RefusesSetsItCannotTrack) {
  EXPECT_THROW(InterestFilter({0, 1}, 2, 2), UserError);
  EXPECT_THROW(InterestFilter({0, 1}, 2, 0), UserError);
  EXPECT_THROW(InterestFilter(std::vector<int32_t>(10, 0), 600, 3), UserError);
}

// Every user's sequence but its last item, with the gaps the filter reads.
std::vector<InterestFilter::Sequence> prefixes(const Interactions& d) {
  std::vector<InterestFilter::Sequence> out(static_cast<size_t>(d.n_users));
  for (int64_t u = 0; u < d.n_users; ++u) {
    for (int64_t r = d.user_offsets[u]; r + 1 < d.user_offsets[u + 1]; ++r) {
      out[u].items.push_back(d.item[r]);
      out[u].gaps_after.push_back(gap_bucket(d.time[r + 1] - d.time[r]));
    }
  }
  return out;
}

std::vector<int32_t> categories_of(const Interactions& d) {
  std::vector<int32_t> out(static_cast<size_t>(d.n_items));
  for (int64_t i = 0; i < d.n_items; ++i) out[i] = d.category_ids[d.category_offsets[i]];
  return out;
}

TEST(InterestFilter, BaumWelchRecoversThePlantedLawsAndApproachesTheOracle) {
  SyntheticOptions o;
  o.users = 400;
  o.items = 120;
  o.categories = 8;
  o.graph_degree = 1;
  o.active_interests = 2;
  o.min_length = 20;
  o.max_length = 40;
  o.shift_rate = 0.1;
  o.noise = 0.05;
  o.seed = 11;
  const SyntheticData data = generate_synthetic(o);
  const Interactions& d = data.interactions;
  const auto sequences = prefixes(d);

  InterestFilter fitted(categories_of(d), o.categories, 2);
  const InterestFilter unfitted = fitted;
  const std::vector<double> ll = fitted.fit(sequences, 15);
  ASSERT_EQ(ll.size(), 15u);
  for (size_t i = 1; i < ll.size(); ++i) EXPECT_GE(ll[i], ll[i - 1] - 1e-6 * std::abs(ll[0]));
  EXPECT_GT(ll.back(), ll.front());

  // Changes come with longer gaps (5x the mean of 3600 s): P(change | 500 s) is about 0.02,
  // P(change | 40,000 s) about 0.99.
  EXPECT_LT(fitted.change_probability(gap_bucket(500)), 0.06);
  EXPECT_GT(fitted.change_probability(gap_bucket(40000)), 0.7);
  EXPECT_NEAR(fitted.noise(), 0.05, 0.03);
  // Where a dropped interest goes: the shift graph's one edge per category (followed 90% of
  // the time) is the fitted move's likeliest target.
  int recovered = 0;
  for (int32_t c = 0; c < o.categories; ++c) {
    int32_t best = -1;
    for (int32_t n = 0; n < o.categories; ++n) {
      if (best < 0 || fitted.move_probability(c, n) > fitted.move_probability(c, best)) best = n;
    }
    recovered += best == data.graph_targets[c] ? 1 : 0;
  }
  EXPECT_GE(recovered, 7);

  // The last item of every user, predicted from the rest: the fitted filter is close to the
  // filtering oracle that knows the generator's laws, much closer than the starting laws.
  const SyntheticOracle oracle(data, o);
  double fitted_distance = 0.0, unfitted_distance = 0.0;
  std::vector<float> p(static_cast<size_t>(d.n_items)), q(p.size());
  for (int64_t u = 0; u < d.n_users; ++u) {
    const auto& s = sequences[u];
    const int64_t n = static_cast<int64_t>(s.items.size());
    std::vector<int64_t> gaps = s.gaps_after;  // the last: the gap to the predicted item
    fitted.predict(s.items.data(), gaps.data(), n, p.data());
    unfitted.predict(s.items.data(), gaps.data(), n, q.data());
    const auto truth =
        oracle.next_item_probabilities(d.user_offsets[u + 1] - 1, OracleKnowledge::kFilterGapGraph);
    for (int64_t i = 0; i < d.n_items; ++i) {
      fitted_distance += std::abs(p[i] - truth[i]) / 2;
      unfitted_distance += std::abs(q[i] - truth[i]) / 2;
    }
  }
  fitted_distance /= static_cast<double>(d.n_users);
  unfitted_distance /= static_cast<double>(d.n_users);
  EXPECT_LT(fitted_distance, 0.08);
  EXPECT_GT(unfitted_distance, 2 * fitted_distance);
}

TEST(InterestFilter, FitsTheSameLawsOnAnyNumberOfThreadsAndEveryTime) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const auto sequences = prefixes(data.interactions);
  const int threads = at::get_num_threads();
  auto fitted = [&](int n) {
    at::set_num_threads(n);
    InterestFilter f(categories_of(data.interactions), data.interactions.n_categories, 2);
    const auto ll = f.fit(sequences, 4);
    return std::make_pair(f, ll);
  };
  const auto [one, ll_one] = fitted(1);
  const auto [three, ll_three] = fitted(3);
  at::set_num_threads(threads);
  EXPECT_EQ(ll_one, ll_three);  // bit for bit
  // A second fit starts again from the starting laws (a run loaded and refitted agrees).
  InterestFilter again = one;
  EXPECT_EQ(again.fit(sequences, 4), ll_one);
  EXPECT_EQ(one.noise(), three.noise());
  for (int64_t b = 0; b < kGapBuckets; ++b)
    EXPECT_EQ(one.change_probability(b), three.change_probability(b));
  for (int32_t d = 0; d < data.interactions.n_categories; ++d)
    for (int32_t n = 0; n < data.interactions.n_categories; ++n)
      EXPECT_EQ(one.move_probability(d, n), three.move_probability(d, n));
}

TEST(InterestFilter, RestoredLawsPredictAsTheFittedOnesAndOtherSizesAreRefused) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const auto sequences = prefixes(data.interactions);
  const auto categories = categories_of(data.interactions);
  InterestFilter fitted(categories, data.interactions.n_categories, 2);
  fitted.fit(sequences, 3);
  InterestFilter restored(categories, data.interactions.n_categories, 2);
  restored.set_laws(fitted.laws());
  const int64_t n = data.interactions.n_items;
  std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
  for (const auto& s : sequences) {
    const int64_t length = std::min<int64_t>(6, static_cast<int64_t>(s.items.size()));
    fitted.predict(s.items.data(), s.gaps_after.data(), length, a.data());
    restored.predict(s.items.data(), s.gaps_after.data(), length, b.data());
    ASSERT_EQ(a, b);  // bit for bit: the moves are derived again from the same weights
  }
  // Laws of another number of active interests (other sets) do not fit this filter.
  InterestFilter one_active(categories, data.interactions.n_categories, 1);
  try {
    one_active.set_laws(fitted.laws());
    FAIL() << "laws over 2-category sets were taken by a filter of single categories";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("initial"), std::string::npos) << e.what();
  }
  // A damaged law (NaN where a probability belongs) is refused, naming it.
  InterestFilter::Laws damaged = fitted.laws();
  damaged.change[3] = std::nan("");
  try {
    restored.set_laws(damaged);
    FAIL() << "a NaN change probability was taken";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("change"), std::string::npos) << e.what();
  }
}

TEST(InterestFilterHead, MixZeroKeepsTheModelsScoresAndMixOneRanksByTheFilter) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  auto build = [&](double mix) {
    at::manual_seed(3);
    auto model = testing::model_from_toml(
        "[model]\nsequence = \"sasrec\"\nheads = [\"interest_filter\"]\nd = 4\n"
        "[model.sasrec]\nmax_length = 8\nheads = 1\ntime_gaps = true\n"
        "[model.interest_filter]\niterations = 3\nmix = " +
            std::to_string(mix) + "\n",
        data.interactions);
    model->fit_statistics(split);
    model->eval();
    return model;
  };
  std::vector<int64_t> begin, length;
  for (int u = 0; u < 4; ++u) {
    begin.push_back(split.offsets[u]);
    length.push_back(split.train_length[u]);
  }
  const ModelInput input{pack_histories(split.items, begin, length, 8),
                         split_gap_buckets(split, begin, length, 8), at::Tensor()};
  auto plain = build(0.0), filtered = build(1.0), half = build(0.5);
  const auto last = plain->encode(input).select(1, -1);
  EXPECT_TRUE(at::equal(plain->score_next(input, last), plain->score_all(last)));
  // mix 1: log-probabilities of the filter (a distribution, not the model's scores); mix 0.5:
  // the average of the two distributions.
  const auto p_filter = filtered->score_next(input, last).exp();
  EXPECT_TRUE(at::allclose(p_filter.sum(1), at::ones({4}), 1e-4, 1e-4));
  const auto p_model = at::softmax(plain->score_all(last), 1);
  EXPECT_TRUE(
      at::allclose(half->score_next(input, last).exp(), (p_model + p_filter) / 2, 1e-4, 1e-6));
  EXPECT_FALSE(at::allclose(p_filter, p_model, 1e-2, 1e-3));
}

TEST(InterestFilterHead, LearnsFromTheTrainingPrefixesOnly) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  auto ranking = [&](const Split& fitted_on) {
    auto model = testing::model_from_toml(
        "[model]\nsequence = \"sasrec\"\nheads = [\"interest_filter\"]\nd = 4\n"
        "[model.sasrec]\nmax_length = 8\nheads = 1\n[model.interest_filter]\niterations = 3\n",
        data.interactions);
    model->fit_statistics(fitted_on);
    model->eval();
    const ModelInput input{pack_histories(split.items, {0, split.offsets[1]}, {5, 5}, 8),
                           at::Tensor(), at::Tensor()};
    return model->score_next(input, model->encode(input).select(1, -1));
  };
  const auto reference = ranking(split);
  // Every valid and test target replaced: the fit must not notice.
  Split targets_changed = split;
  for (int64_t u = 0; u < split.n_users; ++u) {
    for (int64_t r = split.offsets[u] + split.train_length[u]; r < split.offsets[u + 1]; ++r)
      targets_changed.items[r] = (split.items[r] + 1) % static_cast<int32_t>(split.n_items);
  }
  EXPECT_TRUE(at::equal(ranking(targets_changed), reference));
  // One training item replaced: it does.
  Split train_changed = split;
  train_changed.items[split.offsets[2]] = (split.items[split.offsets[2]] + 1) % 30;
  EXPECT_FALSE(at::equal(ranking(train_changed), reference));
}

TEST(InterestFilterHead, TheFittedLawsTravelInTheCheckpointAndAreNotFittedAgain) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  Split train_changed = split;  // fitted on this, the filter ranks otherwise
  train_changed.items[split.offsets[2]] = (split.items[split.offsets[2]] + 1) % 30;
  const std::string toml =
      "[model]\nsequence = \"sasrec\"\nheads = [\"interest_filter\"]\nd = 4\n"
      "[model.sasrec]\nmax_length = 8\nheads = 1\n[model.interest_filter]\niterations = 3\n";
  const ModelInput input{pack_histories(split.items, {0, split.offsets[1]}, {5, 5}, 8),
                         at::Tensor(), at::Tensor()};
  auto ranking = [&](Recommender& model) {
    model.eval();
    return model.score_next(input, model.encode(input).select(1, -1));
  };
  auto fresh = [&] {
    at::manual_seed(5);
    return testing::model_from_toml(toml, data.interactions);
  };
  testing::TempDir dir;
  auto trained = fresh();
  trained->fit_statistics(split);
  const auto reference = ranking(*trained);
  save_checkpoint(*trained, dir.file("model.pt"));

  // Loaded, the run's laws are kept: fitting on other training data changes nothing.
  auto loaded = fresh();
  load_checkpoint(*loaded, dir.file("model.pt"));
  loaded->fit_statistics(train_changed);
  EXPECT_TRUE(at::equal(ranking(*loaded), reference));
  auto refitted = fresh();
  refitted->fit_statistics(train_changed);
  EXPECT_FALSE(at::equal(ranking(*refitted), reference));

  // A checkpoint without the head (a finished SASRec run, the head added): it fits its laws.
  auto plain = testing::model_from_toml(
      "[model]\nsequence = \"sasrec\"\nd = 4\n[model.sasrec]\nmax_length = 8\nheads = 1\n",
      data.interactions);
  save_checkpoint(*plain, dir.file("plain.pt"));
  auto added = fresh();
  load_checkpoint(*added, dir.file("plain.pt"));
  added->fit_statistics(train_changed);
  EXPECT_TRUE(at::equal(ranking(*added), ranking(*refitted)));
}

TEST(InterestFilterHead, TooManyCategorySetsIsAConfigErrorNamingTheKey) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  try {
    testing::model_from_toml(
        "[model]\nsequence = \"sasrec\"\nheads = [\"interest_filter\"]\nd = 4\n"
        "[model.sasrec]\nmax_length = 8\nheads = 1\n[model.interest_filter]\nactive = 5\n",
        data.interactions);
    FAIL() << "5 active interests of 5 categories were accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("active"), std::string::npos) << e.what();
  }
}

TEST(InterestFilterHead, TimeGapsOnDataWithoutTimestampsIsAConfigErrorNamingTheKey) {
  Interactions d = testing::hand_labelled();
  d.time = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3};  // each row's position: no timestamps
  ASSERT_FALSE(d.has_timestamps());
  const std::string head =
      "[model]\nsequence = \"sasrec\"\nheads = [\"interest_filter\"]\nd = 4\n"
      "[model.sasrec]\nmax_length = 8\nheads = 1\n[model.interest_filter]\n";
  EXPECT_NO_THROW(testing::model_from_toml(head, d));  // gaps off: every step in one bucket
  try {
    testing::model_from_toml(head + "time_gaps = true\n", d);
    FAIL() << "time gaps were accepted on data without timestamps";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("time_gaps"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace shiftrec
