#include "experiments/shift_summary.h"

#include <algorithm>
#include <cstdio>

namespace shiftrec {
namespace {

std::string cell(const char* format, double value) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string padded(const std::string& text, size_t width, bool right) {
  if (text.size() >= width) return text;
  const std::string pad(width - text.size(), ' ');
  return right ? pad + text : text + pad;
}

}  // namespace

int64_t summary_cutoff(const std::vector<int64_t>& ks) {
  int64_t best = 0;
  for (int64_t k : ks) {
    if (k >= 10 && (best < 10 || k < best)) best = k;
  }
  if (best == 0 && !ks.empty()) best = *std::max_element(ks.begin(), ks.end());
  return best;
}

std::vector<std::string> shift_summary_lines(const std::string& split,
                                             const std::map<std::string, LabelSummary>& by_label,
                                             const ShiftDetection& detection, int64_t window,
                                             int64_t k) {
  std::vector<std::string> lines;
  if (by_label.empty()) return lines;
  const std::string at = "@" + std::to_string(k);
  const std::vector<std::string> columns = {"recall" + at, "ndcg" + at, "newcat_hit" + at};
  lines.push_back(split + " targets by shift label (window " + std::to_string(window) + "):");
  std::string header =
      "  " + padded("label", 12, false) + padded("count", 8, true) + padded("share", 8, true);
  for (const auto& c : columns) header += padded(c, c.size() + 2, true);
  lines.push_back(header);
  for (const char* label :
       {"REPEAT-ITEM", "IN-WINDOW", "REVISIT", "NOVEL", "SHIFT", "UNLABELLED"}) {
    const auto found = by_label.find(label);
    if (found == by_label.end()) continue;
    const LabelSummary& s = found->second;
    std::string row = "  " + padded(label, 12, false) + padded(std::to_string(s.count), 8, true) +
                      padded(cell("%.1f%%", 100.0 * s.share), 8, true);
    for (const auto& c : columns) {
      const auto value = s.metrics.find(c);
      row +=
          padded(value == s.metrics.end() ? "-" : cell("%.4f", value->second), c.size() + 2, true);
    }
    lines.push_back(row);
  }
  if (detection.targets == 0 || detection.by_score.empty()) return lines;
  const double base_rate =
      static_cast<double>(detection.shifts) / static_cast<double>(detection.targets);
  lines.push_back("shift detection over " + std::to_string(detection.targets) +
                  " labelled targets, " + std::to_string(detection.shifts) +
                  " shifts (a random score: ROC-AUC 0.5, PR-AUC " + cell("%.3f", base_rate) + "):");
  size_t width = 0;
  for (const auto& [name, scores] : detection.by_score) width = std::max(width, name.size());
  // The model's own score first, then the baselines every run is compared with.
  std::vector<std::string> order;
  for (const auto& [name, scores] : detection.by_score) {
    if (name == "model")
      order.insert(order.begin(), name);
    else
      order.push_back(name);
  }
  for (const auto& name : order) {
    const DetectionScores& s = detection.by_score.at(name);
    lines.push_back("  " + padded(name, width + 2, false) + "ROC-AUC " + cell("%.3f", s.roc_auc) +
                    "  PR-AUC " + cell("%.3f", s.pr_auc) +
                    (name == "model" ? "" : "   (baseline)"));
  }
  return lines;
}

}  // namespace shiftrec
