// `shiftrec recommend` agrees with the evaluator: asked with every test user's history (and,
// for a time-aware model, its times and the target's time as the request time), it returns
// the top-k lists `eval --dump-topk` wrote and the shift scores targets.tsv holds.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::source_path;

const std::string kTinyData =
    " --set data.synthetic.users=80 --set data.synthetic.items=60 --set "
    "data.synthetic.categories=6";

struct Event {
  std::string item;
  int64_t time = 0;
};

// Each user's sequence (original ids, time order) from `data generate`'s interactions.csv.
std::map<std::string, std::vector<Event>> sequences(const std::string& config,
                                                    const testing::TempDir& dir) {
  const auto generated =
      run_cli("data generate --config " + config + kTinyData + " --out " + dir.file("gen"), dir);
  EXPECT_EQ(generated.status, 0) << generated.err;
  std::map<std::string, std::vector<Event>> out;
  for (const auto& row : testing::generated_rows(dir.file("gen/interactions.csv"))) {
    out[row.user].push_back({row.item, row.time});
  }
  return out;
}

struct DumpRow {
  std::string user;
  std::vector<std::string> top;
};

std::vector<DumpRow> dumped(const std::string& path) {
  std::vector<DumpRow> rows;
  std::istringstream lines(testing::read_text(path));
  std::string line;
  std::getline(lines, line);  // split user target rank label topk
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string split, target, rank, label;
    DumpRow row;
    std::getline(fields, split, '\t');
    std::getline(fields, row.user, '\t');
    std::getline(fields, target, '\t');
    std::getline(fields, rank, '\t');
    std::getline(fields, label, '\t');
    std::string top;
    std::getline(fields, top, '\t');
    std::istringstream ids(top);
    for (std::string id; ids >> id;) row.top.push_back(id);
    rows.push_back(row);
  }
  return rows;
}

// Trains `config` on the tiny set, dumps the test top-20 lists, asks recommend for every
// test user's history in one batch, and returns (answers, dump rows, run dir).
struct Agreement {
  std::vector<nlohmann::json> answers;
  std::vector<DumpRow> dump;
  std::string run;
};

