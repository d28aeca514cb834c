// The interest-shift results of one split as the console shows them at the end of `train` and
// `eval` (results.json holds the same numbers): the per-label table and the shift-detection
// AUCs of the model next to its baselines.
//
//   test targets by shift label (window 50):
//     label          count   share  recall@10  ndcg@10  newcat_hit@10
//     IN-WINDOW       2661   88.7%     0.1814   0.1105         0.9962
//     SHIFT            339   11.3%     0.0590   0.0244         0.3127
//   shift detection over 3000 labelled targets, 339 shifts (a random score: ROC-AUC 0.5,
//   PR-AUC 0.113):
//     model                ROC-AUC 0.525  PR-AUC 0.119
//     time_since_previous  ROC-AUC 0.616  PR-AUC 0.228   (baseline)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "eval/label_breakdown.h"
#include "eval/shift_detection.h"

namespace shiftrec {

// The lines, without trailing newlines; empty when the split has no labels (no categories).
// `k`: the cut-off of the table's columns (the smallest configured one >= 10, else the largest).
std::vector<std::string> shift_summary_lines(const std::string& split,
                                             const std::map<std::string, LabelSummary>& by_label,
                                             const ShiftDetection& detection, int64_t window,
                                             int64_t k);

// The cut-off the summary shows for configured `ks`.
int64_t summary_cutoff(const std::vector<int64_t>& ks);

}  // namespace shiftrec
