// `shiftrec report RUN_OR_SWEEP... --out report.html`: one self-contained HTML page (inline
// SVG and CSS, no network, no script but a render check) over finished runs of one dataset:
//   - the leaderboard table of the runs (experiments/leaderboard.h) with a bar chart per
//     metric (mean and ± sd over each variant's seeds);
//   - per run: learning curves from metrics.jsonl (training loss; the validation metrics per
//     epoch), the split's per-label bars (each shift label's rank metrics at the smallest
//     cut-off) and the shift-detection ROC curves of the model's score against the baselines.
// Every plotted number carries its value as data attributes (experiments/svg_chart.h), equal to
// results.json and metrics.jsonl. A small inline script (report_render_check) measures each mark
// and each chart text after layout, writes the counts to <body data-plotted data-unrendered
// data-texts data-clipped>, and logs a console error for a mark that did not render or a text
// that reaches outside its chart, so a headless browser can check the page.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace shiftrec {

struct ReportOptions {
  std::vector<std::string> runs;  // run directories or folders of runs (sweeps)
  std::string out;
  std::string split = "test";
  std::vector<std::string> metrics;  // the leaderboard's; empty: the first run's split metrics
  std::map<std::string, std::string> run_names;  // the leaderboard's (experiments/leaderboard.h)
  // Runs given their own section (curves, bars, ROC): the first this many of each leaderboard
  // row (0 = every run), for pages over many seeds that must stay small.
  size_t detailed_per_variant = 0;
};

// The page. Throws UserError for a missing or incomplete run, runs of different datasets
// (their results.json data_fingerprint differ), or a malformed metrics.jsonl line.
std::string render_report(const ReportOptions& options);
// render_report, written atomically to options.out.
void write_report(const ReportOptions& options);

// The style sheet of a page (the charts' font sets the room their labels take) and the
// <script> element it ends with to check itself after layout (above).
const char* report_style();
const char* report_render_check();

}  // namespace shiftrec
