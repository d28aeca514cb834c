// The GNN encoders against their dense formulas, and the hybrids' ablation contract.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/config.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "datasets/time_gaps.h"
#include "graph/bipartite_graph.h"
#include "graph/neighbour_sampling.h"
#include "models/ngcf_layers.h"
#include "models/propagation.h"
#include "models/recommender.h"
#include "models/shift_head.h"
#include "tests/datasets/hand_labelled.h"
#include "tests/fixtures.h"
#include "tests/models/model_from_toml.h"
#include "train/loss.h"

namespace shiftrec {
namespace {

std::shared_ptr<Recommender> build(const std::string& toml, const Interactions& data) {
  return testing::model_from_toml(toml, data);
}

// The states of users by id (general CF): [B] -> [B, D].
at::Tensor user_states(Recommender& model, const at::Tensor& users) {
  return model.encode(ModelInput{at::Tensor(), at::Tensor(), users}).select(1, -1);
}

// The items' ID rows of a model's parameters: [n_items, d].
at::Tensor item_ids(torch::OrderedDict<std::string, at::Tensor>& params) {
  const auto& table = params["ids.table.weight"];
  return table.narrow(0, 1, table.size(0) - 1);
}

ModelInput sequence_input(const at::Tensor& histories, const at::Tensor& gaps = at::Tensor()) {
  return ModelInput{histories, gaps, at::Tensor()};
}

TEST(LightPropagation, EqualsTheDenseFormulaOnATinyGraph) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const SparseMatrix sparse(normalized_adjacency(build_bipartite_graph(split)), c10::kCPU);
  const at::Tensor dense = sparse.coo().to_dense().to(at::kDouble);
  at::manual_seed(1);
  const at::Tensor e = at::randn({dense.size(0), 6}, at::kDouble);
  // (E + A E + A^2 E + A^3 E) / 4
  const at::Tensor expected =
      (e + dense.mm(e) + dense.mm(dense.mm(e)) + dense.mm(dense.mm(dense.mm(e)))) / 4.0;
  EXPECT_TRUE(at::allclose(light_propagate(sparse, e.to(at::kFloat), 3).to(at::kDouble), expected,
                           1e-5, 1e-6));
  EXPECT_TRUE(light_propagate(sparse, e, 0).is_same(e));

  // The LightGCN model's user states are the same formula over its own parameters.
  auto model = build("[model]\nname = \"lightgcn\"\nd = 6\nlayers = 3\n", data.interactions);
  model->fit_statistics(split);
  model->eval();
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  const at::Tensor nodes =
      at::cat({params["items.user_embedding.weight"], item_ids(params)}, 0).to(at::kDouble);
  const at::Tensor formula =
      (nodes + dense.mm(nodes) + dense.mm(dense.mm(nodes)) + dense.mm(dense.mm(dense.mm(nodes)))) /
      4.0;
  const int64_t users = data.interactions.n_users;
  EXPECT_TRUE(at::allclose(user_states(*model, at::arange(users, at::kLong)).to(at::kDouble),
                           formula.narrow(0, 0, users), 1e-5, 1e-6));
  EXPECT_TRUE(at::allclose(model->item_embeddings().to(at::kDouble),
                           formula.narrow(0, users, data.interactions.n_items), 1e-5, 1e-6));
  // Evaluation reuses one propagation across batches, but never past a parameter write
  // (a restored best state is an in-place copy).
  params["items.user_embedding.weight"].mul_(2.0);
  const at::Tensor doubled =
      at::cat({params["items.user_embedding.weight"], item_ids(params)}, 0).to(at::kDouble);
  const at::Tensor again = (doubled + dense.mm(doubled) + dense.mm(dense.mm(doubled)) +
                            dense.mm(dense.mm(dense.mm(doubled)))) /
                           4.0;
  EXPECT_TRUE(at::allclose(user_states(*model, at::arange(users, at::kLong)).to(at::kDouble),
                           again.narrow(0, 0, users), 1e-5, 1e-6));
}

// Over a sampled subgraph LightGCN computes each layer only where the next one reads it; at
// the seeds that is the whole subgraph's propagation, value and gradient, with fewer layers
// than hops, as many, and more — also when the embeddings lie in another row order.
TEST(LightPropagation, SampledLayersAtTheNearerHopsEqualTheWholeSubgraphsAtTheSeeds) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const BipartiteGraph graph = build_bipartite_graph(leave_one_out(data.interactions));
  const std::vector<int32_t> seeds = {0, 2, static_cast<int32_t>(graph.item_node(5))};
  const SampledSubgraph sub = sample_subgraph(graph, seeds, {4, 3, 3}, 9);
  const SparseMatrix whole(sub.adjacency, c10::kCPU);
  at::manual_seed(3);
  const auto n = static_cast<int64_t>(sub.nodes.size());
  const at::Tensor weights = at::randn({3, 5});
  for (int64_t layers : {0, 2, 3, 4}) {
    SCOPED_TRACE(layers);
    const at::Tensor x = at::randn({n, 5}).requires_grad_(true);
    const at::Tensor y = x.detach().clone().requires_grad_(true);
    const at::Tensor cut = light_propagate_sampled(sub, x, layers, c10::kCPU);
    const at::Tensor full = light_propagate(whole, y, layers).narrow(0, 0, 3);
    EXPECT_TRUE(at::equal(cut, full));
    (cut * weights).sum().backward();
    (full * weights).sum().backward();
    EXPECT_TRUE(at::allclose(x.grad(), y.grad(), 1e-6, 1e-7));
    // The same embeddings stored in another row order (reversed), read where they lie.
    std::vector<int64_t> rows(n);
    for (int64_t i = 0; i < n; ++i) rows[i] = n - 1 - i;
    const at::Tensor z = x.detach().flip(0).clone().requires_grad_(true);
    const at::Tensor read_in_place = light_propagate_sampled(sub, z, layers, c10::kCPU, rows);
    EXPECT_TRUE(at::equal(read_in_place, full));
    (read_in_place * weights).sum().backward();
    EXPECT_TRUE(at::allclose(z.grad().flip(0), y.grad(), 1e-6, 1e-7));
  }
}

