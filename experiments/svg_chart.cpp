#include "experiments/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace shiftrec {
namespace {

constexpr double kWidth = 440, kHeight = 270;
constexpr double kLeft = 56, kRight = 12, kTop = 28, kBottom = 56;
const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                "#9467bd", "#8c564b", "#e377c2", "#17becf"};

const char* colour(size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

std::string svg_number(double value, int decimals = 1) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// A short tick label: 0.25, 1.5e+03, 12.
std::string tick_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

struct Range {
  double low = 0, high = 1;
  double span() const { return high > low ? high - low : 1.0; }
};

// The range of `values` (finite ones), widened when flat. A value axis (`is_value_axis`)
// starts at 0 when all are >= 0 and gets headroom above the highest mark.
Range range_of(const std::vector<double>& values, bool is_value_axis) {
  const bool from_zero = is_value_axis;
  Range r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    r.low = std::min(r.low, v);
    r.high = std::max(r.high, v);
  }
  if (!std::isfinite(r.low)) return {0, 1};
  if (from_zero && r.low >= 0) r.low = 0;
  if (r.high <= r.low) r.high = r.low + (r.low == 0 ? 1 : std::fabs(r.low) * 0.1);
  if (is_value_axis) r.high += 0.05 * (r.high - r.low);
  return r;
}

struct Frame {
  Range x, y;
  double px(double v) const { return kLeft + (v - x.low) / x.span() * (kWidth - kLeft - kRight); }
  double py(double v) const {
    return kHeight - kBottom - (v - y.low) / y.span() * (kHeight - kTop - kBottom);
  }
};

// The svg element, `extra` pixels taller than a chart for a legend of several rows and `left`
// pixels wider on the left (the view box starts at x = -left) for labels reaching past x = 0.
std::string open_svg(const std::string& title, const std::string& kind, double extra,
                     double left = 0) {
  const std::string height = svg_number(kHeight + extra, 0);
  const std::string width = svg_number(kWidth + left, 0);
  return "<svg class=\"chart " + kind + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width +
         "\" height=\"" + height + "\" viewBox=\"" + svg_number(-left, 0) + " 0 " + width + " " +
         height + "\" role=\"img\" aria-label=\"" + html_escaped(title) + "\"><title>" +
         html_escaped(title) + "</title><text x=\"" + svg_number(kWidth / 2) +
         "\" y=\"16\" text-anchor=\"middle\" class=\"title\">" + html_escaped(title) + "</text>";
}

// Axes with 5 ticks on y (and on x when `x_ticks`), and the axis labels.
std::string axes(const Frame& f, const std::string& x_label, const std::string& y_label,
                 bool x_ticks) {
  std::string out = "<g class=\"axes\">";
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  out += "<line x1=\"" + svg_number(x0) + "\" y1=\"" + svg_number(y0) + "\" x2=\"" +
         svg_number(x1) + "\" y2=\"" + svg_number(y0) + "\"/><line x1=\"" + svg_number(x0) +
         "\" y1=\"" + svg_number(y0) + "\" x2=\"" + svg_number(x0) + "\" y2=\"" + svg_number(y1) +
         "\"/>";
  for (int i = 0; i <= 4; ++i) {
    const double v = f.y.low + f.y.span() * i / 4;
    out += "<text x=\"" + svg_number(x0 - 4) + "\" y=\"" + svg_number(f.py(v) + 4) +
           "\" text-anchor=\"end\">" + tick_text(v) + "</text><line class=\"grid\" x1=\"" +
           svg_number(x0) + "\" y1=\"" + svg_number(f.py(v)) + "\" x2=\"" + svg_number(x1) +
           "\" y2=\"" + svg_number(f.py(v)) + "\"/>";
    if (x_ticks) {
      const double u = f.x.low + f.x.span() * i / 4;
      out += "<text x=\"" + svg_number(f.px(u)) + "\" y=\"" + svg_number(y0 + 14) +
             "\" text-anchor=\"middle\">" + tick_text(u) + "</text>";
    }
  }
  out += "<text x=\"" + svg_number((x0 + x1) / 2) + "\" y=\"" + svg_number(y0 + 27) +
         "\" text-anchor=\"middle\">" + html_escaped(x_label) + "</text>";
  out += "<text transform=\"translate(12 " + svg_number((y0 + y1) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + html_escaped(y_label) + "</text></g>";
  return out;
}

// One swatch and name per series, in rows below the chart (`below` pixels lower still); `extra`
// gets the height the rows beyond the first need.
std::string legend(const std::vector<std::string>& names, double& extra, double below = 0) {
  constexpr double kRow = 13;
  std::string out = "<g class=\"legend\">";
  double x = kLeft, y = kHeight - 18 + below;
  for (size_t i = 0; i < names.size(); ++i) {
    const double width = 22 + 6.2 * static_cast<double>(names[i].size());
    if (x > kLeft && x + width > kWidth - kRight) {
      x = kLeft;
      y += kRow;
    }
    out += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) +
           "\" width=\"10\" height=\"10\" fill=\"" + colour(i) + "\"/><text x=\"" +
           svg_number(x + 13) + "\" y=\"" + svg_number(y + 9) + "\">" + html_escaped(names[i]) +
           "</text>";
    x += width;
  }
  extra = y - (kHeight - 18 + below);
  return out + "</g>";
}

