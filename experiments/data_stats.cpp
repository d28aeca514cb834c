#include "experiments/data_stats.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>

#include "datasets/dataset_loader.h"
#include "datasets/shift_labels.h"
#include "datasets/split.h"
#include "experiments/plan.h"

namespace shiftrec {
namespace {

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
  return buffer;
}

}  // namespace

std::string dataset_stats(Config& config, int64_t window) {
  // The whole plan, as `train` reads it: a key train would reject is rejected here too, and the
  // labels follow the config's eval.shift_window and eval.common_category_share.
  const Plan plan = read_plan(config);
  const Dataset& dataset = plan.dataset;
  const Interactions& d = dataset.interactions;
  const Split& split = plan.split;
  if (window <= 0) window = plan.eval.shift_window;

  std::ostringstream os;
  os << "data         " << dataset.description << "\n";
  os << "users        " << d.n_users << "\n";
  os << "items        " << d.n_items << "\n";
  os << "interactions " << d.size() << "\n";
  os << "density      "
     << fixed(static_cast<double>(d.size()) /
                  (static_cast<double>(d.n_users) * static_cast<double>(d.n_items)),
              6)
     << "\n";
  std::vector<int64_t> lengths(d.n_users);
  for (int64_t u = 0; u < d.n_users; ++u) lengths[u] = d.sequence_length(u);
  std::sort(lengths.begin(), lengths.end());
  const auto quantile = [&](double q) {
    return lengths[std::min<size_t>(lengths.size() - 1,
                                    static_cast<size_t>(q * static_cast<double>(lengths.size())))];
  };
  os << "sequence length  min " << lengths.front() << "  p25 " << quantile(0.25) << "  median "
     << quantile(0.5) << "  p75 " << quantile(0.75) << "  p90 " << quantile(0.9) << "  max "
     << lengths.back() << "  mean "
     << fixed(static_cast<double>(d.size()) / static_cast<double>(d.n_users), 2) << "\n";
  const auto [first, last] = std::minmax_element(d.time.begin(), d.time.end());
  os << "time span    " << *first << " .. " << *last << "\n";
  if (!d.has_categories()) {
    os << "categories   none (shift labels need categories)\n";
    return os.str();
  }
  int64_t without = 0;
  for (int64_t i = 0; i < d.n_items; ++i) {
    without += d.category_offsets[i + 1] == d.category_offsets[i] ? 1 : 0;
  }
  os << "categories   " << d.n_categories << "  per item "
     << fixed(static_cast<double>(d.category_ids.size()) / static_cast<double>(d.n_items), 2)
     << "  items without " << without << "\n";
  // The largest categories by name (by index when the source names none).
  std::vector<int64_t> items_in(static_cast<size_t>(d.n_categories), 0);
  for (const int32_t c : d.category_ids) ++items_in[static_cast<size_t>(c)];
  std::vector<int64_t> order(items_in.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return items_in[a] > items_in[b]; });
  os << "largest     ";
  for (size_t k = 0; k < order.size() && k < 5; ++k) {
    os << (k > 0 ? "," : "") << " " << d.category_name(order[k]) << " (" << items_in[order[k]]
       << " items)";
  }
  os << "\n";
  os << "split        " << split.protocol << ": " << split.train_size() << " train, "
     << split.valid.size() << " valid, " << split.test.size() << " test targets\n";
  const auto labels = label_targets(d, split.test, window, plan.eval.common_category_share);
  std::map<std::string, int64_t> counts;
  for (ShiftLabel label : labels) ++counts[shift_label_name(label)];
  os << "test targets by shift label (window " << window << ")\n";
  int64_t shift = 0;
  for (ShiftLabel label : {ShiftLabel::kRepeatItem, ShiftLabel::kInWindow, ShiftLabel::kRevisit,
                           ShiftLabel::kNovel, ShiftLabel::kUnlabelled}) {
    const int64_t n = counts[shift_label_name(label)];
    if (is_shift(label)) shift += n;
    os << "  " << shift_label_name(label)
       << std::string(13 - std::string(shift_label_name(label)).size(), ' ') << n << "  "
       << fixed(labels.empty()
                    ? 0.0
                    : 100.0 * static_cast<double>(n) / static_cast<double>(labels.size()),
                1)
       << "%\n";
  }
  os << "  SHIFT        " << shift << "  "
     << fixed(labels.empty()
                  ? 0.0
                  : 100.0 * static_cast<double>(shift) / static_cast<double>(labels.size()),
              1)
     << "%\n";
  for (const auto& warning : label_coverage_warnings(d, labels, plan.eval.common_category_share)) {
    os << "warning: " << warning << "\n";
  }
  return os.str();
}

}  // namespace shiftrec