// NGCF's layers over the sparse product against the paper's formula with dense matrices:
//   E_k = LeakyReLU((A E + E) W1 + b1 + (A E ⊙ E) W2 + b2, 0.2), output [E_0, E_k / |E_k|].
TEST(NgcfPropagation, EqualsTheDenseFormulaOnATinyGraph) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const SparseMatrix sparse(normalized_adjacency(build_bipartite_graph(split)), c10::kCPU);
  const at::Tensor dense = sparse.coo().to_dense().to(at::kDouble);
  at::manual_seed(2);
  NgcfLayers layers(5, 2, 0.0);
  layers->eval();
  const at::Tensor e = at::randn({dense.size(0), 5});
  torch::NoGradGuard no_grad;
  const at::Tensor got = layers->forward(sparse, e).to(at::kDouble);
  auto params = layers->named_parameters();
  const auto param = [&](const std::string& name) { return params[name].to(at::kDouble); };
  at::Tensor layer = e.to(at::kDouble);
  std::vector<at::Tensor> outputs{layer};
  for (int k = 0; k < 2; ++k) {
    const std::string i = std::to_string(k);
    const at::Tensor side = dense.mm(layer);
    const at::Tensor summed = (side + layer).mm(param("sum_weights." + i + ".weight").t()) +
                              param("sum_weights." + i + ".bias");
    const at::Tensor product = (side * layer).mm(param("product_weights." + i + ".weight").t()) +
                               param("product_weights." + i + ".bias");
    layer = at::leaky_relu(summed + product, 0.2);
    outputs.push_back(layer / layer.norm(2, {1}, true).clamp_min(1e-12));
  }
  const at::Tensor expected = at::cat(outputs, 1);
  ASSERT_EQ(got.sizes(), expected.sizes());
  EXPECT_TRUE(at::allclose(got, expected, 1e-5, 1e-6));
}

// A hybrid's item table (one graph propagation) serves every evaluation batch, but never
// past a parameter write or a new graph.
TEST(GraphHybrids, EvaluationReusesTheItemTableUntilAParameterOrTheGraphChanges) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  at::manual_seed(6);
  auto model =
      build("[model]\nname = \"graph_sasrec\"\nd = 8\nmax_length = 12\n", data.interactions);
  model->fit_statistics(split);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto histories = pack_histories(split.items, {split.offsets[0], split.offsets[1]},
                                        {split.train_length[0], split.train_length[1]}, 12);
  const auto first = model->item_embeddings().clone();
  // The graph's user embeddings only reach the items through propagation: a write to them
  // must show in the next table.
  auto users = model->named_parameters()["items.user_embedding.weight"];
  users.mul_(3.0);
  model->encode(sequence_input(histories));
  const auto after_write = model->item_embeddings().clone();
  EXPECT_FALSE(at::allclose(after_write, first));
  users.div_(3.0);
  EXPECT_TRUE(at::allclose(model->item_embeddings(), first, 1e-5, 1e-6));
  // A graph of fewer training interactions: a different propagation.
  Split shorter = split;
  for (auto& l : shorter.train_length) l = std::max<int64_t>(1, l - 3);
  model->fit_statistics(shorter);
  EXPECT_FALSE(at::allclose(model->item_embeddings(), first));
}

// With zero graph layers and fusion off, every hybrid is SASRec: same parameters from the
// same seed, same states, same loss and the same update.
TEST(GraphHybrids, ZeroLayersWithoutFusionComputeExactlySASRec) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  std::vector<int64_t> begin, length;
  for (int u = 0; u < 6; ++u) {
    begin.push_back(split.offsets[u]);
    length.push_back(split.train_length[u]);
  }
  const at::Tensor histories = pack_histories(split.items, begin, length, 8);
  const at::Tensor targets = at::randint(0, data.interactions.n_items, {6}, at::kLong);
  const std::string common = "d = 16\nblocks = 2\nheads = 2\ndropout = 0.3\nmax_length = 8\n";
  Config loss_config = Config::from_string("", "loss.toml");
  auto loss = loss_registry().get("ce")(loss_config.section("loss"));

  const auto step = [&](const std::string& toml) {
    at::manual_seed(11);
    auto model = build(toml, data.interactions);
    model->fit_statistics(split);
    model->train();
    at::manual_seed(12);  // dropout masks
    auto value =
        loss->compute(*model, model->encode(sequence_input(histories)).select(1, -1), targets);
    value.backward();
    std::vector<at::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(value.item<double>(), grads);
  };
  const auto [reference_loss, reference_grads] = step("[model]\nname = \"sasrec\"\n" + common);
  for (const std::string name : {"graph_sasrec", "fusion_sasrec", "session_graph_sasrec",
                                 "graph_sasrec\"\nencoder = \"ngcf"}) {
    SCOPED_TRACE(name);
    const auto [value, grads] =
        step("[model]\nname = \"" + name + "\"\n" + common + "graph_layers = 0\nfusion = false\n");
    EXPECT_EQ(value, reference_loss);
    ASSERT_EQ(grads.size(), reference_grads.size()) << "no extra parameter may exist";
    for (size_t i = 0; i < grads.size(); ++i)
      EXPECT_TRUE(at::equal(grads[i], reference_grads[i])) << i;
  }
  // With layers the hybrid computes something else (and the graph parameters learn).
  const auto [graph_loss, graph_grads] =
      step("[model]\nname = \"graph_sasrec\"\n" + common + "graph_layers = 2\n");
  EXPECT_NE(graph_loss, reference_loss);
  EXPECT_GT(graph_grads.back().abs().sum().item<double>(), 0.0);  // user embeddings
  // The NGCF encoder, over either graph: its layers and projection learn too.
  for (const char* graph : {"bipartite", "transition"}) {
    SCOPED_TRACE(graph);
    const auto [ngcf_loss, ngcf_grads] =
        step("[model]\nname = \"graph_sasrec\"\n" + common +
             "graph_layers = 2\nencoder = \"ngcf\"\n" + "graph = \"" + graph + "\"\n");
    EXPECT_TRUE(std::isfinite(ngcf_loss));
    EXPECT_NE(ngcf_loss, graph_loss);
    // SASRec's parameters, [user embeddings,] 2 layers x 2 linear (weight, bias), projection.
    const size_t extra = (std::string(graph) == "bipartite" ? 1 : 0) + 8 + 2;
    ASSERT_EQ(ngcf_grads.size(), reference_grads.size() + extra);
    for (size_t i = reference_grads.size(); i < ngcf_grads.size(); ++i) {
      EXPECT_GT(ngcf_grads[i].abs().sum().item<double>(), 0.0) << "parameter " << i;
    }
  }
}

