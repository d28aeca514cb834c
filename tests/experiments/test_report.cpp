// `shiftrec report` opened in headless Chromium (Debian's `chromium`), as a user sees it: the
// page renders without console errors, every plotted mark has a size, and the plotted numbers
// are the runs' own (metrics.jsonl, results.json).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

using testing::run_cli;
using testing::source_path;

const std::string kReportTiny =
    " --set data.synthetic.users=80 --set data.synthetic.items=60 --set data.synthetic.categories=6"
    " --set model.d=16 --set log_level=warn";

struct Mark {
  std::map<std::string, std::string> attributes;
  double number(const std::string& name) const { return std::stod(attributes.at(name)); }
};

// The marks of `html` with their data attributes: bars (which carry their data-series) and a
// line's points (which take it from their series' group).
std::vector<Mark> marks_of(const std::string& html) {
  std::vector<Mark> marks;
  static const std::regex element(
      R"(<(rect)\s([^>]*data-series[^>]*)>|<g class="series" (data-series="[^"]*")|<(circle)\s([^>]*data-y[^>]*)>)");
  static const std::regex attribute(R"re((data-[a-z]+)="([^"]*)")re");
  const auto read = [&](const std::string& text, Mark& mark) {
    for (auto a = std::sregex_iterator(text.begin(), text.end(), attribute);
         a != std::sregex_iterator(); ++a) {
      mark.attributes[(*a)[1]] = (*a)[2];
    }
  };
  Mark group;  // the series group the points read now belong to
  for (auto it = std::sregex_iterator(html.begin(), html.end(), element);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[3].matched) {
      group = Mark();
      read((*it)[3], group);
      continue;
    }
    Mark mark = (*it)[4].matched ? group : Mark();
    read((*it)[(*it)[4].matched ? 5 : 2], mark);
    marks.push_back(std::move(mark));
  }
  return marks;
}

// The part of the page about one run.
std::string section_of(const std::string& html, const std::string& run) {
  const size_t start = html.find("<section class=\"run\" data-run=\"" + run + "\"");
  EXPECT_NE(start, std::string::npos) << run;
  return html.substr(start, html.find("</section>", start) - start);
}

std::vector<const Mark*> series(const std::vector<Mark>& marks, const std::string& prefix) {
  std::vector<const Mark*> out;
  for (const Mark& m : marks) {
    if (m.attributes.at("data-series").rfind(prefix, 0) == 0) out.push_back(&m);
  }
  return out;
}

TEST(Report, ChromiumRendersItWithoutErrorsAndItPlotsTheRunsOwnNumbers) {
  testing::TempDir dir;
  const std::string config = source_path("experiments/configs/quickstart.toml");
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"ce1", " --set seed=1 --set train.epochs=3"},
      {"ce2", " --set seed=2 --set train.epochs=3"},
      {"bce", " --set seed=1 --set train.epochs=2 --set loss.name=bce"}};
  for (const auto& [name, extra] : runs) {
    const auto trained =
        run_cli("train --config " + config + kReportTiny + extra + " --out " + dir.file(name), dir);
    ASSERT_EQ(trained.status, 0) << trained.err;
  }
  const std::string page = dir.file("report.html");
  auto result = run_cli("report " + dir.file("ce1") + " " + dir.file("ce2") + " " +
                            dir.file("bce") + " --metrics ndcg@10,SHIFT:recall@10 --out " + page,
                        dir);
  ASSERT_EQ(result.status, 0) << result.err;

  // Debian's chromium, headless; console messages go to stderr as "CONSOLE" lines.
  int status = -1;
  const std::string dom = testing::command_output(
      "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" + dir.file("profile") +
          " --enable-logging=stderr --v=0 --dump-dom file://" + page + " 2>" +
          dir.file("chromium.err"),
      &status);
  ASSERT_EQ(status, 0) << testing::read_text(dir.file("chromium.err"));
  const std::string console = testing::read_text(dir.file("chromium.err"));
  EXPECT_EQ(console.find("CONSOLE"), std::string::npos) << console;
  std::smatch body;
  ASSERT_TRUE(std::regex_search(
      dom, body,
      std::regex(
          R"re(<body data-plotted="(\d+)" data-unrendered="(\d+)" data-texts="(\d+)" data-clipped="(\d+)")re")))
      << dom.substr(0, 2000);
  EXPECT_GT(std::stoi(body[1]), 50);
  EXPECT_EQ(body[2], "0");  // every mark has a size after layout
  EXPECT_GT(std::stoi(body[3]), 50);
  EXPECT_EQ(body[4], "0");  // every title, tick, label and legend lies inside its chart

  const auto results = [&](const std::string& run) {
    return nlohmann::json::parse(testing::read_text(dir.file(run) + "/results.json"));
  };
  const auto near = [](double plotted, double expected) {
    return std::fabs(plotted - expected) <= 1e-7 * std::max(1.0, std::fabs(expected));
  };
  // Learning curves: metrics.jsonl, epoch by epoch.
  const auto ce1 = marks_of(section_of(dom, dir.file("ce1")));
  std::istringstream lines(testing::read_text(dir.file("ce1") + "/metrics.jsonl"));
  const auto loss = series(ce1, "train loss");
  const auto valid = series(ce1, "valid ndcg@10");
  size_t epoch = 0;
  for (std::string line; std::getline(lines, line); ++epoch) {
    const auto row = nlohmann::json::parse(line);
    ASSERT_LT(epoch, loss.size());
    EXPECT_TRUE(near(loss[epoch]->number("data-x"), row["epoch"].get<double>()));
    EXPECT_TRUE(near(loss[epoch]->number("data-y"), row["train_loss"].get<double>()));
    ASSERT_LT(epoch, valid.size());
    EXPECT_TRUE(near(valid[epoch]->number("data-y"), row["valid"]["ndcg@10"].get<double>()));
  }
  EXPECT_EQ(epoch, 3u);
  EXPECT_EQ(loss.size(), 3u);
  // Per-label bars: results.json's by_shift_label of the test split.
  const auto test = results("ce1")["splits"]["test"];
  int bars = 0;
  for (const Mark& m : ce1) {
    if (m.attributes.count("data-group") == 0) continue;
    const auto& label = test["by_shift_label"][m.attributes.at("data-group")];
    EXPECT_TRUE(near(m.number("data-value"),
                     label["metrics"][m.attributes.at("data-series")].get<double>()))
        << m.attributes.at("data-group") << " " << m.attributes.at("data-series");
    ++bars;
  }
  EXPECT_GE(bars, 6);  // at least three labels with targets × two metrics
  // ROC curves: the stored points of the model's score and of the baselines.
  for (const auto& [name, scores] : test["shift_detection"]["scores"].items()) {
    const auto plotted = series(ce1, name + " (AUC ");
    ASSERT_EQ(plotted.size(), scores["roc"].size()) << name;
    for (size_t i = 0; i < plotted.size(); ++i) {
      EXPECT_TRUE(near(plotted[i]->number("data-x"), scores["roc"][i][0].get<double>()));
      EXPECT_TRUE(near(plotted[i]->number("data-y"), scores["roc"][i][1].get<double>()));
    }
  }
  // The leaderboard bars: the variants' means over seeds.
  const std::string board = dom.substr(0, dom.find("<h2>Runs</h2>"));
  bool found = false;
  for (const Mark& m : marks_of(board)) {
    if (m.attributes.at("data-series") != "ndcg@10" ||
        m.attributes.at("data-group") != "loss.name=ce") {
      continue;
    }
    found = true;
    const double mean = (results("ce1")["splits"]["test"]["metrics"]["ndcg@10"].get<double>() +
                         results("ce2")["splits"]["test"]["metrics"]["ndcg@10"].get<double>()) /
                        2;
    EXPECT_TRUE(near(m.number("data-value"), mean));
    EXPECT_GT(m.number("data-error"), 0.0);  // the sd over the two seeds
  }
  EXPECT_TRUE(found) << board.substr(0, 3000);

  // Runs of another dataset: one error naming the run's results.json.
  const auto other =
      run_cli("train --config " + config + kReportTiny +
                  " --set data.synthetic.users=90 --set train.epochs=1 --out " + dir.file("other"),
              dir);
  ASSERT_EQ(other.status, 0) << other.err;
  result = run_cli(
      "report " + dir.file("ce1") + " " + dir.file("other") + " --out " + dir.file("mixed.html"),
      dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find(dir.file("other") + "/results.json: data_fingerprint"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("a report puts runs of one dataset side by side"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("mixed.html")));
}

}  // namespace
}  // namespace shiftrec
