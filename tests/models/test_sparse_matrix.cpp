// SparseMatrix (the CSR product behind graph propagation) against dense products.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "datasets/split.h"
#include "datasets/synthetic.h"
#include "graph/item_transitions.h"
#include "models/csr_kernel.h"
#include "models/sparse_matrix.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

// A rectangular [5, 4] matrix, not symmetric, with an empty row (3) and an empty column (2),
// its entries given out of order and one of them twice (coalescing sums it).
at::Tensor uncoalesced_matrix() {
  const auto rows = at::tensor({4, 0, 1, 0, 4, 2, 0}, at::kLong);
  const auto cols = at::tensor({0, 3, 0, 1, 3, 1, 3}, at::kLong);
  const auto values = at::tensor({0.5, 2.0, -1.0, 3.0, 0.25, 1.5, 1.0}, at::kFloat);
  return at::sparse_coo_tensor(at::stack({rows, cols}), values, {5, 4});
}

TEST(SparseMatrix, MultipliesAsTheDenseMatrixDoesWithGradientsThroughTheTranspose) {
  const at::Tensor coo = uncoalesced_matrix();
  ASSERT_FALSE(coo.is_coalesced());
  const SparseMatrix a(coo);
  const at::Tensor dense_a = coo.to_dense();
  // Entry (0, 3) was given twice: 2.0 + 1.0.
  EXPECT_FLOAT_EQ(dense_a[0][3].item<float>(), 3.0f);

  at::manual_seed(3);
  const at::Tensor x = at::randn({4, 7}).requires_grad_(true);
  const at::Tensor weights = at::randn({5, 7});
  const at::Tensor y = a.times(x);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{5, 7}));
  EXPECT_TRUE(at::allclose(y, dense_a.mm(x.detach()), 1e-6, 1e-6));
  EXPECT_TRUE(y[3].abs().sum().item<float>() == 0.0f);  // the empty row

  (y * weights).sum().backward();
  // d/dX sum(W ⊙ A X) = A^T W; A is not symmetric, so using A here would differ.
  const at::Tensor expected = dense_a.t().mm(weights);
  EXPECT_TRUE(at::allclose(x.grad(), expected, 1e-6, 1e-6));
  EXPECT_FALSE(at::allclose(dense_a.narrow(0, 0, 4).mm(weights.narrow(0, 0, 4)), expected));
  EXPECT_TRUE(x.grad()[2].abs().sum().item<float>() == 0.0f);  // the empty column
}

// The matrix the session-graph hybrid propagates over (row-stochastic, not symmetric).
TEST(SparseMatrix, TheItemTransitionMatrixAndItsGradientMatchTheDenseOnes) {
  const SyntheticData data = generate_synthetic(testing::tiny_synthetic_options());
  const Split split = leave_one_out(data.interactions);
  const SparseMatrix a(transition_matrix(build_item_transitions(split, 2)), c10::kCPU);
  const at::Tensor dense_a = a.coo().to_dense();
  ASSERT_FALSE(at::allclose(dense_a, dense_a.t()));
  at::manual_seed(6);
  const at::Tensor x = at::randn({a.rows(), 5}).requires_grad_(true);
  const at::Tensor weights = at::randn({a.rows(), 5});
  const at::Tensor y = a.times(a.times(x));  // two layers
  EXPECT_TRUE(at::allclose(y, dense_a.mm(dense_a.mm(x.detach())), 1e-5, 1e-6));
  (y * weights).sum().backward();
  EXPECT_TRUE(at::allclose(x.grad(), dense_a.t().mm(dense_a.t().mm(weights)), 1e-5, 1e-6));
}

TEST(SparseMatrix, DoubleInputsTakeLibTorchsProductAndAgree) {
  const SparseMatrix a(uncoalesced_matrix().coalesce().to(at::kDouble));
  at::manual_seed(4);
  const at::Tensor x = at::randn({4, 3}, at::kDouble);
  EXPECT_TRUE(at::allclose(a.times(x), a.coo().to_dense().mm(x)));
}