// Neighbour-sampled training: with fanouts covering every degree it computes exactly the
// full propagation (users and scored items); with small ones it still trains, and
// evaluation stays on the whole graph.
TEST(GraphCollaborative, SampledTrainingMatchesFullPropagationWhenFanoutsCoverEveryDegree) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const auto users = at::tensor({3, 0, 3, 7}, at::kLong);  // a repeat on purpose
  const auto candidates = at::tensor({1, 2, 2, 5, 0, 9, 1, 4}, at::kLong).view({4, 2});
  for (const char* body : {"name = \"lightgcn\"\nlayers = 2\n",
                           "name = \"ngcf\"\nlayers = 2\nmessage_dropout = 0.0\n"}) {
    SCOPED_TRACE(body);
    at::manual_seed(4);
    auto full = build(std::string("[model]\nd = 6\n") + body, data.interactions);
    at::manual_seed(4);
    auto sampled = build(std::string("[model]\nd = 6\nsampled_fanouts = [1000, 1000]\n") + body,
                         data.interactions);
    full->fit_statistics(split);
    sampled->fit_statistics(split);
    full->train();
    sampled->train();
    const auto expected_users = user_states(*full, users);
    const auto got_users = user_states(*sampled, users);
    EXPECT_TRUE(at::allclose(got_users, expected_users, 1e-5, 1e-6));
    EXPECT_TRUE(at::allclose(sampled->score_candidates(got_users, candidates),
                             full->score_candidates(expected_users, candidates), 1e-5, 1e-6));
  }
  // Small fanouts: a different (sampled) propagation that still trains every embedding it
  // touches; in evaluation the model is back on the whole graph.
  at::manual_seed(4);
  auto full = build("[model]\nname = \"lightgcn\"\nd = 6\nlayers = 2\n", data.interactions);
  at::manual_seed(4);
  auto sampled =
      build("[model]\nname = \"lightgcn\"\nd = 6\nlayers = 2\nsampled_fanouts = [1, 1]\n",
            data.interactions);
  full->fit_statistics(split);
  sampled->fit_statistics(split);
  sampled->train();
  auto states = user_states(*sampled, users);
  EXPECT_FALSE(at::allclose(states, user_states(*full, users)));
  auto scores = sampled->score_candidates(states, candidates);
  scores.sum().backward();
  for (const auto& p : sampled->parameters()) EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  full->eval();
  sampled->eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(at::allclose(user_states(*sampled, users), user_states(*full, users), 1e-6, 1e-7));
}

// sparse_gradients: the same sampled batch (same seed) gives the ID tables the same gradient,
// kept as rows: only the rows the subgraphs read, the rest of the tables untouched.
TEST(GraphCollaborative, SparseGradientsAreTheDenseGradientsRowsOnly) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const auto users = at::tensor({3, 0, 3}, at::kLong);
  const auto candidates = at::tensor({1, 2, 2, 5, 0, 9}, at::kLong).view({3, 2});
  const std::string body =
      "[model]\nname = \"lightgcn\"\nd = 6\nlayers = 2\nsampled_fanouts = [2, 1]\n"
      "embedding_l2 = 0.1\n";
  std::vector<std::vector<at::Tensor>> grads;
  for (const char* sparse : {"false", "true"}) {
    at::manual_seed(4);
    auto model = build(body + "sparse_gradients = " + sparse + "\n", data.interactions);
    model->fit_statistics(split);
    model->train();
    at::manual_seed(9);  // the same subgraphs drawn on both sides
    auto loss = model->score_candidates(user_states(*model, users), candidates).sum();
    if (auto penalty = model->batch_penalty(); penalty.defined()) loss = loss + penalty;
    loss.backward();
    grads.emplace_back();
    for (const auto& p : model->parameters()) grads.back().push_back(p.grad());
  }
  ASSERT_EQ(grads[0].size(), grads[1].size());
  int64_t sparse_tables = 0;
  for (size_t i = 0; i < grads[0].size(); ++i) {
    const at::Tensor& dense = grads[0][i];
    const at::Tensor& rows = grads[1][i];
    ASSERT_TRUE(rows.is_sparse());
    ++sparse_tables;
    EXPECT_TRUE(at::allclose(rows.to_dense(), dense, 1e-6, 1e-7)) << i;
    // The rows held are the rows with a gradient, and fewer than the table's.
    const auto held = rows.coalesce()._indices().select(0, 0);  // coalesced: each row once
    const auto nonzero_rows = dense.abs().sum(1).gt(0).nonzero().reshape({-1});
    EXPECT_LT(held.numel(), dense.size(0)) << i;
    EXPECT_TRUE(at::equal(at::isin(nonzero_rows, held), at::ones_like(nonzero_rows, at::kBool)))
        << i;
  }
  EXPECT_EQ(sparse_tables, 2);  // users and items
  // Without neighbour sampling there are no rows to keep: a located config error.
  try {
    build("[model]\nname = \"lightgcn\"\nsparse_gradients = true\n", data.interactions);
    FAIL() << "sparse_gradients without sampled_fanouts was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("sparse_gradients"), std::string::npos) << e.what();
  }
}