// The x-axis labels of a bar chart's groups as shown: a "key=" prefix that every label shares
// (one option naming every variant, "model.name=") is left out — the full names stay in the
// bars' data and titles.
std::vector<std::string> shown_group_labels(const std::vector<std::string>& groups) {
  if (groups.size() < 2) return groups;
  const auto eq = groups[0].find('=');
  if (eq == std::string::npos) return groups;
  const std::string prefix = groups[0].substr(0, eq + 1);
  for (const auto& g : groups) {
    if (g.rfind(prefix, 0) != 0 || g.find('=', eq + 1) != std::string::npos) return groups;
  }
  std::vector<std::string> shown;
  for (const auto& g : groups) shown.push_back(g.substr(prefix.size()));
  return shown;
}

}  // namespace

std::string html_escaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string data_number(double value) {
  if (std::isnan(value)) return "nan";
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string line_chart(const std::vector<LineSeries>& series, const LineChartOptions& options) {
  std::vector<double> xs, ys;
  for (const auto& s : series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  Frame f{range_of(xs, false), range_of(ys, true)};
  if (options.unit_square) f = {{0, 1}, {0, 1}};
  std::vector<std::string> names;
  for (const auto& s : series) names.push_back(s.name);
  double extra = 0;
  const std::string key = legend(names, extra);
  std::string out = open_svg(options.title, "line", extra);
  out += axes(f, options.x_label, options.y_label, true);
  if (options.unit_square) {
    out += "<line class=\"chance\" x1=\"" + svg_number(f.px(0)) + "\" y1=\"" + svg_number(f.py(0)) +
           "\" x2=\"" + svg_number(f.px(1)) + "\" y2=\"" + svg_number(f.py(1)) + "\"/>";
  }
  for (size_t s = 0; s < series.size(); ++s) {
    const LineSeries& line = series[s];
    std::string points;
    std::string marks;
    for (size_t i = 0; i < line.x.size() && i < line.y.size(); ++i) {
      if (!std::isfinite(line.x[i]) || !std::isfinite(line.y[i])) continue;
      const std::string px = svg_number(f.px(line.x[i]), 2), py = svg_number(f.py(line.y[i]), 2);
      points += px + "," + py + " ";
      marks += "<circle cx=\"" + px + "\" cy=\"" + py + "\" r=\"2.5\" data-x=\"" +
               data_number(line.x[i]) + "\" data-y=\"" + data_number(line.y[i]) + "\"/>";
    }
    // The series' name and colour are on its group, not repeated on each of its points: a
    // report's ROC and learning curves hold thousands of them.
    out += "<g class=\"series\" data-series=\"" + html_escaped(line.name) + "\" fill=\"" +
           colour(s) + "\"><polyline fill=\"none\" stroke=\"" + std::string(colour(s)) +
           "\" stroke-width=\"1.5\" points=\"" + points + "\"/>" + marks + "</g>";
  }
  return out + key + "</svg>";
}

std::string bar_chart(const BarChartData& data) {
  std::vector<double> tops;
  for (size_t g = 0; g < data.values.size(); ++g) {
    for (size_t s = 0; s < data.values[g].size(); ++s) {
      const double error = data.errors.empty() ? 0.0 : data.errors[g][s];
      tops.push_back(data.values[g][s] + (std::isfinite(error) ? error : 0.0));
    }
  }
  Frame f{{0, 1}, range_of(tops, true)};
  const double plot_width = kWidth - kLeft - kRight;
  const double group_width =
      plot_width / static_cast<double>(std::max<size_t>(1, data.groups.size()));
  // Labels wider than their group are turned 40 degrees and the chart grows to hold them.
  const std::vector<std::string> labels = shown_group_labels(data.groups);
  constexpr double kCharWidth = 6.2;
  size_t longest = 0;
  for (const auto& label : labels) longest = std::max(longest, label.size());
  const bool turned = kCharWidth * static_cast<double>(longest) > group_width * 0.95;
  const double label_drop = turned ? kCharWidth * static_cast<double>(longest) * 0.643 : 0.0;
  // A turned label ends at its group's centre and reaches cos(40 degrees) of its length to the
  // left: the chart widens on the left by what the furthest one passes x = 0 (plus a margin).
  double overhang = 0;
  for (size_t g = 0; turned && g < labels.size(); ++g) {
    const double reach = kCharWidth * static_cast<double>(labels[g].size()) * 0.766;
    const double centre = kLeft + group_width * (static_cast<double>(g) + 0.5);
    overhang = std::max(overhang, std::ceil(reach - centre + 4));
  }
  double extra = 0;
  const std::string key = legend(data.series, extra, label_drop);
  extra += label_drop;
  std::string out = open_svg(data.title, "bar", extra, overhang);
  out += axes(f, "", data.y_label, false);
  const double bar_width =
      group_width * 0.8 / static_cast<double>(std::max<size_t>(1, data.series.size()));
  for (size_t g = 0; g < data.groups.size(); ++g) {
    const double x0 = kLeft + group_width * static_cast<double>(g) + group_width * 0.1;
    const std::string lx = svg_number(x0 + group_width * 0.4),
                      ly = svg_number(kHeight - kBottom + 13);
    out += "<text class=\"group\" x=\"" + lx + "\" y=\"" + ly +
           (turned ? "\" text-anchor=\"end\" transform=\"rotate(-40 " + lx + " " + ly + ")\">"
                   : "\" text-anchor=\"middle\">") +
           html_escaped(labels[g]) + "</text>";
    for (size_t s = 0; s < data.series.size(); ++s) {
      const double value = data.values[g][s];
      if (!std::isfinite(value)) continue;
      const double error = data.errors.empty() ? 0.0 : data.errors[g][s];
      const double x = x0 + bar_width * static_cast<double>(s);
      const double top = f.py(value), base = f.py(std::max(0.0, f.y.low));
      out += "<rect class=\"bar\" x=\"" + svg_number(x, 2) + "\" y=\"" +
             svg_number(std::min(top, base), 2) + "\" width=\"" + svg_number(bar_width * 0.92, 2) +
             "\" height=\"" + svg_number(std::max(0.5, std::fabs(base - top)), 2) + "\" fill=\"" +
             colour(s) + "\" data-group=\"" + html_escaped(data.groups[g]) + "\" data-series=\"" +
             html_escaped(data.series[s]) + "\" data-value=\"" + data_number(value) +
             "\" data-error=\"" + data_number(error) + "\"><title>" +
             html_escaped(data.groups[g] + " " + data.series[s] + ": " + tick_text(value)) +
             "</title></rect>";
      if (error > 0) {
        const double cx = x + bar_width * 0.46;
        out += "<line class=\"whisker\" x1=\"" + svg_number(cx, 2) + "\" y1=\"" +
               svg_number(f.py(value - error), 2) + "\" x2=\"" + svg_number(cx, 2) + "\" y2=\"" +
               svg_number(f.py(value + error), 2) + "\"/>";
      }
    }
  }
  return out + key + "</svg>";
}

}  // namespace shiftrec
