// Graph build and LightGCN propagation on a real general-CF dataset (issue 4's measurements).
//
//   build/bench/graph_propagation DATA_ROOT [layers] [d]   # reads gowalla-lightgcn/ under it
//
// Prints the seconds to read the split, to build the training bipartite graph (Boost CSR),
// to normalise it into a torch sparse tensor, and of one K-layer propagation forward (and
// forward + backward) at width d, each the median of 5 runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/config.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "graph/bipartite_graph.h"
#include "models/propagation.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename F>
double median_seconds(F&& f, int runs = 5) {
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) {
    const double t0 = now();
    f();
    times.push_back(now() - t0);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shiftrec;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_ROOT [layers] [d]\n", argv[0]);
    return 1;
  }
  const int64_t layers = argc > 2 ? std::atoll(argv[2]) : 3;
  const int64_t d = argc > 3 ? std::atoll(argv[3]) : 64;
  at::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  const std::string dir = argv[1];
  Config config = Config::from_string(
      "[data]\nsource = \"lightgcn\"\nroot = \"" + dir +
          "\"\npath = \"gowalla-lightgcn/train.derived.txt.gz\"\n"
          "test_path = \"gowalla-lightgcn/test.txt\"\n[split]\nprotocol = \"given\"\n",
      "bench.toml");
  double t0 = now();
  const Dataset data = load_dataset(config.section("data"), 1);
  const Split split = split_from_config(config.section("split"), data.interactions);
  const double read_seconds = now() - t0;
  BipartiteGraph graph;
  const double build = median_seconds([&] { graph = build_bipartite_graph(split); });
  at::Tensor adjacency;
  const double normalise = median_seconds([&] { adjacency = normalized_adjacency(graph, c10::kCPU); });
  at::manual_seed(0);
  auto nodes = at::randn({graph.n_nodes(), d}) * 0.1;
  const double forward = median_seconds([&] { light_propagate(adjacency, nodes, layers).sum().item<float>(); });
  auto parameters = nodes.clone();
  parameters.set_requires_grad(true);
  const double backward = median_seconds([&] {
    light_propagate(adjacency, parameters, layers).pow(2).sum().backward();
  });
  std::printf("%lld users, %lld items, %lld training edges; read + split %.3f s (cache)\n",
              static_cast<long long>(graph.n_users), static_cast<long long>(graph.n_items),
              static_cast<long long>(graph.n_edges()), read_seconds);
  std::printf("bipartite graph build (Boost CSR): %.3f s; normalised torch sparse: %.3f s\n",
              build, normalise);
  std::printf("LightGCN propagation, %lld layers, d=%lld: forward %.3f s, forward+backward %.3f s\n",
              static_cast<long long>(layers), static_cast<long long>(d), forward, backward);
  return 0;
}