// In training LightGCN computes a batch's user and candidate rows from the propagation's
// prefix plus their own last layer (models/propagation.h); evaluation propagates the whole
// graph. Same scores, same gradients.
TEST(GraphCollaborative, TrainingBatchRowsEqualTheWholePropagationInValueAndGradient) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const auto users = at::tensor({3, 0, 3, 7}, at::kLong);
  const auto candidates = at::tensor({1, 2, 2, 5, 0, 9, 1, 4}, at::kLong).view({4, 2});
  at::manual_seed(11);
  auto model = build("[model]\nname = \"lightgcn\"\nd = 64\nlayers = 3\n", data.interactions);
  model->fit_statistics(split);
  const auto weights = at::randn({4, 2});
  const auto run = [&](bool training) {
    training ? model->train() : model->eval();
    model->zero_grad();
    const auto scores = model->score_candidates(user_states(*model, users), candidates);
    (scores * weights).sum().backward();
    std::vector<at::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(scores.detach(), grads);
  };
  const auto [batch_scores, batch_grads] = run(true);
  const auto [whole_scores, whole_grads] = run(false);
  EXPECT_TRUE(at::allclose(batch_scores, whole_scores, 1e-5, 1e-6));
  ASSERT_EQ(batch_grads.size(), whole_grads.size());
  for (size_t i = 0; i < batch_grads.size(); ++i) {
    EXPECT_TRUE(at::allclose(batch_grads[i], whole_grads[i], 1e-5, 1e-6)) << "parameter " << i;
    EXPECT_GT(batch_grads[i].abs().sum().item<float>(), 0.0f);
  }
  // A second training batch starts a new prefix (the first one's graph was freed by its
  // backward pass: reusing it would throw).
  EXPECT_NO_THROW(run(true));
}

TEST(GraphCollaborative, EmbeddingL2IsTheBatchsIdEmbeddingNormOverTheBatchSize) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  auto model = build("[model]\nname = \"lightgcn\"\nd = 6\nlayers = 2\nembedding_l2 = 0.5\n",
                     data.interactions);
  model->fit_statistics(split);
  at::Tensor user_weight, item_weight;
  for (const auto& p : model->named_parameters()) {
    if (p.key() == "items.user_embedding.weight") user_weight = p.value();
    if (p.key() == "ids.table.weight") item_weight = p.value();
  }
  {
    torch::NoGradGuard no_grad;
    user_weight.fill_(1.0);  // every user row: squared norm 6
    item_weight.fill_(2.0);  // every item row: squared norm 24
  }
  const auto users = at::tensor({3, 0, 3, 7}, at::kLong);                                // B = 4
  const auto candidates = at::tensor({1, 2, 2, 5, 0, 9, 1, 4}, at::kLong).view({4, 2});  // 8
  model->train();
  model->score_candidates(user_states(*model, users), candidates);
  auto penalty = model->batch_penalty();
  ASSERT_TRUE(penalty.defined());
  // 0.5 / 2 * (4 * 6 + 8 * 24) / 4 = 13.5; a repeated user or item counts each time.
  EXPECT_FLOAT_EQ(penalty.item<float>(), 13.5f);
  penalty.backward();
  // d/de_u3 = 0.5 * 2 (twice in the batch) * e / 4 = 0.25 per coordinate; user 1 not read.
  EXPECT_FLOAT_EQ(user_weight.grad()[3][0].item<float>(), 0.25f);
  EXPECT_FLOAT_EQ(user_weight.grad()[1][0].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(item_weight.grad()[2][0].item<float>(), 0.5f * 2 * 2.0f / 4);
  EXPECT_FALSE(model->batch_penalty().defined());  // each batch's reads are counted once
  model->eval();
  model->score_candidates(user_states(*model, users), candidates);
  EXPECT_FALSE(model->batch_penalty().defined());  // evaluation is never penalised
  auto plain = build("[model]\nname = \"lightgcn\"\nd = 6\nlayers = 2\n", data.interactions);
  plain->fit_statistics(split);
  plain->train();
  plain->score_candidates(user_states(*plain, users), candidates);
  EXPECT_FALSE(plain->batch_penalty().defined());  // default 0: no penalty
}

