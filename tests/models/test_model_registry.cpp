// Walks the whole model registry: every registered model must honour the contract in
// models/recommender.h on a tiny fixture, with every registered loss.
#include <gtest/gtest.h>

#include <set>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "datasets/time_gaps.h"
#include "models/recommender.h"
#include "tests/fixtures.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

TEST(ModelRegistry, ExpectedModelsAreRegistered) {
  // Guards against the linker dropping a registration file.
  for (const char* name :
       {"sasrec", "popularity", "lightgcn", "ngcf", "graph_sasrec", "fusion_sasrec",
        "session_graph_sasrec", "shift_sasrec", "gru4rec", "bert4rec"}) {
    EXPECT_TRUE(model_registry().contains(name)) << name;
  }
  for (const char* name : {"bce", "ce", "bpr", "sampled_softmax", "gbce"}) {
    EXPECT_TRUE(loss_registry().contains(name)) << name;
  }
}

TEST(ModelRegistry, EveryModelHonoursTheContract) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const int64_t n_items = data.interactions.n_items;
  std::set<std::string> timed_models;
  for (const auto& [name, entry] : model_registry().entries()) {
    for (const auto& [loss_name, loss_entry] : loss_registry().entries()) {
      // Every model as configured by default, and the time-aware variant where one exists.
      for (const bool timed : {false, true}) {
        SCOPED_TRACE("model " + name + ", loss " + loss_name + (timed ? ", time_gaps" : ""));
        at::manual_seed(3);
        Config config =
            Config::from_string(timed ? "[model]\ntime_gaps = true\n" : "", "walk.toml");
        ModelContext context;
        context.n_items = n_items;
        context.n_users = data.interactions.n_users;
        context.data = &data.interactions;
        auto model = entry.factory(config.section("model"), context);
        auto loss = loss_entry.factory(config.section("loss"));
        if (timed) {
          try {
            config.check_all_used();
          } catch (const ConfigError&) {  // the model has no time_gaps option
            continue;
          }
          EXPECT_TRUE(model->uses_time_gaps());
          timed_models.insert(name);
        } else {
          config.check_all_used();
        }
        model->fit_statistics(split);
        model->train();

        // Four users' training prefixes, left-padded.
        std::vector<int64_t> begin, length;
        for (int u = 0; u < 4; ++u) {
          begin.push_back(split.offsets[u]);
          length.push_back(split.train_length[u]);
        }
        const int64_t max_length = std::min<int64_t>(model->max_length(), 8);
        auto histories = pack_histories(split.items, begin, length, max_length);
        auto gaps = split_gap_buckets(split, begin, length, max_length);
        const int64_t batch = histories.size(0), width = histories.size(1);

        // Every model takes the same input; each reads what its parts need.
        const ModelInput input{histories, gaps, at::arange(batch, at::kLong)};
        auto states = model->encode(input);
        ASSERT_EQ(states.dim(), 3);
        EXPECT_EQ(states.size(0), batch);
        EXPECT_EQ(states.size(1), width);
        at::Tensor last = states.select(1, -1), extra;
        if (auto shift = model->shift_score()) {
          auto p = (*shift)(input, last);
          EXPECT_EQ(p.sizes(), (std::vector<int64_t>{batch}));
          EXPECT_TRUE(p.ge(0).all().item<bool>() && p.le(1).all().item<bool>());
        }
        // Next tokens as targets: what the trainer hands auxiliary_loss.
        auto next =
            at::cat({histories.narrow(1, 1, width - 1), at::zeros({batch, 1}, at::kLong)}, 1);
        auto auxiliary = model->auxiliary_loss(input, states, next);
        // A shift head is trained jointly, so a shift score comes with a loss (a loss may
        // come without one: the shift_weight head).
        if (model->shift_score().has_value()) EXPECT_TRUE(auxiliary.defined());
        if (auxiliary.defined()) extra = auxiliary;
        auto all_scores = model->score_all(last);
        EXPECT_EQ(all_scores.sizes(), (std::vector<int64_t>{batch, n_items}));
        auto candidates = at::randint(0, n_items, {batch, 5}, at::kLong);
        auto candidate_scores = model->score_candidates(last, candidates);
        EXPECT_EQ(candidate_scores.sizes(), (std::vector<int64_t>{batch, 5}));
        // Candidate scores agree with the full score matrix.
        EXPECT_TRUE(at::allclose(candidate_scores, all_scores.gather(1, candidates), 1e-4, 1e-5));

        auto targets = at::randint(0, n_items, {batch}, at::kLong);
        auto value = loss->compute(*model, last, targets);
        if (extra.defined()) value = value + extra;
        EXPECT_EQ(value.dim(), 0);
        EXPECT_TRUE(std::isfinite(value.item<double>()));
        if (value.requires_grad()) value.backward();
        for (const auto& p : model->named_parameters()) {
          if (!p.value().requires_grad()) continue;
          ASSERT_TRUE(p.value().grad().defined()) << p.key() << " got no gradient";
          EXPECT_TRUE(at::isfinite(p.value().grad()).all().item<bool>()) << p.key();
          EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0)
              << p.key() << " got an all-zero gradient";
        }
      }
    }
  }
  // SASRec, its four hybrids and the category composition read time gaps.
  EXPECT_EQ(timed_models, (std::set<std::string>{"sasrec", "graph_sasrec", "fusion_sasrec",
                                                 "session_graph_sasrec", "shift_sasrec",
                                                 "category_shift_sasrec"}));
}

TEST(ModelRegistry, UnknownModelListsKnownOnes) {
  try {
    model_registry().get("sasrek");
    FAIL();
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("did you mean \"sasrec\""), std::string::npos) << message;
    EXPECT_NE(message.find("popularity"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace shiftrec
