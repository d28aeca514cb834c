// The CSR product on a real graph (ctest label "realdata"): Gowalla's training bipartite graph
// (1.6 M entries, many parallel chunks) multiplied through SparseMatrix agrees with LibTorch's
// COO product, forward and backward. Skips without SHIFTREC_DATA.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/config.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "graph/bipartite_graph.h"
#include "models/sparse_matrix.h"

namespace shiftrec {
namespace {

TEST(RealGraph, GowallaCsrProductAgreesWithLibTorchsCooProduct) {
  if (std::getenv("SHIFTREC_DATA") == nullptr) {
    GTEST_SKIP() << "SHIFTREC_DATA is not set: no shared datasets here";
  }
  Config config = Config::from_file(std::string(SHIFTREC_SOURCE_DIR) +
                                    "/experiments/configs/gowalla_lightgcn.toml");
  const Dataset dataset = load_dataset(config.section("data"));
  const Split split = given_split(dataset.interactions);
  const SparseMatrix a(normalized_adjacency(build_bipartite_graph(split)), c10::kCPU);
  at::manual_seed(7);
  const at::Tensor x = at::randn({a.rows(), 16}).requires_grad_(true);
  const at::Tensor weights = at::randn({a.rows(), 16});
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  const at::Tensor y = a.times(x);
  (y * weights).sum().backward();
  at::set_num_threads(threads);
  EXPECT_TRUE(at::allclose(y, at::mm(a.coo(), x.detach()), 1e-5, 1e-6));
  EXPECT_TRUE(at::allclose(x.grad(), at::mm(a.coo().t(), weights), 1e-5, 1e-6));
}

}  // namespace
}  // namespace shiftrec