TEST(ShiftHead, LabelsOfTrainingPositionsByHand) {
  // Categories A, B, C, ROOT (ignored); items i0 {A}, i1 {B}, i2 {C}, i3 {A, C}, i4 {ROOT}.
  const Interactions d = testing::hand_labelled();
  ShiftHead head(4, d);
  // User 0: i0 i1 i2 i1 i0 -> next i1 i2 i1 i0 i4; user 1 (left-padded): i0 i1 i3 -> i1 i3 i2.
  const auto histories = at::tensor({1, 2, 3, 2, 1, /**/ 0, 0, 1, 2, 4}, at::kLong).view({2, 5});
  const auto targets = at::tensor({2, 3, 2, 1, 5, /**/ 0, 0, 2, 4, 3}, at::kLong).view({2, 5});
  // Row 0: B new (shift), C new (shift), repeat, repeat, no category.
  // Row 1: padding, padding, B new after A (shift), i3 {A, C} shares A, i2 {C} shares C.
  const auto labels = head->labels(histories, targets);
  EXPECT_TRUE(at::equal(
      labels, at::tensor({1.f, 1.f, 0.f, 0.f, 0.f, 0.f, 0.f, 1.f, 0.f, 0.f}).view({2, 5})));
  auto states = at::randn({2, 5, 4});
  states.set_requires_grad(true);
  auto loss = head->loss(head->labels(histories, targets), {}, states, targets);
  loss.backward();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  EXPECT_GT(states.grad().abs().sum().item<double>(), 0.0);
  EXPECT_EQ(states.grad()[1][0].abs().sum().item<double>(), 0.0);  // padding: no supervision
}

TEST(ShiftWeightHead, LossIsTheMeanCrossEntropyWithShiftPositionsWeighted) {
  const Interactions d = testing::hand_labelled();
  at::manual_seed(5);
  auto model = build(
      "[model]\nitem_encoder = \"id\"\nsequence = \"sasrec\"\nheads = [\"shift_weight\"]\n"
      "d = 4\n[model.sasrec]\nmax_length = 5\nheads = 1\n[model.shift_weight]\nweight = 3.0\n",
      d);
  // The histories of ShiftHead.LabelsOfTrainingPositionsByHand: SHIFT at (0, 0), (0, 1), (1, 2).
  const auto histories = at::tensor({1, 2, 3, 2, 1, /**/ 0, 0, 1, 2, 4}, at::kLong).view({2, 5});
  const auto targets = at::tensor({2, 3, 2, 1, 5, /**/ 0, 0, 2, 4, 3}, at::kLong).view({2, 5});
  const auto weights =
      at::tensor({3., 3., 1., 1., 1., /**/ 0., 0., 3., 1., 1.}, at::kDouble).view({2, 5});
  auto states = model->encode(sequence_input(histories));
  const auto supervised = targets.ne(0);
  auto per_position = at::cross_entropy_loss(model->score_all(states.index({supervised})),
                                             targets.index({supervised}) - 1, {},
                                             at::Reduction::None)
                          .to(at::kDouble);  // [8]
  const double expected = (per_position * weights.index({supervised})).sum().item<double>() / 8.0;
  const double plain = per_position.mean().item<double>();
  auto extra = model->auxiliary_loss(sequence_input(histories), states, targets);
  ASSERT_TRUE(extra.defined());
  EXPECT_NEAR(plain + extra.item<double>(), expected, 1e-5);
  EXPECT_GT(extra.item<double>(), 0.0);
  extra.backward();
  auto params = model->named_parameters();
  EXPECT_GT(params["ids.table.weight"].grad().abs().sum().item<double>(), 0.0);
  // A batch without SHIFT positions adds nothing.
  const auto stay = at::tensor({0, 0, 0, 2, 1, /**/ 0, 0, 0, 1, 2}, at::kLong).view({2, 5});
  const auto stay_targets = stay.clone();  // each target repeats its own position's item
  auto none = model->auxiliary_loss(sequence_input(stay), model->encode(sequence_input(stay)),
                                    stay_targets);
  EXPECT_FALSE(none.defined() && none.item<double>() != 0.0);
}

TEST(ShiftHead, MixtureSplitsTheDistributionBetweenShiftAndOtherItemsByTheHead) {
  const Interactions d = testing::hand_labelled();
  ShiftHead head(4, d);
  // Row 0 saw i0 {A}: shift items are i1 {B} and i2 {C} (i3 shares A, i4 has no category).
  // Row 1 saw i1 {B}, i2 {C}, i3 {A, C}: no shift item is left.
  const auto histories = at::tensor({0, 0, 1, /**/ 2, 3, 4}, at::kLong).view({2, 3});
  EXPECT_TRUE(at::equal(head->shift_items(histories).to(at::kInt),
                        at::tensor({0, 1, 1, 0, 0, /**/ 0, 0, 0, 0, 0}, at::kInt).view({2, 5})));
  const auto scores =
      at::tensor({3.f, 1.f, 2.f, 0.f, 4.f, /**/ 1.f, 2.f, 3.f, 4.f, 5.f}).view({2, 5});
  const auto states = at::randn({2, 4});
  torch::NoGradGuard no_grad;
  const double p = head->probability(states)[0].item<double>();
  const auto mixed = head->mixture_scores(histories, {}, states, scores);
  // Row 0 by hand: (1 - p) softmax over {i0, i3, i4} + p softmax over {i1, i2}.
  const double stay = std::exp(3.0) + std::exp(0.0) + std::exp(4.0),
               move = std::exp(1.0) + std::exp(2.0);
  const double expected[] = {(1 - p) * std::exp(3.0) / stay, p * std::exp(1.0) / move,
                             p * std::exp(2.0) / move, (1 - p) * std::exp(0.0) / stay,
                             (1 - p) * std::exp(4.0) / stay};
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(std::exp(mixed[0][i].item<double>()), expected[i], 1e-5) << i;
  // Row 1 has no shift item: the plain softmax, whatever the head says.
  EXPECT_TRUE(at::allclose(mixed[1], at::log_softmax(scores[1], 0), 1e-5, 1e-6));
  // A log-odds offset of 1.5 mixes with sigmoid(logit + 1.5) in place of p.
  const double logit = std::log(p / (1 - p)), q = 1 / (1 + std::exp(-(logit + 1.5)));
  const auto offset = head->mixture_scores(histories, {}, states, scores, {}, {}, {1.0, 1.5});
  EXPECT_NEAR(std::exp(offset[0][1].item<double>()), q * std::exp(1.0) / move, 1e-5);
  EXPECT_NEAR(std::exp(offset[0][0].item<double>()), (1 - q) * std::exp(3.0) / stay, 1e-5);
  // A scale of 3 then the offset: sigmoid(3 logit - 0.5).
  const double r = 1 / (1 + std::exp(-(3 * logit - 0.5)));
  const auto scaled = head->mixture_scores(histories, {}, states, scores, {}, {}, {3.0, -0.5});
  EXPECT_NEAR(std::exp(scaled[0][2].item<double>()), r * std::exp(2.0) / move, 1e-5);
  EXPECT_NEAR(std::exp(scaled[0][4].item<double>()), (1 - r) * std::exp(4.0) / stay, 1e-5);
  EXPECT_NEAR(head->probability(states)[0].item<double>(), p, 1e-12);  // p itself unchanged
}