Agreement ask_every_test_user(const std::string& config, const std::string& extra,
                              const testing::TempDir& dir, bool with_times, bool with_users) {
  Agreement out;
  out.run = dir.file("run");
  auto result = run_cli("train --config " + config + kTinyData +
                            " --set train.epochs=2 --set model.d=16 --set log_level=warn" + extra +
                            " --out " + out.run,
                        dir);
  EXPECT_EQ(result.status, 0) << result.err;
  result = run_cli("eval --run " + out.run + " --dump-topk " + dir.file("top.tsv"), dir);
  EXPECT_EQ(result.status, 0) << result.err;
  out.dump = dumped(dir.file("top.tsv"));
  const auto users = sequences(config, dir);
  std::ostringstream requests;
  for (const auto& row : out.dump) {  // leave-one-out: the history is all but the last item
    const auto& events = users.at(row.user);
    nlohmann::json request = {{"history", nlohmann::json::array()}};
    for (size_t i = 0; i + 1 < events.size(); ++i) {
      request["history"].push_back(events[i].item);
      if (with_times) request["times"].push_back(events[i].time);
    }
    if (with_times) request["at"] = events.back().time;
    if (with_users) request["user"] = row.user;
    requests << request.dump() << "\n";
  }
  testing::write_text(dir.file("requests.jsonl"), requests.str());
  result = run_cli("recommend --run " + out.run + " --input " + dir.file("requests.jsonl") +
                       " --out " + dir.file("answers.jsonl") + " --k 20",
                   dir);
  EXPECT_EQ(result.status, 0) << result.err;
  std::istringstream lines(testing::read_text(dir.file("answers.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    out.answers.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// The shift score targets.tsv recorded for each user's test target.
std::map<std::string, double> recorded_test_shift_scores(const std::string& run) {
  std::map<std::string, double> recorded;
  std::istringstream lines(testing::read_text(run + "/targets.tsv"));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string split, user, position, item, history, rank, label, score;
    fields >> split >> user >> position >> item >> history >> rank >> label >> score;
    if (split == "test") recorded[user] = std::stod(score);
  }
  return recorded;
}

std::vector<std::string> items_of(const nlohmann::json& answer) {
  std::vector<std::string> items;
  for (const auto& item : answer["items"]) items.push_back(item["item"]);
  return items;
}

TEST(Recommend, EveryTestUsersHistoryGivesTheEvaluatorsTopKList) {
  testing::TempDir dir;
  const Agreement a = ask_every_test_user(source_path("experiments/configs/quickstart.toml"), "",
                                          dir, false, false);
  ASSERT_EQ(a.answers.size(), a.dump.size());
  ASSERT_EQ(a.dump.size(), 80u);
  for (size_t u = 0; u < a.dump.size(); ++u) {
    EXPECT_EQ(items_of(a.answers[u]), a.dump[u].top) << "user " << a.dump[u].user;
    const auto& items = a.answers[u]["items"];
    for (size_t j = 1; j < items.size(); ++j) {  // best first
      EXPECT_GE(items[j - 1]["score"].get<double>(), items[j]["score"].get<double>());
    }
    const double p = a.answers[u]["shift_probability"];
    EXPECT_TRUE(p >= 0.0 && p <= 1.0);
  }
  // Without a shift head the probability is the softmax mass outside the window, the shift
  // score the evaluator recorded for the same target; an item is a new interest when none of
  // its categories is among the history's last 50 items' (eval.shift_window).
  const auto recorded = recorded_test_shift_scores(a.run);
  std::map<std::string, std::set<std::string>> categories;  // item -> its categories
  std::istringstream rows(testing::read_text(dir.file("gen/item_categories.csv")));
  std::string row;
  std::getline(rows, row);  // header
  while (std::getline(rows, row)) {
    const size_t comma = row.find(',');
    categories[row.substr(0, comma)].insert(row.substr(comma + 1));
  }
  const auto all_users = sequences(source_path("experiments/configs/quickstart.toml"), dir);
  int64_t new_interests = 0, others = 0;
  for (size_t u = 0; u < a.dump.size(); ++u) {
    EXPECT_EQ(a.answers[u]["shift_score"], "softmax_mass");
    EXPECT_NEAR(a.answers[u]["shift_probability"].get<double>(), recorded.at(a.dump[u].user), 1e-5);
    const auto& events = all_users.at(a.dump[u].user);
    std::set<std::string> window;
    for (size_t i = events.size() - 1 - std::min<size_t>(50, events.size() - 1);
         i + 1 < events.size(); ++i) {
      window.insert(categories[events[i].item].begin(), categories[events[i].item].end());
    }
    for (const auto& item : a.answers[u]["items"]) {
      bool outside = true;
      for (const auto& c : categories[item["item"].get<std::string>()]) outside &= !window.count(c);
      EXPECT_EQ(item["new_interest"].get<bool>(), outside) << "user " << a.dump[u].user;
      (outside ? new_interests : others) += 1;
    }
  }
  EXPECT_GT(new_interests, 0);  // both kinds occur among the answers
  EXPECT_GT(others, 0);
  // The single-history form gives the same list as the batch.
  const auto& first = a.answers.front();
  std::string history;
  const auto users = sequences(source_path("experiments/configs/quickstart.toml"), dir);
  const auto& events = users.at(a.dump.front().user);
  for (size_t i = 0; i + 1 < events.size(); ++i) history += events[i].item + " ";
  const auto single =
      run_cli("recommend --run " + a.run + " --history '" + history + "' --k 20 --json", dir);
  ASSERT_EQ(single.status, 0) << single.err;
  EXPECT_EQ(items_of(nlohmann::json::parse(single.out)), items_of(first));
  // An unknown item is an error naming it, unless skipped (and counted).
  auto unknown = run_cli("recommend --run " + a.run + " --history '" + history + " 99999'", dir);
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("--history: item \"99999\" is not in the run's data"),
            std::string::npos)
      << unknown.err;
  unknown = run_cli(
      "recommend --run " + a.run + " --history '" + history + " 99999' --skip-unknown --json", dir);
  ASSERT_EQ(unknown.status, 0) << unknown.err;
  const auto skipped = nlohmann::json::parse(unknown.out);
  EXPECT_EQ(skipped["skipped_unknown"], 1);
  EXPECT_EQ(items_of(skipped), items_of(first));
}

double score_of(const nlohmann::json& answer, const std::string& item) {
  for (const auto& entry : answer["items"]) {
    if (entry["item"] == item) return entry["score"];
  }
  ADD_FAILURE() << "item " << item << " not in the answer";
  return 0.0;
}

// --explain's weights are what deleting that history item does: asked again without the item,
// the recommended item's score (and the shift probability) drop by exactly the weight, and
// the top-weighted item's deletion lowers the score at least as much as any other's.
TEST(Recommend, ExplanationsAreTheScoreDropsOfDeletingEachHistoryItem) {
  testing::TempDir dir;
  const std::string config = source_path("experiments/configs/quickstart.toml");
  const std::string run = dir.file("run");
  auto result =
      run_cli("train --config " + config + kTinyData +
                  " --set train.epochs=3 --set model.d=16 --set log_level=warn --out " + run,
              dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const auto events = sequences(config, dir).at("7");
  std::vector<std::string> history;
  for (size_t i = 0; i + 1 < events.size(); ++i) history.push_back(events[i].item);
  const auto ask = [&](const std::vector<std::string>& items, const std::string& extra) {
    std::string words;
    for (const auto& item : items) words += item + " ";
    const auto r =
        run_cli("recommend --run " + run + " --history '" + words + "' --json" + extra, dir);
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  };
  const auto explained = ask(history, " --k 3 --explain");
  const auto& top = explained["items"][0];
  const std::string item = top["item"];
  ASSERT_FALSE(top["because"].empty());
  const double score = top["score"];
  // Every one-item deletion, asked in one batch.
  std::ostringstream requests;
  for (size_t p = 0; p < history.size(); ++p) {
    std::vector<std::string> shorter = history;
    shorter.erase(shorter.begin() + static_cast<long>(p));
    requests << nlohmann::json{{"history", shorter}}.dump() << "\n";
  }
  testing::write_text(dir.file("deletions.jsonl"), requests.str());
  result = run_cli("recommend --run " + run + " --input " + dir.file("deletions.jsonl") +
                       " --out " + dir.file("deleted.jsonl") + " --k 60",
                   dir);
  ASSERT_EQ(result.status, 0) << result.err;
  std::istringstream answers(testing::read_text(dir.file("deleted.jsonl")));
  double largest = -1e30;
  size_t p = 0;
  for (std::string line; std::getline(answers, line); ++p) {
    const auto without = nlohmann::json::parse(line);
    const double drop = score - score_of(without, item);
    largest = std::max(largest, drop);
    for (const auto& w : top["because"]) {
      if (w["position"] == static_cast<int64_t>(p)) {
        EXPECT_NEAR(w["weight"].get<double>(), drop, 1e-4) << "position " << p;
        EXPECT_EQ(w["item"], history[p]);
      }
    }
    for (const auto& w : explained["shift_because"]) {
      if (w["position"] == static_cast<int64_t>(p)) {
        EXPECT_NEAR(w["weight"].get<double>(),
                    explained["shift_probability"].get<double>() -
                        without["shift_probability"].get<double>(),
                    1e-5);
      }
    }
  }
  EXPECT_EQ(p, history.size());
  EXPECT_NEAR(top["because"][0]["weight"].get<double>(), largest, 1e-4);  // largest first
  EXPECT_LE(top["because"].size(), 5u);
}

// A time-aware model with a shift head: the request time enters as the last gap, and the
// head's probability is the shift score the run recorded for that test target — with the
// recurrent detector too (it reads the whole history and its gaps, and a loaded run keeps the
// detector it trained rather than fitting it again).
void expect_recorded_shift_scores(const std::string& extra) {
  testing::TempDir dir;
  const Agreement a = ask_every_test_user(source_path("experiments/configs/quickstart_shift.toml"),
                                          extra, dir, true, false);
  ASSERT_EQ(a.answers.size(), a.dump.size());
  const auto recorded = recorded_test_shift_scores(a.run);  // user -> the target's shift score
  for (size_t u = 0; u < a.dump.size(); ++u) {
    EXPECT_EQ(items_of(a.answers[u]), a.dump[u].top) << "user " << a.dump[u].user;
    EXPECT_EQ(a.answers[u]["shift_score"], "model");
    EXPECT_NEAR(a.answers[u]["shift_probability"].get<double>(), recorded.at(a.dump[u].user), 1e-5);
  }
  // Without times the model cannot read its gaps: one clear error.
  const auto untimed = run_cli("recommend --run " + a.run + " --history '1 2 3'", dir);
  EXPECT_EQ(untimed.status, 1);
  EXPECT_NE(untimed.err.find("reads time gaps: give the history's times and the request time"),
            std::string::npos)
      << untimed.err;
}

TEST(Recommend, ATimeAwareShiftModelGetsTheRunsShiftScoresFromTimesAndTheRequestTime) {
  expect_recorded_shift_scores("");
}

TEST(Recommend, AShiftModelWithARecurrentDetectorGetsTheRunsShiftScores) {
  expect_recorded_shift_scores(" --set model.shift_recurrent_detector=true");
}

// The interest filter head (its laws fitted in training, restored from the checkpoint)
// ranks a history with its times as it ranked that user's test target, and its shift
// probability is the mixture's mass outside the window that targets.tsv recorded.
TEST(Recommend, TheInterestFilterHeadGivesTheEvaluatorsListsAndShiftScores) {
  testing::TempDir dir;
  const Agreement a =
      ask_every_test_user(source_path("experiments/shift_study/synthetic_interest_filter.toml"),
                          " --set model.interest_filter.iterations=3", dir, true, false);
  ASSERT_EQ(a.answers.size(), a.dump.size());
  ASSERT_FALSE(a.dump.empty());
  const auto recorded = recorded_test_shift_scores(a.run);
  for (size_t u = 0; u < a.dump.size(); ++u) {
    EXPECT_EQ(items_of(a.answers[u]), a.dump[u].top) << "user " << a.dump[u].user;
    EXPECT_NEAR(a.answers[u]["shift_probability"].get<double>(), recorded.at(a.dump[u].user), 1e-5)
        << "user " << a.dump[u].user;
  }
}

// General CF knows users by id: a known user gets the evaluator's list, a bare history a
// clear error.
TEST(Recommend, AGeneralCfModelAnswersForKnownUsersAndSaysWhyNotForANewHistory) {
  testing::TempDir dir;
  const std::string config = dir.file("lightgcn.toml");
  std::string text = testing::read_text(source_path("experiments/configs/quickstart.toml"));
  for (const char* key : {"blocks = 2\n", "heads = 1\n", "dropout = 0.2\n", "max_length = 50\n"}) {
    text.replace(text.find(key), std::string(key).size(), "");
  }
  text.replace(text.find("name = \"sasrec\""), 15, "name = \"lightgcn\"");
  testing::write_text(config, text);
  const Agreement a = ask_every_test_user(config, " --set loss.name=bpr", dir, false, true);
  ASSERT_EQ(a.answers.size(), a.dump.size());
  for (size_t u = 0; u < a.dump.size(); ++u) {
    EXPECT_EQ(items_of(a.answers[u]), a.dump[u].top) << "user " << a.dump[u].user;
  }
  const auto bare = run_cli("recommend --run " + a.run + " --history '1 2 3'", dir);
  EXPECT_EQ(bare.status, 1);
  EXPECT_NE(bare.err.find("knows users by id only (general CF)"), std::string::npos) << bare.err;
}

}  // namespace
}  // namespace shiftrec
