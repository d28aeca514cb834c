// Every registered model carries its trained parameters into the same model built for grown
// data (more users and items, old indices kept): old rows unchanged, new item rows at their
// category peers' mean, and — for an ID-based sequence model — exactly the old scores for
// histories of old items.
#include "models/model_growth.h"

#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "datasets/histories.h"
#include "datasets/interaction_updates.h"
#include "datasets/split.h"
#include "models/recommender.h"
#include "tests/fixtures.h"
#include "tests/models/model_from_toml.h"

namespace shiftrec {
namespace {

// An update of `base`: a known user and two new users, two new items in base's first
// category (plus old items), all after base's last time.
Interactions update_of(const Interactions& base) {
  Interactions u;
  const int64_t start = *std::max_element(base.time.begin(), base.time.end()) + 1;
  u.user_original_ids = {base.user_original_ids.numbers()[0], 900001, 900002};
  u.item_original_ids = {base.item_original_ids.numbers()[0], 800001, 800002};
  u.n_users = 3;
  u.n_items = 3;
  const std::vector<std::pair<int32_t, int32_t>> rows = {{0, 1}, {0, 0}, {1, 2}, {1, 1},
                                                         {2, 0}, {2, 2}, {2, 1}};
  for (size_t r = 0; r < rows.size(); ++r) {
    u.user.push_back(rows[r].first);
    u.item.push_back(rows[r].second);
    u.time.push_back(start + static_cast<int64_t>(r));
  }
  u.category_names = {base.category_names.empty() ? "0" : base.category_names[0]};
  u.category_ids = {0, 0, 0};
  u.category_offsets = {0, 1, 2, 3};
  u.n_categories = 1;
  u.sort_and_index();
  return u;
}

std::shared_ptr<Recommender> build(const std::string& name, const Interactions& data,
                                   uint64_t seed) {
  at::manual_seed(seed);
  Config config = Config::from_string("", "growth.toml");
  ModelContext context;
  context.n_items = data.n_items;
  context.n_users = data.n_users;
  context.data = &data;
  return model_registry().get(name)(config.section("model"), context);
}

// The first user's training history, all old items, gets the same scores for the old items
// from the grown model as from the run's.
void expect_old_scores_kept(Recommender& old_model, Recommender& new_model,
                            const Split& old_split) {
  old_model.eval();
  new_model.eval();
  const auto histories =
      pack_histories(old_split.items, {old_split.offsets[0]}, {old_split.train_length[0]}, 8);
  const ModelInput input{histories, at::Tensor(), at::zeros({1}, at::kLong)};
  at::NoGradGuard no_grad;
  const at::Tensor old_scores = old_model.score_all(old_model.encode(input).select(1, -1));
  const at::Tensor new_scores = new_model.score_all(new_model.encode(input).select(1, -1));
  EXPECT_TRUE(at::allclose(new_scores.narrow(1, 0, old_scores.size(1)), old_scores, 1e-5, 1e-6));
}

TEST(ModelGrowth, NewItemsStartAtTheirCategoryPeersMean) {
  const SyntheticData base = generate_synthetic(testing::tiny_synthetic_options());
  const Interactions grown =
      append_interactions(base.interactions, update_of(base.interactions), "update").merged;
  const Growth g = Growth::between(base.interactions, grown);
  ASSERT_EQ(g.new_items, g.old_items + 2);
  ASSERT_EQ(g.new_users, g.old_users + 2);
  std::vector<int64_t> peers;
  for (int64_t i = 0; i < g.old_items; ++i) {
    for (int64_t k = grown.category_offsets[i]; k < grown.category_offsets[i + 1]; ++k) {
      if (grown.category_ids[k] == 0) peers.push_back(i);
    }
  }
  ASSERT_FALSE(peers.empty());
  EXPECT_EQ(g.new_item_peers[0], peers);
  EXPECT_EQ(g.new_item_peers[1], peers);

  auto old_model = build("sasrec", base.interactions, 1);
  auto new_model = build("sasrec", grown, 2);
  grow_parameters(*old_model, *new_model, g);
  const at::Tensor old_table = old_model->named_parameters()["ids.table.weight"];
  const at::Tensor new_table = new_model->named_parameters()["ids.table.weight"];
  EXPECT_TRUE(
      at::equal(new_table.narrow(0, 0, 1 + g.old_items), old_table.narrow(0, 0, 1 + g.old_items)));
  const at::Tensor expected = old_table.index_select(0, at::tensor(peers, at::kLong) + 1).mean(0);
  EXPECT_TRUE(at::allclose(new_table[1 + g.old_items], expected));
}

TEST(ModelGrowth, EveryModelGrowsAndASequenceModelScoresOldHistoriesAsBefore) {
  const SyntheticData base = generate_synthetic(testing::tiny_synthetic_options());
  const Interactions grown =
      append_interactions(base.interactions, update_of(base.interactions), "update").merged;
  const Growth g = Growth::between(base.interactions, grown);
  const Split old_split = leave_one_out(base.interactions);
  const Split new_split = leave_one_out(grown);
  for (const auto& [name, entry] : model_registry().entries()) {
    SCOPED_TRACE(name);
    auto old_model = build(name, base.interactions, 1);
    auto new_model = build(name, grown, 2);
    old_model->fit_statistics(old_split);
    new_model->fit_statistics(new_split);
    ASSERT_NO_THROW(grow_parameters(*old_model, *new_model, g));
    auto old_parameters = old_model->named_parameters();
    int grown_tables = 0;
    for (const auto& p : new_model->named_parameters()) {
      grown_tables += old_parameters[p.key()].sizes() != p.value().sizes() ? 1 : 0;
      const at::Tensor old_value = old_parameters[p.key()];
      const int64_t rows = std::min(old_value.size(0), p.value().size(0));
      if (old_value.sizes() == p.value().sizes()) {
        EXPECT_TRUE(at::equal(p.value(), old_value)) << p.key();
      } else {  // grown: the old entities' rows are where they were
        EXPECT_TRUE(at::equal(p.value().narrow(0, 0, std::min<int64_t>(rows, 1 + g.old_items)),
                              old_value.narrow(0, 0, std::min<int64_t>(rows, 1 + g.old_items))))
            << p.key();
      }
    }
    // Every model with parameters has an item (or user) table that grew.
    EXPECT_EQ(grown_tables > 0, new_model->parameters().size() > 0);
  }
  // SASRec reads only ID rows: a history of old items gets the old scores for old items.
  auto old_model = build("sasrec", base.interactions, 1);
  auto new_model = build("sasrec", grown, 2);
  grow_parameters(*old_model, *new_model, g);
  expect_old_scores_kept(*old_model, *new_model, old_split);
}

// The `categories` item encoder's table grows with the data's categories: old rows kept, a new
// category's row at zero; old histories then score old items as before.
TEST(ModelGrowth, ACategoryTableKeepsItsRowsAndANewCategoryStartsAtZero) {
  const SyntheticData base = generate_synthetic(testing::tiny_synthetic_options());
  Interactions update = update_of(base.interactions);
  update.category_names = {"a category the run never saw"};
  const Interactions grown = append_interactions(base.interactions, update, "update").merged;
  const Growth g = Growth::between(base.interactions, grown);
  ASSERT_EQ(g.new_categories, g.old_categories + 1);
  auto compose = [](const Interactions& data, uint64_t seed) {
    at::manual_seed(seed);
    return testing::model_from_toml(
        "[model]\nitem_encoder = \"categories\"\nsequence = \"sasrec\"\nd = 8\n", data);
  };
  auto old_model = compose(base.interactions, 1);
  auto new_model = compose(grown, 2);
  const std::string key = "items.category_embedding";
  {
    at::NoGradGuard no_grad;
    old_model->named_parameters()[key].normal_();  // trained rows, not the zeros they start at
  }
  grow_parameters(*old_model, *new_model, g);
  const at::Tensor old_rows = old_model->named_parameters()[key];
  const at::Tensor new_rows = new_model->named_parameters()[key];
  ASSERT_EQ(new_rows.size(0), g.new_categories);
  EXPECT_TRUE(at::equal(new_rows.narrow(0, 0, g.old_categories), old_rows));
  EXPECT_EQ(new_rows[g.old_categories].abs().sum().item<double>(), 0.0);

  const Split old_split = leave_one_out(base.interactions);
  expect_old_scores_kept(*old_model, *new_model, old_split);
}

}  // namespace
}  // namespace shiftrec