TEST(ShiftHead, MixtureRanksShiftItemsByTheMoveScoresWhenGiven) {
  const Interactions d = testing::hand_labelled();
  ShiftHead head(4, d, /*move_head=*/true);
  const auto histories = at::tensor({0, 0, 1}, at::kLong).view({1, 3});  // saw i0 {A}
  const auto scores = at::tensor({3.f, 1.f, 2.f, 0.f, 4.f}).view({1, 5});
  const auto move = at::tensor({9.f, 5.f, 7.f, -9.f, 9.f}).view({1, 5});
  const auto states = at::randn({1, 4});
  torch::NoGradGuard no_grad;
  const double p = head->probability(states)[0].item<double>();
  const auto mixed = head->mixture_scores(histories, {}, states, scores, move);
  // Stay items {i0, i3, i4} by `scores`, shift items {i1, i2} by `move`.
  const double stay = std::exp(3.0) + std::exp(0.0) + std::exp(4.0),
               moved = std::exp(5.0) + std::exp(7.0);
  const double expected[] = {(1 - p) * std::exp(3.0) / stay, p * std::exp(5.0) / moved,
                             p * std::exp(7.0) / moved, (1 - p) * std::exp(0.0) / stay,
                             (1 - p) * std::exp(4.0) / stay};
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(std::exp(mixed[0][i].item<double>()), expected[i], 1e-5) << i;
}