TEST(CsrKernel, RowsSplitOverThreadsGiveTheSameProduct) {
  // Enough rows for several parallel chunks of 256.
  at::manual_seed(5);
  const int64_t n = 2000;
  const auto entries = at::randint(n, {2, 20000}, at::kLong);
  const at::Tensor coo = at::sparse_coo_tensor(entries, at::rand({20000}), {n, n}).coalesce();
  const CsrMatrix csr = csr_from_coo(coo);
  const at::Tensor x = at::randn({n, 16});
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const at::Tensor one = csr_times_dense(csr, x);
  at::set_num_threads(2);
  const at::Tensor two = csr_times_dense(csr, x);
  at::set_num_threads(threads);
  EXPECT_TRUE(at::equal(one, two));  // each row is summed by one thread, in the same order
  EXPECT_TRUE(at::allclose(one, at::mm(coo, x), 1e-5, 1e-5));
  const CsrMatrix back = transposed(transposed(csr));
  EXPECT_TRUE(at::equal(back.offsets, csr.offsets));
  EXPECT_TRUE(at::equal(back.columns, csr.columns));
  EXPECT_TRUE(at::equal(back.values, csr.values));
}

// Every instruction set the CPU has, at the width the kernels specialise (64) and another (13):
// the product, a row selection of it (rows repeated, an empty row included) and that
// selection's adjoint against dense matrices.
TEST(CsrKernel, EveryInstructionSetGivesTheDenseProductsForAllRowsSomeRowsAndTheAdjoint) {
  at::manual_seed(8);
  const int64_t r = 300, c = 200;
  const auto entries = at::stack({at::randint(r - 1, {3000}, at::kLong),  // row r-1 stays empty
                                  at::randint(c, {3000}, at::kLong)});
  const at::Tensor coo = at::sparse_coo_tensor(entries, at::randn({3000}), {r, c}).coalesce();
  const CsrMatrix csr = csr_from_coo(coo);
  const at::Tensor dense_a = coo.to_dense();
  const at::Tensor rows = at::tensor(std::vector<int64_t>{5, r - 1, 17, 5, 0, 250}, at::kLong);
  const std::string chosen = csr_kernel_isa();
  int tried = 0;
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_csr_kernel_isa(isa)) continue;
    ++tried;
    for (int64_t d : {64, 13}) {
      SCOPED_TRACE(std::string(isa) + ", d = " + std::to_string(d));
      const at::Tensor x = at::randn({c, d});
      const at::Tensor full = csr_times_dense(csr, x);
      EXPECT_TRUE(at::allclose(full, dense_a.mm(x), 1e-4, 1e-5));
      const at::Tensor some = csr_rows_times_dense(csr, rows, x);
      EXPECT_TRUE(at::equal(some, full.index_select(0, rows)));  // same sums, same order
      EXPECT_TRUE(some[1].abs().sum().item<float>() == 0.0f);    // the empty row
      const at::Tensor g = at::randn({rows.numel(), d});
      EXPECT_TRUE(at::allclose(csr_rows_transposed_times(csr, rows, g),
                               dense_a.index_select(0, rows).t().mm(g), 1e-4, 1e-5));
    }
  }
  EXPECT_GE(tried, 1);
  EXPECT_FALSE(use_csr_kernel_isa("sse9"));
  ASSERT_TRUE(use_csr_kernel_isa(chosen));
}

TEST(SparseMatrix, SelectedRowsAndTheirGradientAreThoseOfTheWholeProduct) {
  const SparseMatrix a(uncoalesced_matrix());
  at::manual_seed(9);
  const at::Tensor x = at::randn({4, 64});
  const at::Tensor rows = at::tensor({4, 0, 4, 3}, at::kLong);
  const at::Tensor weights = at::randn({4, 64});
  const at::Tensor x1 = x.clone().requires_grad_(true);
  const at::Tensor x2 = x.clone().requires_grad_(true);
  const at::Tensor some = a.rows_times(rows, x1);
  const at::Tensor whole = a.times(x2).index_select(0, rows);
  EXPECT_TRUE(at::allclose(some, whole, 1e-6, 1e-6));
  (some * weights).sum().backward();
  (whole * weights).sum().backward();
  EXPECT_TRUE(at::allclose(x1.grad(), x2.grad(), 1e-5, 1e-6));
  EXPECT_GT(x1.grad().abs().sum().item<float>(), 0.0f);
}

}  // namespace
}  // namespace shiftrec
