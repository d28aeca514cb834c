// Charts as Chromium lays them out (Debian's `chromium`, headless): what the report's own
// after-layout check (report_render_check) counts on a page of one chart.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "experiments/report.h"
#include "experiments/svg_chart.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

using testing::command_output;
using testing::read_text;
using testing::TempDir;

// A leaderboard's bars over many long variant names (Yelp's eleven): the turned group labels,
// the first one's above all, stay inside the chart as Chromium lays it out.
TEST(SvgChart, TurnedBarLabelsStayInsideTheirChart) {
  TempDir dir;
  BarChartData data{"test metrics by variant", "", {}, {"ndcg@10", "SHIFT:recall@10"}, {}, {}};
  for (const char* name :
       {"session_graph_sasrec", "bert4rec", "category_shift_sasrec", "gru4rec", "fusion_sasrec",
        "graph_sasrec", "lightgcn", "ngcf", "popularity", "sasrec", "shift_sasrec"}) {
    data.groups.push_back(name);
    data.values.push_back({0.03, 0.01});
  }
  const std::string page = dir.file("bars.html");
  {
    std::ofstream out(page);
    out << "<!doctype html><html><head><meta charset=\"utf-8\"><style>" << report_style()
        << "</style></head><body>" << bar_chart(data) << report_render_check()
        << "</body></html>\n";
  }
  int status = -1;
  const std::string dom = command_output(
      "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + dir.file("profile") +
          " --dump-dom file://" + page + " 2>" + dir.file("chromium.err"),
      &status);
  ASSERT_EQ(status, 0) << read_text(dir.file("chromium.err"));
  std::smatch body;
  ASSERT_TRUE(
      std::regex_search(dom, body, std::regex(R"re(data-texts="(\d+)" data-clipped="(\d+)")re")))
      << dom.substr(0, 2000);
  // The title, 5 y ticks, the x and y axis labels (empty), 11 group labels, 2 legend names.
  EXPECT_EQ(body[1], "21");
  EXPECT_EQ(body[2], "0");
}

}  // namespace
}  // namespace shiftrec