TEST(ShiftHead, MoveLossIsCrossEntropyOverTheShiftItemsOfEachShiftPosition) {
  const Interactions d = testing::hand_labelled();
  ShiftHead head(5, d, /*move_head=*/true);
  // As in LabelsOfTrainingPositionsByHand: SHIFT targets at (0, 0) i1, (0, 1) i2, (1, 2) i1.
  const auto histories = at::tensor({1, 2, 3, 2, 1, /**/ 0, 0, 1, 2, 4}, at::kLong).view({2, 5});
  const auto targets = at::tensor({2, 3, 2, 1, 5, /**/ 0, 0, 2, 4, 3}, at::kLong).view({2, 5});
  auto states = at::randn({2, 5, 5});
  states.set_requires_grad(true);
  // A scorer whose item scores are the move state's own coordinates (5 items, d = 5).
  const auto scorer = [](const at::Tensor& s) { return s; };
  auto loss = head->move_loss(histories, head->labels(histories, targets), states, targets, scorer);
  loss.backward();
  // By hand: shift items after i0 {A} are {i1, i2}; after i0 i1 ({A, B}) only {i2}, so that
  // position costs nothing.
  at::Tensor expected;
  {
    torch::NoGradGuard no_grad;
    const auto a = head->move_states(states[0][0]), b = head->move_states(states[1][2]);
    const auto pair_ce = [](const at::Tensor& m) {
      return -(m[1] - at::logsumexp(at::stack({m[1], m[2]}), 0));
    };
    expected = (pair_ce(a) + 0.0 + pair_ce(b)) / 3.0;
  }
  EXPECT_NEAR(loss.item<double>(), expected.item<double>(), 1e-5);
  EXPECT_GT(states.grad()[0][0].abs().sum().item<double>(), 0.0);
  EXPECT_GT(states.grad()[1][2].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(states.grad()[0][1].abs().sum().item<double>(), 0.0);  // one candidate: CE 0
  EXPECT_EQ(states.grad()[0][2].abs().sum().item<double>(), 0.0);  // not a SHIFT
  EXPECT_EQ(states.grad()[1][3].abs().sum().item<double>(), 0.0);
  // A batch without SHIFT targets: zero, and backward still works.
  const auto none = at::tensor({0, 0, 0, 0, 0, /**/ 0, 0, 0, 0, 0}, at::kLong).view({2, 5});
  auto zero = head->move_loss(histories, head->labels(histories, none), states, none, scorer);
  EXPECT_EQ(zero.item<double>(), 0.0);
  zero.backward();
}

TEST(ShiftHead, GapReadingHeadAddsOneLearnedLogitPerGapBucket) {
  const Interactions d = testing::hand_labelled();
  at::manual_seed(5);
  ShiftHead head(4, d, /*move_head=*/false, /*reads_gaps=*/true);
  const auto states = at::randn({2, 4});
  const auto short_gap = at::tensor({3, 3}, at::kLong), long_gap = at::tensor({3, 40}, at::kLong);
  auto gap_logit = head->named_parameters()["gap_logit.weight"];
  {
    torch::NoGradGuard no_grad;
    // Untrained, the gap changes nothing; a logit of 2 on bucket 40 adds exactly 2.
    EXPECT_TRUE(at::allclose(head->logits(states, short_gap), head->logits(states, long_gap)));
    gap_logit[40][0] = 2.0;
    const auto difference = head->logits(states, long_gap) - head->logits(states, short_gap);
    EXPECT_NEAR(difference[0].item<double>(), 0.0, 1e-6);
    EXPECT_NEAR(difference[1].item<double>(), 2.0, 1e-6);
  }
  // Trained through the BCE: only the buckets seen get gradients.
  const auto histories = at::tensor({1, 2, 3, 2, 1}, at::kLong).view({1, 5});
  const auto targets = at::tensor({2, 3, 2, 1, 5}, at::kLong).view({1, 5});
  const auto gaps = at::tensor({5, 5, 7, 7, 9}, at::kLong).view({1, 5});
  head->loss(head->labels(histories, targets), gaps, at::randn({1, 5, 4}), targets).backward();
  auto grad = gap_logit.grad().squeeze(1).clone();
  for (int64_t bucket : {5, 7, 9}) {
    EXPECT_NE(grad[bucket].item<double>(), 0.0) << bucket;
    grad[bucket] = 0.0;
  }
  EXPECT_EQ(grad.abs().sum().item<double>(), 0.0);  // no other bucket
}

TEST(ShiftHead, ShiftGraphPriorIsTheCategoryProbabilityFromTheRecentCategories) {
  const Interactions d = testing::hand_labelled();
  ShiftHead head(4, d);
  head->fit_shift_graph(leave_one_out(d), d, /*window=*/1);  // A -> B twice, B -> C once
  // Histories ending in i0 {A} and in i1 {B} (left-padded).
  const auto histories = at::tensor({0, 1, /**/ 1, 2}, at::kLong).view({2, 2});
  const auto prior = at::exp(head->shift_graph_log_prior(histories));
  const double a_a = 0.01 / 2.04, a_b = 2.01 / 2.04, a_c = 0.01 / 2.04;
  const double expected_a[] = {a_a, a_b, a_c, (a_a + a_c) / 2};  // i3 {A, C} shares its mass
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(prior[0][i].item<double>(), expected_a[i], 1e-6) << i;
  EXPECT_NEAR(prior[1][2].item<double>(), 1.01 / 1.04, 1e-6);  // B -> C
  EXPECT_LT(prior[0][4].item<double>(), 1e-20);                // i4 has only the ignored ROOT
  // Weighted 2: each item's prior squared (not renormalised).
  const auto sharp = at::exp(head->shift_graph_log_prior(histories, 2.0));
  EXPECT_NEAR(sharp[0][1].item<double>(), a_b * a_b, 1e-6);
  EXPECT_NEAR(sharp[1][2].item<double>(), (1.01 / 1.04) * (1.01 / 1.04), 1e-6);
}

// Every shift switch at once: the gap-reading head, the move head and the shift graph train
// together (gradients reach each part) and the mixture is a distribution over the items.
// LOO training prefixes: u0 i0 i1 i2 i1, u1 i0 i1; counts + 1: i0 3, i1 4, i2 2, i3 1, i4 1.
// Category totals (ROOT ignored): A = i0 + i3 = 4, B = i1 = 4, C = i2 + i3 = 3.
TEST(ShiftHead, ItemPopularityWithinItsCategoryIsCountedFromTheTrainingPrefixes) {
  const Interactions d = testing::hand_labelled();
  ShiftHead head(4, d);
  head->fit_item_popularity(leave_one_out(d));
  const auto p = at::exp(head->category_item_log_popularity());
  const double expected[] = {3.0 / 4, 4.0 / 4, 2.0 / 3, (1.0 / 4 + 1.0 / 3) / 2,
                             1.0 / 11};  // i4: no category, its count over all counts
  ASSERT_EQ(p.size(0), 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(p[i].item<double>(), expected[i], 1e-6) << i;
}

// With graph_popularity the mixture ranks shift items by graph prior x counted popularity,
// whatever the model scores them: two models with different weights agree on the order of
// the shift items and not on the others.
TEST(ShiftHead, GraphPopularityRanksShiftItemsWithoutTheModelsScores) {
  const Interactions d = testing::hand_labelled();
  const Split split = leave_one_out(d);
  const auto history = at::tensor({0, 0, 1}, at::kLong).view({1, 3});  // i0 {A}: i1, i2 shift
  std::vector<at::Tensor> scores;
  for (int seed : {1, 2}) {
    at::manual_seed(seed);
    auto model = build(
        "[model]\nitem_encoder = \"id\"\nsequence = \"sasrec\"\nheads = [\"shift\"]\nd = 4\n"
        "[model.sasrec]\nmax_length = 3\n[model.shift]\nmixture = true\ngraph = true\n"
        "graph_window = 1\ngraph_popularity = true\n",
        d);
    model->fit_statistics(split);
    model->eval();
    const ModelInput input{history, at::Tensor(), at::Tensor()};
    scores.push_back(model->score_next(input, model->encode(input).select(1, -1)));
  }
  // Shift items i1 {B}, i2 {C}: log P = log p + log(prior x popularity) + normalisation, so
  // their difference is the same in both models: log(P(B|A) x 1) - log(P(C|A) x 2/3).
  const double a_b = 2.01 / 2.04, a_c = 0.01 / 2.04;
  const double expected = std::log(a_b * 1.0) - std::log(a_c * 2.0 / 3.0);
  for (const auto& row : scores) {
    EXPECT_NEAR((row[0][1] - row[0][2]).item<double>(), expected, 1e-4);
  }
  // The stay items (i0, i3) keep the models' own, different, scores.
  EXPECT_GT(std::abs((scores[0][0][0] - scores[0][0][3]).item<double>() -
                     (scores[1][0][0] - scores[1][0][3]).item<double>()),
            1e-4);
}

// The mixture's options reach the ranking from the config: at the same weights, the shift
// items' total mass is sigmoid(scale x logit + offset) of the plain mixture's, and the graph's
// weight multiplies the log-prior between two shift items.
TEST(ShiftHead, MixtureScaleOffsetAndGraphWeightReachTheRankingFromTheConfig) {
  const Interactions d = testing::hand_labelled();
  const Split split = leave_one_out(d);
  const auto history = at::tensor({0, 0, 1}, at::kLong).view({1, 3});  // i0 {A}: i1, i2 shift
  const auto scores_with = [&](const std::string& options) {
    at::manual_seed(1);
    auto model = build(
        "[model]\nitem_encoder = \"id\"\nsequence = \"sasrec\"\nheads = [\"shift\"]\nd = 4\n"
        "[model.sasrec]\nmax_length = 3\n[model.shift]\nmixture = true\ngraph = true\n"
        "graph_window = 1\ngraph_popularity = true\n" +
            options,
        d);
    model->fit_statistics(split);
    model->eval();
    torch::NoGradGuard no_grad;
    const ModelInput input{history, at::Tensor(), at::Tensor()};
    return model->score_next(input, model->encode(input).select(1, -1));
  };
  const auto plain = scores_with("");
  const auto scaled = scores_with("mixture_scale = 2.0\nmixture_offset = 0.5\n");
  const auto sharp = scores_with("graph_weight = 3.0\n");
  const auto shift_mass = [](const at::Tensor& row) {
    return (row[0][1].exp() + row[0][2].exp()).item<double>();
  };
  const double p = shift_mass(plain), logit = std::log(p / (1 - p));
  EXPECT_NEAR(shift_mass(scaled), 1 / (1 + std::exp(-(2 * logit + 0.5))), 1e-5);
  EXPECT_NEAR(shift_mass(sharp), p, 1e-6);  // the weight moves mass among shift items only
  const double a_b = 2.01 / 2.04, a_c = 0.01 / 2.04;  // as in the graph-popularity test
  EXPECT_NEAR((sharp[0][1] - sharp[0][2]).item<double>(),
              3 * (std::log(a_b) - std::log(a_c)) - std::log(2.0 / 3.0), 1e-4);
}

TEST(ShiftHead, AllSwitchesTrainTogetherAndTheMixtureIsADistribution) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  at::manual_seed(3);
  auto model = build(
      "[model]\nname = \"shift_sasrec\"\nd = 8\nmax_length = 12\ntime_gaps = true\n"
      "shift_mixture = true\nshift_move_head = true\nshift_graph = true\n",
      data.interactions);
  model->fit_statistics(split);
  const std::vector<int64_t> begin = {split.offsets[0], split.offsets[1], split.offsets[2]};
  const std::vector<int64_t> length = {split.train_length[0], split.train_length[1],
                                       split.train_length[2]};
  const auto histories = pack_histories(split.items, begin, length, 12);
  const auto gaps = split_gap_buckets(split, begin, length, 12);
  const int64_t width = histories.size(1);
  auto states = model->encode(sequence_input(histories, gaps));
  auto next = at::cat({histories.narrow(1, 1, width - 1), at::zeros({3, 1}, at::kLong)}, 1);
  auto loss = model->auxiliary_loss(sequence_input(histories, gaps), states, next);
  ASSERT_TRUE(loss.defined());
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  loss.backward();
  auto params = model->named_parameters();
  for (const char* name :
       {"head_shift.shift_head.linear.weight", "head_shift.shift_head.gap_logit.weight"}) {
    EXPECT_GT(params[name].grad().abs().sum().item<double>(), 0.0) << name;
  }
  torch::NoGradGuard no_grad;
  model->eval();
  const auto last = model->encode(sequence_input(histories, gaps)).select(1, -1);
  const auto log_p = model->score_next(sequence_input(histories, gaps), last);
  EXPECT_TRUE(at::allclose(at::logsumexp(log_p, 1), at::zeros({3}), 1e-4, 1e-5));
}

// A history's states do not depend on how much padding its batch has (GRU4Rec reads its
// rows as packed sequences; SASRec's positions are right-aligned).
TEST(SequenceModels, StatesIgnoreTheBatchPadding) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  for (const char* name : {"gru4rec", "sasrec"}) {
    SCOPED_TRACE(name);
    at::manual_seed(2);
    auto model = build(std::string("[model]\nname = \"") + name + "\"\nmax_length = 12\n",
                       data.interactions);
    model->eval();
    torch::NoGradGuard no_grad;
    const at::Tensor narrow =
        pack_histories(split.items, {split.offsets[0], split.offsets[1]}, {3, 5}, 12);  // width 5
    const at::Tensor wide = at::cat({at::zeros({2, 4}, at::kLong), narrow}, 1);         // width 9
    const at::Tensor a = model->encode(sequence_input(narrow)),
                     b = model->encode(sequence_input(wide));
    EXPECT_TRUE(at::allclose(a, b.narrow(1, 4, 5), 1e-5, 1e-6));
    if (std::string(name) == "gru4rec") {  // padding columns carry no state
      EXPECT_EQ(b.narrow(1, 0, 4).abs().sum().item<float>(), 0.0f);
    }
  }
}

}  // namespace
}  // namespace shiftrec
