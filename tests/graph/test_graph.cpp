#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <set>

#include "core/seed.h"
#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "graph/bipartite_graph.h"
#include "graph/category_shifts.h"
#include "graph/item_transitions.h"
#include "graph/neighbour_sampling.h"
#include "tests/datasets/hand_labelled.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

// Two users, three items. Training prefixes: u0 = i0 i1 i0 (a repeat), u1 = i1 i2.
// Test items (u0: i2, u1: i0) must not become edges.
Split hand_drawn() {
  Split s;
  s.protocol = "loo";
  s.n_users = 2;
  s.n_items = 3;
  s.offsets = {0, 4, 7};
  s.items = {0, 1, 0, 2, /**/ 1, 2, 0};
  s.train_length = {3, 2};
  return s;
}

TEST(BipartiteGraph, TrainingEdgesOnlyAndHandComputedNormalisation) {
  const BipartiteGraph g = build_bipartite_graph(hand_drawn());
  // Nodes: u0 = 0, u1 = 1, i0 = 2, i1 = 3, i2 = 4. Edges u0-i0, u0-i1, u1-i1, u1-i2.
  EXPECT_EQ(g.n_edges(), 4);
  EXPECT_EQ(g.offsets, (std::vector<int64_t>{0, 2, 4, 5, 7, 8}));
  EXPECT_EQ(g.neighbours, (std::vector<int32_t>{2, 3, 3, 4, 0, 0, 1, 1}));
  // Degrees u0 2, u1 2, i0 1, i1 2, i2 1: entry (a, b) = 1 / sqrt(d_a d_b).
  const double h = 1.0 / std::sqrt(2.0);
  const std::vector<std::vector<double>> expected = {
      {0, 0, h, 0.5, 0}, {0, 0, 0, 0.5, h}, {h, 0, 0, 0, 0}, {0.5, 0.5, 0, 0, 0}, {0, h, 0, 0, 0}};
  const at::Tensor dense = to_sparse_coo(normalized_adjacency(g), c10::kCPU).to_dense();
  for (int a = 0; a < 5; ++a) {
    for (int b = 0; b < 5; ++b)
      EXPECT_NEAR(dense[a][b].item<float>(), expected[a][b], 1e-6) << a << "," << b;
  }
}

// The propagation matrix is the graph's own CSR (no COO in between), and the COO made from it
// for LibTorch's product (CUDA) is the same matrix.
TEST(CsrMatrix, NormalizedAdjacencyKeepsTheGraphsRowsAndSurvivesTheCooRoundTrip) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const BipartiteGraph g = build_bipartite_graph(leave_one_out(data.interactions));
  const CsrMatrix m = normalized_adjacency(g);
  ASSERT_EQ(m.rows(), g.n_nodes());
  EXPECT_EQ(m.cols, g.n_nodes());
  EXPECT_TRUE(at::equal(m.offsets, at::tensor(at::ArrayRef<int64_t>(g.offsets), at::kLong)));
  const CsrMatrix back = csr_from_coo(to_sparse_coo(m, c10::kCPU));
  EXPECT_TRUE(at::equal(back.offsets, m.offsets));
  EXPECT_TRUE(at::equal(back.columns, m.columns));
  EXPECT_TRUE(at::equal(back.values, m.values));
  // The transpose of a symmetric matrix is the matrix.
  const CsrMatrix t = transposed(m);
  EXPECT_TRUE(at::equal(t.columns, m.columns));
  EXPECT_TRUE(at::allclose(t.values, m.values));
}

