#include "datasets/synthetic.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "core/atomic_file.h"
#include "core/config.h"
#include "core/error.h"
#include "core/seed.h"

namespace shiftrec {

SyntheticOptions SyntheticOptions::from_config(ConfigSection s) {
  SyntheticOptions o;
  constexpr int64_t kMaxCount = int64_t{1} << 30;
  o.users = s.get_int("users", o.users, 1, kMaxCount, "number of users");
  o.items = s.get_int("items", o.items, 2, kMaxCount, "number of items");
  o.categories = s.get_int("categories", o.categories, 2, 1 << 20, "number of item categories");
  o.graph_degree = s.get_int("graph_degree", o.graph_degree, 1, 1 << 10,
                             "out-edges per category in the shared shift graph");
  o.active_interests = s.get_int("active_interests", o.active_interests, 1, 1 << 10,
                                 "categories a user is interested in at once");
  o.min_length = s.get_int("min_length", o.min_length, 3, 1 << 20,
                           "shortest user sequence (LOO needs at least 3)");
  o.max_length = s.get_int("max_length", o.max_length, 3, 1 << 20, "longest user sequence");
  o.shift_rate = s.get_double("shift_rate", o.shift_rate, 0.0, 1.0,
                              "probability of a regime change after each interaction");
  o.graph_follow = s.get_double("graph_follow", o.graph_follow, 0.0, 1.0,
                                "probability a new interest follows the shift graph");
  o.item_power_law = s.get_double("item_power_law", o.item_power_law, 0.0, 10.0,
                                  "power-law exponent of item popularity within a category");
  o.noise = s.get_double("noise", o.noise, 0.0, 1.0,
                         "probability an interaction is a uniform random item");
  o.mean_gap_seconds = s.get_double("mean_gap_seconds", o.mean_gap_seconds, 1.0, 1e9,
                                    "mean time between interactions within a regime");
  o.shift_gap_factor = s.get_double("shift_gap_factor", o.shift_gap_factor, 1.0, 1e6,
                                    "how much longer the gap is across a regime change");
  o.seed = static_cast<uint64_t>(
      s.get_int("seed", static_cast<int64_t>(o.seed), 0, ConfigSection::kIntMax,
                "generator seed, fixed by the config (not the run seed): a seed sweep "
                "varies the model, not the data"));
  if (o.max_length < o.min_length) {
    s.fail("max_length", "value " + std::to_string(o.max_length) +
                             " is below min_length = " + std::to_string(o.min_length));
  }
  if (o.categories < o.active_interests + 1) {
    s.fail("categories", "value " + std::to_string(o.categories) +
                             " leaves no category to shift to: expected at least "
                             "active_interests + 1 = " +
                             std::to_string(o.active_interests + 1));
  }
  if (o.graph_degree >= o.categories) {
    s.fail("graph_degree", "value " + std::to_string(o.graph_degree) +
                               " is too large: expected at most categories - 1 = " +
                               std::to_string(o.categories - 1));
  }
  if (o.items < o.categories) {
    s.fail("items", "value " + std::to_string(o.items) +
                        " leaves categories without items: expected at least categories = " +
                        std::to_string(o.categories));
  }
  return o;
}

namespace {

// Draws an index from a cumulative weight table [begin, end) by binary search.
int64_t draw_cumulative(Rng& rng, const double* begin, const double* end) {
  const double total = *(end - 1);
  const double x = uniform01(rng) * total;
  const double* it = std::upper_bound(begin, end, x);
  return std::min<int64_t>(it - begin, (end - begin) - 1);
}

struct World {
  std::vector<int32_t> item_category;          // [items]
  std::vector<int64_t> category_item_offsets;  // [categories + 1]
  std::vector<int32_t> category_items;         // items grouped by category, rank order
  std::vector<double> rank_cumulative;         // cumulative power-law weights per rank
  std::vector<int32_t> graph_targets;          // [categories * degree]
  std::vector<double> graph_weights;           // [categories * degree]
};

World build_world(const SyntheticOptions& o) {
  World w;
  Rng rng(derive_seed(o.seed, "synthetic.world"));
  std::vector<int32_t> order(o.items);
  std::iota(order.begin(), order.end(), 0);
  for (int64_t i = o.items - 1; i > 0; --i) {
    std::swap(order[i], order[uniform_index(rng, static_cast<uint64_t>(i + 1))]);
  }
  w.item_category.resize(o.items);
  w.category_item_offsets.assign(o.categories + 1, 0);
  for (int64_t j = 0; j < o.items; ++j) {
    const int32_t c = static_cast<int32_t>(j % o.categories);
    w.item_category[order[j]] = c;
    ++w.category_item_offsets[c + 1];
  }
  std::partial_sum(w.category_item_offsets.begin(), w.category_item_offsets.end(),
                   w.category_item_offsets.begin());
  w.category_items.resize(o.items);
  std::vector<int64_t> fill(w.category_item_offsets.begin(), w.category_item_offsets.end() - 1);
  for (int64_t j = 0; j < o.items; ++j) {  // shuffled order = popularity rank order
    const int32_t item = order[j];
    w.category_items[fill[w.item_category[item]]++] = item;
  }
  int64_t largest = 0;
  for (int64_t c = 0; c < o.categories; ++c) {
    largest = std::max(largest, w.category_item_offsets[c + 1] - w.category_item_offsets[c]);
  }
  w.rank_cumulative.resize(largest);
  double sum = 0.0;
  for (int64_t r = 0; r < largest; ++r) {
    sum += std::pow(static_cast<double>(r + 1), -o.item_power_law);
    w.rank_cumulative[r] = sum;
  }
  // Shift graph: distinct targets other than the source, weights 1/(rank+1).
  w.graph_targets.resize(o.categories * o.graph_degree);
  w.graph_weights.resize(o.categories * o.graph_degree);
  for (int64_t c = 0; c < o.categories; ++c) {
    for (int64_t e = 0; e < o.graph_degree; ++e) {
      int32_t target;
      bool fresh;
      do {
        target = static_cast<int32_t>(uniform_index(rng, static_cast<uint64_t>(o.categories)));
        fresh = target != c;
        for (int64_t k = 0; k < e && fresh; ++k)
          fresh = w.graph_targets[c * o.graph_degree + k] != target;
      } while (!fresh);
      w.graph_targets[c * o.graph_degree + e] = target;
      w.graph_weights[c * o.graph_degree + e] = 1.0 / static_cast<double>(e + 1);
    }
  }
  return w;
}

bool contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A category not in `active`: from the shift graph of `from` with probability graph_follow
// (when it has an inactive neighbour), else uniform among the inactive ones.
int32_t draw_new_interest(Rng& rng, const SyntheticOptions& o, const World& w,
                          const std::vector<int32_t>& active, int32_t from, bool* followed) {
  if (uniform01(rng) < o.graph_follow) {
    std::vector<double> cumulative;
    std::vector<int32_t> candidates;
    double sum = 0.0;
    for (int64_t e = 0; e < o.graph_degree; ++e) {
      const int32_t target = w.graph_targets[from * o.graph_degree + e];
      if (contains(active, target)) continue;
      sum += w.graph_weights[from * o.graph_degree + e];
      cumulative.push_back(sum);
      candidates.push_back(target);
    }
    if (!candidates.empty()) {
      *followed = true;
      return candidates[draw_cumulative(rng, cumulative.data(),
                                        cumulative.data() + cumulative.size())];
    }
  }
  *followed = false;
  int32_t c;
  do {
    c = static_cast<int32_t>(uniform_index(rng, static_cast<uint64_t>(o.categories)));
  } while (contains(active, c));
  return c;
}

// One user's sequence from their own generator (so users are independent of each other's
// draws): regimes, planted change points, times and items, appended to `out`.
void simulate_user(int64_t u, const SyntheticOptions& o, const World& w, SyntheticData& out,
                   std::vector<int32_t>& active) {
  Interactions& data = out.interactions;
  Rng rng(derive_seed(o.seed, "synthetic.user", static_cast<uint64_t>(u)));
  const int64_t length =
      o.min_length + static_cast<int64_t>(uniform_index(
                         rng, static_cast<uint64_t>(o.max_length - o.min_length + 1)));
  active.clear();
  while (static_cast<int64_t>(active.size()) < o.active_interests) {
    const auto c = static_cast<int32_t>(uniform_index(rng, static_cast<uint64_t>(o.categories)));
    if (!contains(active, c)) active.push_back(c);
  }
  double time = 1.6e9 + uniform01(rng) * 3.0e7;
  int32_t regime = 0;
  for (int64_t p = 0; p < length; ++p) {
    double gap = -std::log1p(-uniform01(rng)) * o.mean_gap_seconds;
    if (p > 0 && uniform01(rng) < o.shift_rate) {
      const size_t slot = uniform_index(rng, active.size());
      const int32_t dropped = active[slot];
      bool followed = false;
      const int32_t fresh = draw_new_interest(rng, o, w, active, dropped, &followed);
      active[slot] = fresh;
      ++regime;
      gap *= o.shift_gap_factor;
      out.change_points.push_back(
          {static_cast<int32_t>(u), static_cast<int32_t>(p), dropped, fresh, followed});
    }
    time += gap;
    int32_t item;
    if (uniform01(rng) < o.noise) {
      item = static_cast<int32_t>(uniform_index(rng, static_cast<uint64_t>(o.items)));
    } else {
      const int32_t c = active[uniform_index(rng, active.size())];
      const int64_t begin = w.category_item_offsets[c];
      const int64_t size = w.category_item_offsets[c + 1] - begin;
      const int64_t rank =
          draw_cumulative(rng, w.rank_cumulative.data(), w.rank_cumulative.data() + size);
      item = w.category_items[begin + rank];
    }
    if (o.record_active_interests) {
      out.active_interests.insert(out.active_interests.end(), active.begin(), active.end());
    }
    data.user.push_back(static_cast<int32_t>(u));
    data.item.push_back(item);
    data.time.push_back(static_cast<int64_t>(time));
    out.regime.push_back(regime);
  }
}

// The ids, categories and the planted truth the oracle reads (item weights, shift graph).
void record_world(const SyntheticOptions& o, const World& w, SyntheticData& out) {
  Interactions& data = out.interactions;
  data.user_original_ids = OriginalIds::sequence(o.users);
  data.item_original_ids = OriginalIds::sequence(o.items);
  data.category_offsets.resize(o.items + 1);
  std::iota(data.category_offsets.begin(), data.category_offsets.end(), int64_t{0});
  data.category_ids = w.item_category;
  out.n_active = o.active_interests;
  out.item_in_category.resize(o.items);
  for (int64_t c = 0; c < o.categories; ++c) {
    const int64_t begin = w.category_item_offsets[c];
    const int64_t size = w.category_item_offsets[c + 1] - begin;
    for (int64_t r = 0; r < size; ++r) {
      const double weight = w.rank_cumulative[r] - (r > 0 ? w.rank_cumulative[r - 1] : 0.0);
      out.item_in_category[w.category_items[begin + r]] = weight / w.rank_cumulative[size - 1];
    }
  }
  out.graph_degree = o.graph_degree;
  out.graph_targets = w.graph_targets;
  out.graph_weights = w.graph_weights;
}

}  // namespace

SyntheticData generate_synthetic(const SyntheticOptions& o) {
  SHIFTREC_ASSERT(o.categories > o.active_interests && o.graph_degree < o.categories &&
                      o.items >= o.categories && o.min_length <= o.max_length,
                  "synthetic options not validated");
  const World w = build_world(o);
  SyntheticData out;
  Interactions& data = out.interactions;
  data.n_users = o.users;
  data.n_items = o.items;
  data.n_categories = o.categories;
  const int64_t expected = o.users * (o.min_length + o.max_length) / 2;
  data.user.reserve(expected);
  data.item.reserve(expected);
  data.time.reserve(expected);
  out.regime.reserve(expected);
  std::vector<int32_t> active;
  for (int64_t u = 0; u < o.users; ++u) simulate_user(u, o, w, out, active);
  record_world(o, w, out);
  data.sort_and_index();  // already sorted: only builds offsets
  return out;
}

void save_synthetic(const SyntheticData& data, const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) throw UserError("cannot create directory " + directory + ": " + ec.message());
  const Interactions& d = data.interactions;
  {
    AtomicWriter writer(directory + "/interactions.csv");
    std::ostream& os = writer.stream();
    os << "user,item,timestamp,regime\n";
    for (int64_t i = 0; i < d.size(); ++i) {
      os << d.user_original_ids.name(d.user[i]) << ',' << d.item_original_ids.name(d.item[i]) << ','
         << d.time[i] << ',' << data.regime[i] << '\n';
    }
    writer.commit();
  }
  {
    std::ostringstream os;
    os << "item,category\n";
    for (int64_t i = 0; i < d.n_items; ++i) {
      for (int64_t k = d.category_offsets[i]; k < d.category_offsets[i + 1]; ++k) {
        os << d.item_original_ids.name(i) << ',' << d.category_ids[k] << '\n';
      }
    }
    write_file_atomically(directory + "/item_categories.csv", os.str());
  }
  {
    std::ostringstream os;
    os << "user,position,timestamp,dropped_category,new_category,followed_graph\n";
    for (const ChangePoint& c : data.change_points) {
      os << d.user_original_ids.name(c.user) << ',' << c.position << ','
         << d.time[d.user_offsets[c.user] + c.position] << ',' << c.dropped_category << ','
         << c.new_category << ',' << (c.followed_graph ? 1 : 0) << '\n';
    }
    write_file_atomically(directory + "/change_points.csv", os.str());
  }
  {
    std::ostringstream os;
    os << "from,to,weight\n";
    const int64_t n_categories = d.n_categories;
    for (int64_t c = 0; c < n_categories; ++c) {
      for (int64_t e = 0; e < data.graph_degree; ++e) {
        os << c << ',' << data.graph_targets[c * data.graph_degree + e] << ','
           << data.graph_weights[c * data.graph_degree + e] << '\n';
      }
    }
    write_file_atomically(directory + "/shift_graph.csv", os.str());
  }
}

}  // namespace shiftrec
