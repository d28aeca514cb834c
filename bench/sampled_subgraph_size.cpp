// How large is a neighbour-sampled LightGCN batch as the graph grows (issue 18, P4)?
//
//   build/bench/sampled_subgraph_size QUICKSTART_TOML USERS...   e.g. ... 10000 100000 1000000
//
// For each size: the scale benchmark's synthetic data (bench/scale_end_to_end.sh: the
// quickstart config, 100 k items, 1,000 categories), its leave-one-out split and training
// graph, then 20 BPR batches as sampled training draws them: 1,024 training interactions
// (their users, and their items with as many uniform negatives), deduplicated into the seeds of
// two subgraphs (one around the users, one around the items), each sampled with fanouts
// [5, 5, 5] (graph/neighbour_sampling.h). Prints the graph's nodes, the mean seeds, sampled
// nodes and edges per batch (both subgraphs), the bound the fanouts set on the nodes
// (seeds x (1 + 5 + 25 + 125)), and the sampling's milliseconds per batch. An epoch has
// (training interactions / 1,024) batches, so it grows linearly in the users exactly when the
// nodes per batch stop growing with the graph.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench/timing.h"
#include "core/config.h"
#include "core/seed.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "graph/bipartite_graph.h"
#include "graph/neighbour_sampling.h"

int main(int argc, char** argv) {
  using namespace shiftrec;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s QUICKSTART_TOML USERS...\n", argv[0]);
    return 1;
  }
  const std::vector<int64_t> fanouts = {5, 5, 5};
  const int64_t batch = 1024, batches = 20;
  int64_t per_seed = 1, layer = 1;
  for (int64_t f : fanouts) per_seed += (layer *= f);
  std::printf(
      "| users | graph nodes | edges | seeds / batch | sampled nodes / batch | bound | "
      "sampled edges / batch | sampling ms / batch |\n|---|---|---|---|---|---|---|---|\n");
  for (int a = 2; a < argc; ++a) {
    Config config = Config::from_file(argv[1]);
    config.apply_override(std::string("data.synthetic.users=") + argv[a]);
    config.apply_override("data.synthetic.items=100000");
    config.apply_override("data.synthetic.categories=1000");
    const Dataset data = load_dataset(config.section("data"));
    const Split split = leave_one_out(data.interactions);
    const BipartiteGraph graph = build_bipartite_graph(split);
    // Training interactions as (user, index into split.items), to draw BPR pairs from.
    std::vector<std::pair<int32_t, int64_t>> train;
    for (int32_t u = 0; u < split.n_users; ++u) {
      for (int64_t i = 0; i < split.train_length[u]; ++i)
        train.push_back({u, split.offsets[u] + i});
    }
    Rng rng(derive_seed(1, "bench.sampled_subgraph_size"));
    double seeds = 0, nodes = 0, edges = 0, bound = 0, seconds = 0;
    for (int64_t b = 0; b < batches; ++b) {
      std::vector<int32_t> users, items;
      std::unordered_set<int32_t> seen_users, seen_items;
      const auto add_item = [&](int64_t item) {
        const auto node = static_cast<int32_t>(graph.item_node(item));
        if (seen_items.insert(node).second) items.push_back(node);
      };
      for (int64_t i = 0; i < batch; ++i) {
        const auto& [user, index] = train[uniform_index(rng, train.size())];
        if (seen_users.insert(user).second) users.push_back(user);
        add_item(split.items[static_cast<size_t>(index)]);
        add_item(static_cast<int64_t>(uniform_index(rng, static_cast<uint64_t>(split.n_items))));
      }
      const double start = bench::now_seconds();
      const SampledSubgraph around_users = sample_subgraph(graph, users, fanouts, 2 * b + 1);
      const SampledSubgraph around_items = sample_subgraph(graph, items, fanouts, 2 * b + 2);
      seconds += bench::now_seconds() - start;
      seeds += static_cast<double>(users.size() + items.size());
      bound += static_cast<double>((users.size() + items.size()) * per_seed);
      nodes += static_cast<double>(around_users.nodes.size() + around_items.nodes.size());
      edges += static_cast<double>(around_users.adjacency.nnz() + around_items.adjacency.nnz());
    }
    const double n = static_cast<double>(batches);
    std::printf("| %s | %lld | %lld | %.0f | %.0f | %.0f | %.0f | %.1f |\n", argv[a],
                static_cast<long long>(graph.n_nodes()), static_cast<long long>(graph.n_edges()),
                seeds / n, nodes / n, bound / n, edges / n, 1000 * seconds / n);
    std::fflush(stdout);
  }
  return 0;
}