TEST(BipartiteGraph, BoostCsrAndTorchSparseAgree) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const BipartiteGraph g = build_bipartite_graph(split);
  const at::Tensor a = to_sparse_coo(normalized_adjacency(g), c10::kCPU);
  EXPECT_TRUE(a.is_coalesced());
  const at::Tensor indices = a._indices();
  ASSERT_EQ(indices.size(1), static_cast<int64_t>(g.neighbours.size()));
  const auto rows = indices[0], columns = indices[1];
  for (int64_t node = 0, k = 0; node < g.n_nodes(); ++node) {
    for (int64_t e = g.offsets[node]; e < g.offsets[node + 1]; ++e, ++k) {
      EXPECT_EQ(rows[k].item<int64_t>(), node);
      EXPECT_EQ(columns[k].item<int64_t>(), g.neighbours[e]);
    }
  }
  // Symmetric, and every edge is a training pair of that user.
  EXPECT_TRUE(at::allclose(a.to_dense(), a.to_dense().t()));
  for (int64_t u = 0; u < g.n_users; ++u) {
    const std::set<int32_t> trained(split.items.begin() + split.offsets[u],
                                    split.items.begin() + split.offsets[u] + split.train_length[u]);
    EXPECT_EQ(static_cast<size_t>(g.degree(u)), trained.size());
    for (int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      EXPECT_EQ(trained.count(static_cast<int32_t>(g.neighbours[e] - g.n_users)), 1u);
    }
  }
}

