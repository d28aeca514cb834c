// Inline SVG charts for the HTML report: no script, no network, readable in any browser.
//
// Every plotted number is also written on its mark as data attributes, so a test or a user's
// script can read back exactly what was drawn: a line's points carry data-x and data-y, inside
// the series' group (<g class="series" data-series="NAME">); a bar carries data-group,
// data-series, data-value and data-error.
#pragma once

#include <string>
#include <vector>

namespace shiftrec {

struct LineSeries {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;  // [x.size()]
};

struct LineChartOptions {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool unit_square = false;  // both axes 0..1 with the chance diagonal (ROC curves)
};

// Series of points joined by lines, a legend below; NaN points are left out.
std::string line_chart(const std::vector<LineSeries>& series, const LineChartOptions& options);

struct BarChartData {
  std::string title;
  std::string y_label;
  std::vector<std::string> groups;          // along the x axis
  std::vector<std::string> series;          // bars within a group, one colour each
  std::vector<std::vector<double>> values;  // [group][series]; NaN = no bar
  std::vector<std::vector<double>> errors;  // empty, or [group][series] (± whiskers)
};

std::string bar_chart(const BarChartData& data);

// `text` with &, <, >, " and ' escaped for HTML text and attribute values.
std::string html_escaped(const std::string& text);
// A number as the data attributes carry it: 9 significant digits ("nan" for NaN).
std::string data_number(double value);

}  // namespace shiftrec
