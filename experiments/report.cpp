#include "experiments/report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_input.h"
#include "core/version.h"
#include "eval/label_breakdown.h"
#include "eval/metric_names.h"
#include "experiments/leaderboard.h"
#include "experiments/run_results.h"
#include "experiments/svg_chart.h"

namespace shiftrec {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// 4 decimals, as the leaderboard prints; "-" for NaN.
std::string table_number(double value) {
  if (std::isnan(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

struct EpochRow {
  double epoch = 0;
  double train_loss = kNaN;
  std::map<std::string, double> valid;
};

// metrics.jsonl, one epoch per line; a broken line is an error naming file and line.
std::vector<EpochRow> read_epochs(const std::string& dir) {
  const std::string path = dir + "/metrics.jsonl";
  std::ifstream in(path);
  if (!in) throw UserError(path + ": missing (not a complete shiftrec run)");
  std::vector<EpochRow> rows;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    const nlohmann::json j = parse_json(line, where);
    try {
      EpochRow row;
      row.epoch = j.at("epoch").get<double>();
      if (j.contains("train_loss") && j.at("train_loss").is_number()) {
        row.train_loss = j.at("train_loss").get<double>();
      }
      if (j.contains("valid")) row.valid = j.at("valid").get<std::map<std::string, double>>();
      rows.push_back(std::move(row));
    } catch (const nlohmann::json::exception&) {
      throw UserError(where + ": not an epoch line of metrics.jsonl (epoch, train_loss, valid)");
    }
  }
  return rows;
}

std::string learning_curves(const std::vector<EpochRow>& epochs) {
  LineSeries loss{"train loss", {}, {}};
  std::map<std::string, LineSeries> valid;
  for (const EpochRow& e : epochs) {
    loss.x.push_back(e.epoch);
    loss.y.push_back(e.train_loss);
    for (const auto& [name, value] : e.valid) {
      LineSeries& s = valid[name];
      s.name = "valid " + name;
      s.x.push_back(e.epoch);
      s.y.push_back(value);
    }
  }
  std::vector<LineSeries> valid_series;
  for (auto& [name, s] : valid) valid_series.push_back(std::move(s));
  std::string out = line_chart({loss}, {"Training loss", "epoch", "mean loss", false});
  if (!valid_series.empty()) {
    out += line_chart(valid_series, {"Validation", "epoch", "metric", false});
  }
  return out;
}

// Each label's rank metrics at the smallest cut-off the run reports.
std::string label_bars(const SplitResults& split, const std::string& split_name) {
  if (split.by_label.empty()) return "";
  int64_t smallest = std::numeric_limits<int64_t>::max();
  for (const auto& [name, value] : split.metrics) {
    if (metric_kind(name) == MetricKind::kRank) smallest = std::min(smallest, metric_cutoff(name));
  }
  BarChartData data;
  data.title = "By shift label (" + split_name + ")";
  data.y_label = "metric";
  for (const auto& [name, value] : split.metrics) {
    if (metric_kind(name) == MetricKind::kRank && metric_cutoff(name) == smallest) {
      data.series.push_back(name);
    }
  }
  for (const std::string& label : breakdown_label_names()) {
    const auto it = split.by_label.find(label);
    if (it == split.by_label.end() || it->second.count == 0) continue;
    data.groups.push_back(label);
    std::vector<double> row;
    for (const auto& name : data.series) {
      const auto value = it->second.metrics.find(name);
      row.push_back(value == it->second.metrics.end() ? kNaN : value->second);
    }
    data.values.push_back(row);
  }
  if (data.groups.empty()) return "";
  std::string table = "<table class=\"labels\"><tr><th>label</th><th>targets</th><th>share</th>";
  for (const auto& name : data.series) table += "<th>" + html_escaped(name) + "</th>";
  table += "</tr>";
  for (size_t g = 0; g < data.groups.size(); ++g) {
    const LabelSummary& summary = split.by_label.at(data.groups[g]);
    table += "<tr><td>" + html_escaped(data.groups[g]) + "</td><td>" +
             std::to_string(summary.count) + "</td><td>" + table_number(summary.share) + "</td>";
    for (double v : data.values[g]) table += "<td>" + table_number(v) + "</td>";
    table += "</tr>";
  }
  return bar_chart(data) + table + "</table>";
}

std::string roc_curves(const SplitResults& split, const std::string& split_name) {
  if (!split.detection) return "";
  std::vector<LineSeries> series;
  for (const auto& [name, scores] : split.detection->by_score) {
    if (scores.roc.empty()) continue;
    LineSeries s{
        name + " (AUC " + data_number(std::round(scores.roc_auc * 1000) / 1000) + ")", {}, {}};
    for (const auto& [fpr, tpr] : scores.roc) {
      s.x.push_back(fpr);
      s.y.push_back(tpr);
    }
    series.push_back(std::move(s));
  }
  if (series.empty()) return "";
  return line_chart(
      series, {"Shift detection (" + split_name + ", " + std::to_string(split.detection->shifts) +
                   " shifts of " + std::to_string(split.detection->targets) + ")",
               "false positive rate", "true positive rate", true});
}

std::string leaderboard_section(const Leaderboard& board) {
  std::string out = "<table class=\"leaderboard\"><tr><th>variant</th><th>runs</th>";
  for (size_t m = 0; m < board.metrics.size(); ++m) {
    out += "<th>" + html_escaped(metric_header(board, m)) + "</th>";
  }
  out += "</tr>";
  for (const auto& row : board.rows) {
    out += "<tr><td>" + html_escaped(row.variant) + "</td><td>" + std::to_string(row.runs.size()) +
           "</td>";
    for (size_t m = 0; m < board.metrics.size(); ++m) {
      out += "<td>" + table_number(row.mean[m]) +
             (row.runs.size() > 1 ? " ± " + table_number(row.sd[m]) : std::string()) + "</td>";
    }
    out += "</tr>";
  }
  out += "</table><div class=\"charts\">";
  for (size_t m = 0; m < board.metrics.size(); ++m) {
    BarChartData data;
    data.title = board.metrics[m];
    data.y_label = board.metrics[m];
    data.series = {board.metrics[m]};
    for (const auto& row : board.rows) {
      data.groups.push_back(row.variant);
      data.values.push_back({row.mean[m]});
      data.errors.push_back({row.sd[m]});
    }
    out += bar_chart(data);
  }
  return out + "</div>";
}

const char* kStyle =
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "font-size:13px;text-align:right}td:first-child,th:first-child{text-align:left}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}"
    "svg.chart{font-size:11px;background:#fff;border:1px solid #eee}"
    "svg .title{font-size:13px;font-weight:bold}svg .axes line{stroke:#444}"
    "svg .axes line.grid{stroke:#eee}svg line.chance{stroke:#999;stroke-dasharray:4 3}"
    "svg line.whisker{stroke:#222}.run{border-top:1px solid #ddd;margin-top:16px}"
    ".meta{color:#555;font-size:13px}";

// After layout: every mark with a value must have a size and every chart text must lie inside
// its chart (1 px of rounding allowed); the counts go on <body>.
const char* kRenderCheck =
    "<script>(function(){var marks=document.querySelectorAll('[data-y],[data-value]');"
    "var empty=0;marks.forEach(function(m){var b=m.getBBox();"
    "if(!(b.width>0||b.height>0)){empty++;}});"
    "var texts=document.querySelectorAll('svg.chart text'),clipped=0;"
    "texts.forEach(function(t){var c=t.ownerSVGElement.getBoundingClientRect(),"
    "r=t.getBoundingClientRect();if(r.left<c.left-1||r.right>c.right+1||r.top<c.top-1||"
    "r.bottom>c.bottom+1){clipped++;}});"
    "document.body.dataset.plotted=marks.length;document.body.dataset.unrendered=empty;"
    "document.body.dataset.texts=texts.length;document.body.dataset.clipped=clipped;"
    "if(empty>0){console.error(empty+' plotted marks did not render');}"
    "if(clipped>0){console.error(clipped+' chart texts reach outside their chart');}})();"
    "</script>";

}  // namespace

const char* report_style() { return kStyle; }
const char* report_render_check() { return kRenderCheck; }

std::string render_report(const ReportOptions& options) {
  const std::vector<std::string> runs = expand_run_folders(options.runs);
  if (runs.empty()) throw UserError("report: no runs given");
  std::vector<RunResults> results;
  for (const auto& dir : runs) {
    require_run_files(dir, {"resolved.toml", "results.json", "metrics.jsonl"});
    results.push_back(read_run_results(dir));
    if (results.back().data_fingerprint != results.front().data_fingerprint) {
      throw UserError(dir + "/results.json: data_fingerprint " + results.back().data_fingerprint +
                      " (" + results.back().dataset.description + ") differs from " + runs.front() +
                      "'s " + results.front().data_fingerprint + " (" +
                      results.front().dataset.description +
                      "): a report puts runs of one dataset side by side");
    }
  }
  LeaderboardOptions board_options;
  board_options.runs = runs;
  board_options.split = options.split;
  board_options.metrics = options.metrics;
  board_options.run_names = options.run_names;
  const Leaderboard board = build_leaderboard(board_options);

  std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>shiftrec "
      "report</title><style>" +
      std::string(kStyle) + "</style></head><body><h1>shiftrec report</h1><p class=\"meta\">" +
      std::to_string(runs.size()) + " run(s) on " +
      html_escaped(results.front().dataset.description) + " (" +
      std::to_string(results.front().dataset.users) + " users, " +
      std::to_string(results.front().dataset.items) + " items), split " +
      html_escaped(options.split) + "; shiftrec " + html_escaped(shiftrec_version()) +
      "</p><h2>Leaderboard</h2>" + leaderboard_section(board) + "<h2>Runs</h2>";
  std::set<std::string> detailed;
  for (const auto& row : board.rows) {
    for (size_t i = 0; i < row.runs.size(); ++i) {
      if (options.detailed_per_variant == 0 || i < options.detailed_per_variant) {
        detailed.insert(row.runs[i]);
      }
    }
  }
  if (detailed.size() < runs.size()) {
    html += "<p class=\"meta\">In detail: the first " +
            std::to_string(options.detailed_per_variant) + " run(s) of each row (" +
            std::to_string(detailed.size()) + " of " + std::to_string(runs.size()) +
            "); every run counts in the leaderboard above.</p>";
  }
  for (size_t r = 0; r < runs.size(); ++r) {
    if (!detailed.count(runs[r])) continue;
    const RunResults& run = results[r];
    const SplitResults& split = run.split(options.split, runs[r]);
    html += "<section class=\"run\" data-run=\"" + html_escaped(runs[r]) + "\"><h3>" +
            html_escaped(runs[r]) + "</h3><p class=\"meta\">model " + html_escaped(run.model) +
            ", loss " + html_escaped(run.loss) + ", seed " + std::to_string(run.seed) +
            ", best epoch " + std::to_string(run.best_epoch) + " of " +
            std::to_string(run.epochs_run) + " (selected on valid " +
            html_escaped(run.early_stop_metric) + ")</p><div class=\"charts\">" +
            learning_curves(read_epochs(runs[r])) + label_bars(split, options.split) +
            roc_curves(split, options.split) + "</div></section>";
  }
  return html + kRenderCheck + "</body></html>\n";
}

void write_report(const ReportOptions& options) {
  write_file_atomically(options.out, render_report(options));
}

}  // namespace shiftrec