TEST(ItemTransitions, CountsWithinTheWindowFromTrainingOnly) {
  const Split s = hand_drawn();
  // Window 1: u0 i0->i1, i1->i0; u1 i1->i2. Row-normalised: i1 -> {i0: 1/2, i2: 1/2}.
  const ItemTransitionGraph g = build_item_transitions(s, 1);
  EXPECT_EQ(g.offsets, (std::vector<int64_t>{0, 1, 3, 3}));
  EXPECT_EQ(g.targets, (std::vector<int32_t>{1, 0, 2}));
  EXPECT_EQ(g.weights, (std::vector<float>{1, 1, 1}));
  const at::Tensor m = to_sparse_coo(transition_matrix(g), c10::kCPU).to_dense();
  EXPECT_FLOAT_EQ(m[1][0].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(m[1][2].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(m[2].sum().item<float>(), 0.0f);  // i2 is never followed in training
  // Window 2 adds u0's i0 -> i0 (positions 0 and 2).
  const ItemTransitionGraph wide = build_item_transitions(s, 2);
  EXPECT_EQ(wide.targets, (std::vector<int32_t>{0, 1, 0, 2}));
  EXPECT_EQ(wide.weights, (std::vector<float>{1, 1, 1, 1}));
}

CategoryShiftGraph count_shifts(const Split& split, const Interactions& d, int64_t window,
                                int64_t em_iterations = 0) {
  CategoryShiftOptions o;
  o.common_share = 0.9;
  o.window = window;
  o.smoothing = 0.01;
  o.em_iterations = em_iterations;
  return count_category_shifts(split, d, o);
}

TEST(CategoryShifts, CountsShiftTargetsFromTheRecentCategoriesOfTrainingPrefixesOnly) {
  // Categories A, B, C, ROOT (on every item: ignored); i0 {A}, i1 {B}, i2 {C}, i3 {A, C},
  // i4 {ROOT}. LOO training prefixes: user 0 i0 i1 i2 i1, user 1 i0 i1.
  const Interactions d = testing::hand_labelled();
  Split split = leave_one_out(d);
  // Shifts: u0 i1 after i0 (A -> B), u0 i2 after i1 (B -> C; window 2 also A), u1 i1 (A -> B);
  // u0's second i1 is a repeat.
  const CategoryShiftGraph one = count_shifts(split, d, 1);
  EXPECT_EQ(one.shifts, 3);
  std::vector<double> expected(16, 0.0);
  expected[0 * 4 + 1] = 2.0;  // A -> B
  expected[1 * 4 + 2] = 1.0;  // B -> C
  EXPECT_EQ(one.counts, expected);
  EXPECT_NEAR(one.probability[0 * 4 + 1], 2.01 / 2.04, 1e-12);
  EXPECT_NEAR(one.probability[0 * 4 + 0], 0.01 / 2.04, 1e-12);
  EXPECT_NEAR(one.probability[3 * 4 + 2], 0.25, 1e-12);  // a row never counted: uniform
  const CategoryShiftGraph two = count_shifts(split, d, 2);
  expected[0 * 4 + 2] = 0.5;  // i2's shift is shared by A and B
  expected[1 * 4 + 2] = 0.5;
  EXPECT_EQ(two.counts, expected);
  // A training prefix that ends before u0's i2: that shift is not counted.
  split.train_length[0] = 2;
  const CategoryShiftGraph shorter = count_shifts(split, d, 1);
  EXPECT_EQ(shorter.shifts, 2);
  EXPECT_EQ(shorter.counts[1 * 4 + 2], 0.0);
}

// Expectation-maximisation: the shift to C after A and B (window 2) is split in proportion to
// P(C | A) and P(C | B) of the even split's graph; row A also sends two shifts to B, so
// P(C | A) is small and B takes most of it; repeated, B takes it all.
TEST(CategoryShifts, ExpectationMaximisationAttributesAShiftToTheRecentCategoryThatExplainsIt) {
  const Interactions d = testing::hand_labelled();
  const Split split = leave_one_out(d);
  const CategoryShiftGraph even = count_shifts(split, d, 2);
  // The even split: row A = {B: 2, C: 0.5}, row B = {C: 0.5}; smoothing 0.01 on 4 cells.
  const double c_given_a = 0.51 / 2.54;
  const double c_given_b = 0.51 / 0.54;
  EXPECT_NEAR(even.probability[0 * 4 + 2], c_given_a, 1e-12);
  EXPECT_NEAR(even.probability[1 * 4 + 2], c_given_b, 1e-12);
  const CategoryShiftGraph once = count_shifts(split, d, 2, 1);
  EXPECT_EQ(once.shifts, 3);
  EXPECT_NEAR(once.counts[0 * 4 + 2], c_given_a / (c_given_a + c_given_b), 1e-12);
  EXPECT_NEAR(once.counts[1 * 4 + 2], c_given_b / (c_given_a + c_given_b), 1e-12);
  EXPECT_EQ(once.counts[0 * 4 + 1], 2.0);  // shifts with one recent category keep their count
  EXPECT_NEAR(once.probability[1 * 4 + 2],
              (once.counts[1 * 4 + 2] + 0.01) / (once.counts[1 * 4 + 2] + 0.04), 1e-12);
  const CategoryShiftGraph converged = count_shifts(split, d, 2, 50);
  EXPECT_GT(converged.counts[1 * 4 + 2], 0.99);
  EXPECT_LT(converged.counts[0 * 4 + 2], 0.01);
  // Every iteration keeps one unit per shift.
  double total = 0.0;
  for (double c : converged.counts) total += c;
  EXPECT_NEAR(total, 3.0, 1e-9);
}

// A node's draws are a partial Fisher-Yates shuffle of its neighbour list, whichever way the
// sampler keeps the swaps (in place for small fanouts, a copy for large ones): the seed's
// neighbours come out in exactly the order a shuffle of a copy gives.
TEST(NeighbourSampling, DrawsAreAPartialShuffleOfTheNeighbourList) {
  BipartiteGraph star;  // user 0 linked to all 200 items
  star.n_users = 1;
  star.n_items = 200;
  star.offsets = {0, 200};
  for (int32_t i = 0; i < 200; ++i) star.neighbours.push_back(1 + i);
  for (int32_t i = 0; i < 200; ++i) {
    star.offsets.push_back(star.offsets.back() + 1);
    star.neighbours.push_back(0);
  }
  for (int64_t take : {int64_t{10}, int64_t{150}}) {
    SCOPED_TRACE(take);
    std::vector<int32_t> copy(star.neighbours.begin(), star.neighbours.begin() + 200);
    Rng rng(derive_seed(5, "graph.neighbour_sampling"));
    for (int64_t i = 0; i < take; ++i) {
      std::swap(copy[i], copy[i + uniform_index(rng, static_cast<uint64_t>(200 - i))]);
    }
    const SampledSubgraph sub = sample_subgraph(star, {0}, {take}, 5);
    EXPECT_EQ(std::vector<int32_t>(sub.nodes.begin() + 1, sub.nodes.end()),
              std::vector<int32_t>(copy.begin(), copy.begin() + take));
  }
}

TEST(NeighbourSampling, FullFanoutsReproduceFullPropagationForTheSeeds) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const BipartiteGraph g = build_bipartite_graph(split);
  const at::Tensor full = to_sparse_coo(normalized_adjacency(g), c10::kCPU);
  at::manual_seed(0);
  const at::Tensor embeddings = at::randn({g.n_nodes(), 4});
  const std::vector<int32_t> seeds = {0, 5, static_cast<int32_t>(g.item_node(3))};
  const SampledSubgraph sub = sample_subgraph(g, seeds, {100000, 100000}, 1);
  ASSERT_EQ(std::vector<int32_t>(sub.nodes.begin(), sub.nodes.begin() + 3), seeds);
  auto index = at::tensor(std::vector<int64_t>(sub.nodes.begin(), sub.nodes.end()), at::kLong);
  auto full_two = at::mm(full, at::mm(full, embeddings)).index_select(0, index.narrow(0, 0, 3));
  auto local = embeddings.index_select(0, index);
  const at::Tensor sub_adjacency = to_sparse_coo(sub.adjacency, c10::kCPU);
  auto sub_two = at::mm(sub_adjacency, at::mm(sub_adjacency, local)).narrow(0, 0, 3);
  EXPECT_TRUE(at::allclose(full_two, sub_two, 1e-5, 1e-6));
  // Small fanouts: at most that many neighbours per expanded node, all of them real edges.
  const SampledSubgraph small = sample_subgraph(g, seeds, {2, 2}, 1);
  const auto indices = to_sparse_coo(small.adjacency, c10::kCPU)._indices();
  std::vector<int64_t> per_row(small.nodes.size(), 0);
  for (int64_t k = 0; k < indices.size(1); ++k) {
    const int32_t a = small.nodes[indices[0][k].item<int64_t>()];
    const int32_t b = small.nodes[indices[1][k].item<int64_t>()];
    ++per_row[indices[0][k].item<int64_t>()];
    EXPECT_TRUE(std::binary_search(g.neighbours.begin() + g.offsets[a],
                                   g.neighbours.begin() + g.offsets[a + 1], b));
  }
  for (int64_t count : per_row) EXPECT_LE(count, 2);
  // The same seed draws the same subgraph.
  EXPECT_EQ(sample_subgraph(g, seeds, {2, 2}, 1).nodes, small.nodes);
}

// The subgraph's nodes come in hop order, so a propagation can stop short at the nearer hops:
// every row of a node within h hops has its columns within h + 1, each row's columns ascend,
// the last hop's rows are empty, and hop_block cuts exactly those rows and columns.
TEST(NeighbourSampling, NodesComeInHopOrderAndEachHopReadsOneHopFurther) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const BipartiteGraph g = build_bipartite_graph(leave_one_out(data.interactions));
  const std::vector<int32_t> seeds = {3, 1, static_cast<int32_t>(g.item_node(7)), 8};
  const SampledSubgraph sub = sample_subgraph(g, seeds, {3, 2, 2}, 4);
  const auto& within = sub.within_hops;
  ASSERT_EQ(within.size(), 4u);
  EXPECT_EQ(within[0], 4);
  EXPECT_EQ(within[3], static_cast<int64_t>(sub.nodes.size()));
  EXPECT_LT(within[0], within[1]);
  EXPECT_LT(within[1], within[2]);
  const int64_t* offsets = sub.adjacency.offsets.data_ptr<int64_t>();
  const int64_t* columns = sub.adjacency.columns.data_ptr<int64_t>();
  int64_t hop = 0;
  for (int64_t r = 0; r < within[3]; ++r) {
    while (r >= within[hop]) ++hop;  // r is first reached at hop `hop`
    if (hop == 3) {
      EXPECT_EQ(offsets[r + 1], offsets[r]) << "a last-hop row " << r;
      continue;
    }
    for (int64_t j = offsets[r]; j < offsets[r + 1]; ++j) {
      EXPECT_LT(columns[j], within[hop + 1]) << "row " << r << " at hop " << hop;
      if (j > offsets[r]) EXPECT_LT(columns[j - 1], columns[j]);
    }
  }
  for (int64_t h = 0; h < 4; ++h) {
    const CsrMatrix block = hop_block(sub, h);
    EXPECT_EQ(block.rows(), within[h]);
    EXPECT_EQ(block.cols, within[std::min<int64_t>(h + 1, 3)]);
    EXPECT_EQ(block.nnz(), offsets[within[h]]);
  }
}

}  // namespace
}  // namespace shiftrec
