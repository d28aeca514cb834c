// Graph build and LightGCN propagation on a real general-CF dataset (issue 4's measurements).
//
//   build/bench/graph_propagation DATA_ROOT [layers] [d] [batch] [fanouts...]
//   # reads gowalla-lightgcn/ under it; defaults 3 64 2048 10 10 10
//
// Prints the seconds to read the split, to build the training bipartite graph (Boost CSR),
// to normalise it into a torch sparse tensor, and of one K-layer propagation forward (and
// forward + backward) at width d, each the median of 5 runs, with each instruction set the CPU
// has (models/csr_kernel.h) and through LibTorch's COO product; what a training batch's
// propagation costs (its rows' last layer only, models/propagation.h); then what neighbour-sampled
// training (graph/neighbour_sampling.h) costs for one BPR batch: the subgraph around `batch`
// random users (and the one around their 2 x batch positive and negative items), its size, the
// sampling and the forward + backward over it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "bench/timing.h"
#include "core/allocator.h"
#include "core/config.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "graph/bipartite_graph.h"
#include "graph/neighbour_sampling.h"
#include "models/csr_kernel.h"
#include "models/propagation.h"

using shiftrec::bench::median_seconds;
using shiftrec::bench::now_seconds;

int main(int argc, char** argv) {
  using namespace shiftrec;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_ROOT [layers] [d]\n", argv[0]);
    return 1;
  }
  retain_freed_memory();  // as shiftrec does: no page faults on each product's output
  const int64_t layers = argc > 2 ? std::atoll(argv[2]) : 3;
  const int64_t d = argc > 3 ? std::atoll(argv[3]) : 64;
  // All cores unless OMP_NUM_THREADS says otherwise.
  const char* threads = std::getenv("OMP_NUM_THREADS");
  at::set_num_threads(threads != nullptr ? std::atoi(threads)
                                         : static_cast<int>(std::thread::hardware_concurrency()));
  const std::string dir = argv[1];
  Config config = Config::from_string(
      "[data]\nsource = \"lightgcn\"\nroot = \"" + dir +
          "\"\npath = \"gowalla-lightgcn/train.derived.txt.gz\"\n"
          "test_path = \"gowalla-lightgcn/test.txt\"\n[split]\nprotocol = \"given\"\n",
      "bench.toml");
  double t0 = now_seconds();
  const Dataset data = load_dataset(config.section("data"));
  const Split split = split_from_config(config.section("split"), data.interactions);
  const double read_seconds = now_seconds() - t0;
  BipartiteGraph graph;
  const double build = median_seconds([&] { graph = build_bipartite_graph(split); });
  SparseMatrix adjacency;
  const double normalise =
      median_seconds([&] { adjacency = SparseMatrix(normalized_adjacency(graph), c10::kCPU); });
  at::manual_seed(0);
  auto nodes = at::randn({graph.n_nodes(), d}) * 0.1;
  auto parameters = nodes.clone();
  parameters.set_requires_grad(true);
  const int64_t batch = argc > 4 ? std::atoll(argv[4]) : 2048;
  // A BPR batch's rows: `batch` users and 2 x batch items (positives and negatives).
  const auto batch_nodes =
      at::cat({at::randint(graph.n_users, {batch}, at::kLong),
               at::randint(graph.n_items, {2 * batch}, at::kLong) + graph.n_users});
  struct Timing {
    std::string isa;
    double forward, backward, batch_rows;
  };
  std::vector<Timing> timings;
  for (const char* isa : {"baseline", "avx2", "avx512"}) {
    if (!use_csr_kernel_isa(isa)) continue;
    Timing t{isa, 0, 0, 0};
    t.forward =
        median_seconds([&] { light_propagate(adjacency, nodes, layers).sum().item<float>(); });
    t.backward = median_seconds(
        [&] { light_propagate(adjacency, parameters, layers).pow(2).sum().backward(); });
    // What a training batch costs now: the prefix, then the last layer at its rows only.
    t.batch_rows = median_seconds([&] {
      const LightPrefix prefix = light_prefix(adjacency, parameters, layers);
      light_finish_rows(adjacency, prefix, batch_nodes).pow(2).sum().backward();
    });
    timings.push_back(t);
  }
  // The baseline: the same propagation through LibTorch's COO product, which SparseMatrix
  // replaces on the CPU (models/sparse_matrix.h).
  const at::Tensor coo = adjacency.coo();
  const auto coo_propagate = [&](const at::Tensor& e) {
    at::Tensor layer = e, sum = e;
    for (int64_t k = 0; k < layers; ++k) {
      layer = at::mm(coo, layer);
      sum = sum + layer;
    }
    return sum / static_cast<double>(layers + 1);
  };
  const double coo_forward = median_seconds([&] { coo_propagate(nodes).sum().item<float>(); });
  const double coo_backward =
      median_seconds([&] { coo_propagate(parameters).pow(2).sum().backward(); });
  const double backward = timings.back().backward;
  std::vector<int64_t> fanouts;
  for (int a = 5; a < argc; ++a) fanouts.push_back(std::atoll(argv[a]));
  if (fanouts.empty()) fanouts = {10, 10, 10};
  std::vector<int32_t> user_seeds, item_seeds;
  {
    const auto users =
        at::randperm(graph.n_users, at::kLong).narrow(0, 0, std::min(batch, graph.n_users));
    const auto items = at::randint(graph.n_items, {2 * batch}, at::kLong);
    for (int64_t i = 0; i < users.numel(); ++i)
      user_seeds.push_back(static_cast<int32_t>(users[i].item().toLong()));
    for (int64_t i = 0; i < items.numel(); ++i) {
      const auto node = static_cast<int32_t>(graph.item_node(items[i].item().toLong()));
      if (std::find(item_seeds.begin(), item_seeds.end(), node) == item_seeds.end())
        item_seeds.push_back(node);
    }
  }
  SampledSubgraph around_users, around_items;
  uint64_t draw = 0;
  const double sample = median_seconds([&] {
    around_users = sample_subgraph(graph, user_seeds, fanouts, ++draw);
    around_items = sample_subgraph(graph, item_seeds, fanouts, ++draw);
  });
  const auto sampled_step = [&](const SampledSubgraph& sub) {
    auto ids = at::tensor(std::vector<int64_t>(sub.nodes.begin(), sub.nodes.end()), at::kLong);
    light_propagate_sampled(sub, parameters.index_select(0, ids), layers, c10::kCPU)
        .narrow(0, 0, 1)
        .pow(2)
        .sum()
        .backward();
  };
  const double sampled = median_seconds([&] {
    sampled_step(around_users);
    sampled_step(around_items);
  });
  std::printf("%lld users, %lld items, %lld training edges; read + split %.3f s (cache)\n",
              static_cast<long long>(graph.n_users), static_cast<long long>(graph.n_items),
              static_cast<long long>(graph.n_edges()), read_seconds);
  std::printf(
      "bipartite graph build (Boost CSR): %.3f s; normalised torch sparse (+ CPU CSR and its "
      "transpose): %.3f s\n",
      build, normalise);
  std::printf(
      "LightGCN propagation, %lld layers, d=%lld, %d threads; LibTorch's COO product: forward "
      "%.3f s, forward+backward %.3f s\n",
      static_cast<long long>(layers), static_cast<long long>(d), at::get_num_threads(), coo_forward,
      coo_backward);
  for (const Timing& t : timings) {
    std::printf(
        "  CSR kernel, %-8s: forward %.3f s (%.2fx), forward+backward %.3f s (%.2fx); a batch's "
        "%lld rows (last layer at those rows only), forward+backward %.3f s (%.2fx)\n",
        t.isa.c_str(), t.forward, coo_forward / t.forward, t.backward, coo_backward / t.backward,
        static_cast<long long>(batch_nodes.numel()), t.batch_rows, coo_backward / t.batch_rows);
  }
  std::string fanout_text;
  for (int64_t f : fanouts) fanout_text += (fanout_text.empty() ? "" : ",") + std::to_string(f);
  std::printf(
      "sampled batch (%lld users, fanouts %s): subgraphs %lld + %lld nodes, %lld + %lld "
      "edges (of %lld nodes); sampling %.3f s, forward+backward %.3f s (%.2fx the full "
      "forward+backward)\n",
      static_cast<long long>(user_seeds.size()), fanout_text.c_str(),
      static_cast<long long>(around_users.nodes.size()),
      static_cast<long long>(around_items.nodes.size()),
      static_cast<long long>(around_users.adjacency.nnz()),
      static_cast<long long>(around_items.adjacency.nnz()), static_cast<long long>(graph.n_nodes()),
      sample, sampled, (sample + sampled) / backward);
  return 0;
}
