// Metrics per interest-shift label: every metric, overall and for the targets of each label
// (REPEAT-ITEM, IN-WINDOW, SHIFT = REVISIT + NOVEL, REVISIT, NOVEL, UNLABELLED), with the
// label's count and share of the targets. An empty label has count 0 and no metrics —
// never a silent 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/shift_labels.h"

namespace shiftrec {

struct LabelSummary {
  int64_t count = 0;
  double share = 0.0;                     // count / all targets
  std::map<std::string, double> metrics;  // empty when count == 0
};

// The keys of metrics_by_label, in table order: "REPEAT-ITEM", "IN-WINDOW", "SHIFT" (REVISIT
// and NOVEL together), "REVISIT", "NOVEL", "UNLABELLED".
const std::vector<std::string>& breakdown_label_names();

// ranks [T] 1-based, labels [T], query_offsets as in mean_metrics (empty: one query per
// target). A label's metrics average over the queries with a target of that label, each
// scored on those targets only (ranks stay among all candidates). Keys: "REPEAT-ITEM", "IN-WINDOW",
// "SHIFT", "REVISIT", "NOVEL", "UNLABELLED".
std::map<std::string, LabelSummary> metrics_by_label(
    const std::vector<std::string>& metric_names, const std::vector<int64_t>& ranks,
    const std::vector<ShiftLabel>& labels, const std::vector<int64_t>& query_offsets = {});

}  // namespace shiftrec
