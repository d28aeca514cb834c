// `shiftrec update`: a complete run continued on newer interactions (new users and items
// included) into a complete new run that eval, recommend and export read like any other; the
// old run is never modified; bad updates are one clear error with nothing written.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::source_path;

// The interactions of `data generate` (user,item,timestamp,regime) cut at the 80% quantile of
// time into old.csv and new.csv; new.csv also gets a new user and a new item (777777).
struct UpdateFixture {
  testing::TempDir dir;
  std::string old_csv, new_csv, run;
  int64_t cut = 0;

  UpdateFixture()
      : old_csv(dir.file("old.csv")), new_csv(dir.file("new.csv")), run(dir.file("run")) {
    const auto generated = run_cli(
        "data generate --config " + source_path("experiments/configs/quickstart.toml") +
            " --set data.synthetic.users=80 --set data.synthetic.items=60 --out " + dir.file("gen"),
        dir);
    EXPECT_EQ(generated.status, 0) << generated.err;
    const std::string csv = dir.file("gen/interactions.csv");
    const std::string text = testing::read_text(csv);
    const std::string header = text.substr(0, text.find('\n'));
    std::vector<std::pair<int64_t, std::string>> rows;
    for (const auto& row : testing::generated_rows(csv)) rows.emplace_back(row.time, row.line);
    std::sort(rows.begin(), rows.end());
    cut = rows[rows.size() * 8 / 10].first;
    std::string old_text = header + "\n", new_text = header + "\n";
    for (const auto& [time, row] : rows) (time < cut ? old_text : new_text) += row + "\n";
    const int64_t last = rows.back().first;
    new_text += "0,777777," + std::to_string(last + 1) + ",0\n";  // a known user, new item
    new_text += "555555,1," + std::to_string(last + 2) + ",0\n";  // a new user
    new_text += "555555,777777," + std::to_string(last + 3) + ",0\n";
    testing::write_text(old_csv, old_text);
    testing::write_text(new_csv, new_text);
    testing::write_text(dir.file("config.toml"),
                        "[data]\nsource = \"csv\"\npath = \"" + old_csv +
                            "\"\nuser_column = \"user\"\nitem_column = \"item\"\n"
                            "time_column = \"timestamp\"\ncache = false\n"
                            "[model]\nd = 16\nmax_length = 20\n[train]\nepochs = 2\n"
                            "[eval]\nks = [10]\n");
  }
  std::string update_args(const std::string& out) const {
    return "update --run " + run + " --interactions " + new_csv + " --out " + out;
  }
};

TEST(Update, ContinuesARunOnNewInteractionsIntoACompleteNewRunAndLeavesTheOldOneAlone) {
  UpdateFixture f;
  ASSERT_EQ(
      run_cli("train --config " + f.dir.file("config.toml") + " --out " + f.run, f.dir).status, 0);
  const std::string model_before = testing::read_text(f.run + "/model.pt");
  const std::string results_before = testing::read_text(f.run + "/results.json");
  const std::string updated = f.dir.file("updated");
  const auto update = run_cli(f.update_args(updated) + " --epochs 2", f.dir);
  ASSERT_EQ(update.status, 0) << update.err;
  // The old run: untouched.
  EXPECT_EQ(testing::read_text(f.run + "/model.pt"), model_before);
  EXPECT_EQ(testing::read_text(f.run + "/results.json"), results_before);
  EXPECT_FALSE(fs::exists(f.run + "/update.json"));
  // The new run: complete, with its provenance.
  for (const char* file : {"resolved.toml", "model.pt", "results.json", "metrics.jsonl",
                           "targets.tsv", "update.json", "log.txt"}) {
    EXPECT_TRUE(fs::exists(updated + "/" + file)) << file;
  }
  const auto provenance = nlohmann::json::parse(testing::read_text(updated + "/update.json"));
  EXPECT_EQ(provenance["new_items"].get<int64_t>(), 1);
  EXPECT_GE(provenance["new_users"].get<int64_t>(), 1);
  const int epochs = testing::count_of(testing::read_text(updated + "/metrics.jsonl"), "\n");
  EXPECT_GE(epochs, 1);
  EXPECT_LE(epochs, 2);  // --epochs bounds the update
  EXPECT_NE(testing::read_text(updated + "/resolved.toml").find("updates = ["), std::string::npos);
  // The new item is known to the updated run only; eval re-reads the grown data.
  EXPECT_EQ(run_cli("recommend --run " + updated + " --history '1 777777' --k 5", f.dir).status, 0);
  const auto stale = run_cli("recommend --run " + f.run + " --history '1 777777' --k 5", f.dir);
  EXPECT_EQ(stale.status, 1);
  EXPECT_NE(stale.err.find("777777"), std::string::npos) << stale.err;
  const auto eval =
      run_cli("eval --run " + updated + " --dump-topk " + f.dir.file("top.tsv"), f.dir);
  EXPECT_EQ(eval.status, 0) << eval.err;
  // An updated run updates again (its updates accumulate in order).
  const auto again = run_cli(
      "update --run " + updated + " --interactions " + f.new_csv + " --out " + f.dir.file("again"),
      f.dir);
  EXPECT_EQ(again.status, 1);  // the same file is older than the updated data now
  EXPECT_NE(again.err.find("older than the run's data"), std::string::npos) << again.err;
}

// --replay trains a share of the other users along: every user at 1, the updated users plus
// half of the others (rounded) at 0.5, the updated users alone by default.
TEST(Update, ReplayTrainsAShareOfTheOtherUsersAlong) {
  UpdateFixture f;
  ASSERT_EQ(
      run_cli("train --config " + f.dir.file("config.toml") + " --out " + f.run, f.dir).status, 0);
  std::set<std::string> users = {"555555"};  // the new user
  for (const auto& row : testing::generated_rows(f.dir.file("gen/interactions.csv"))) {
    users.insert(row.line.substr(0, row.line.find(',')));
  }
  const auto provenance = [&](const std::string& name, const std::string& extra) {
    const auto update = run_cli(f.update_args(f.dir.file(name)) + " --epochs 1" + extra, f.dir);
    EXPECT_EQ(update.status, 0) << update.err;
    return nlohmann::json::parse(testing::read_text(f.dir.file(name + "/update.json")));
  };
  const auto none = provenance("none", "");
  const auto half = provenance("half", " --replay 0.5");
  const auto all = provenance("all", " --replay 1");
  const int64_t updated = none["updated_users"].get<int64_t>();
  ASSERT_GE(updated, 2);
  ASSERT_LT(updated, static_cast<int64_t>(users.size()));
  EXPECT_EQ(none["trained_users"].get<int64_t>(), updated);
  EXPECT_EQ(all["trained_users"].get<int64_t>(), static_cast<int64_t>(users.size()));
  const int64_t others = static_cast<int64_t>(users.size()) - updated;
  EXPECT_EQ(half["trained_users"].get<int64_t>(), updated + (others + 1) / 2);
  EXPECT_EQ(half["updated_users"].get<int64_t>(), updated);
}

// --new-targets-only: the updated users' old interactions stay histories, not targets
// (train/batching's supervised_from, tested there); recorded, and another model than the
// plain update's at the same seed.
TEST(Update, NewTargetsOnlyIsRecordedAndTrainsOtherwise) {
  UpdateFixture f;
  ASSERT_EQ(
      run_cli("train --config " + f.dir.file("config.toml") + " --out " + f.run, f.dir).status, 0);
  const auto plain = run_cli(f.update_args(f.dir.file("plain")) + " --epochs 1", f.dir);
  ASSERT_EQ(plain.status, 0) << plain.err;
  const auto only =
      run_cli(f.update_args(f.dir.file("new")) + " --epochs 1 --new-targets-only", f.dir);
  ASSERT_EQ(only.status, 0) << only.err;
  const auto read = [&](const std::string& name) {
    return nlohmann::json::parse(testing::read_text(f.dir.file(name + "/update.json")));
  };
  EXPECT_FALSE(read("plain")["new_targets_only"].get<bool>());
  EXPECT_TRUE(read("new")["new_targets_only"].get<bool>());
  EXPECT_NE(testing::read_text(f.dir.file("plain/model.pt")),
            testing::read_text(f.dir.file("new/model.pt")));
  // BERT4Rec rebuilds its training sequence from the targets: refused, nothing written.
  const std::string bert = f.dir.file("bert");
  ASSERT_EQ(run_cli("train --config " + f.dir.file("config.toml") +
                        " --set model.name=bert4rec --set train.epochs=1 --out " + bert,
                    f.dir)
                .status,
            0);
  const auto refused = run_cli("update --run " + bert + " --interactions " + f.new_csv + " --out " +
                                   f.dir.file("bert-new") + " --new-targets-only",
                               f.dir);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.err.find("--new-targets-only needs a causal next-item model"),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(f.dir.file("bert-new")));
}

TEST(Update, BadUpdatesAreOneClearErrorAndWriteNothing) {
  UpdateFixture f;
  ASSERT_EQ(
      run_cli("train --config " + f.dir.file("config.toml") + " --out " + f.run, f.dir).status, 0);
  const std::string out = f.dir.file("out");
  struct Case {
    std::string arguments, expected;
  };
  testing::write_text(f.dir.file("other-format.csv"), "who;what;when\n1;2;3\n");
  fs::create_directories(f.dir.file("taken"));
  fs::create_directories(f.dir.file("incomplete"));
  const std::vector<Case> cases = {
      {"update --run " + f.run + " --interactions " + f.old_csv + " --out " + out,
       "old.csv: " /* every old row */},
      {"update --run " + f.run + ".partial --interactions " + f.new_csv + " --out " + out,
       "not a complete run"},
      {"update --run " + f.dir.file("incomplete") + " --interactions " + f.new_csv + " --out " +
           out,
       "not a complete shiftrec run (missing resolved.toml)"},
      {"update --run " + f.run + " --interactions " + f.dir.file("other-format.csv") + " --out " +
           out,
       "other-format.csv"},
      {"update --run " + f.run + " --interactions " + f.dir.file("missing.csv") + " --out " + out,
       "missing.csv: no such file of new interactions"},
      {f.update_args(f.dir.file("taken")), "taken already exists"},
      {f.update_args(out) + " --set model.d=8", "--set model.d=8: an update keeps the run's model"},
      {f.update_args(out) + " --replay 1.5", "--replay must be a share between 0 and 1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.arguments);
    const auto result = run_cli(c.arguments, f.dir);
    EXPECT_EQ(result.status, 1) << result.err;
    EXPECT_EQ(testing::count_of(result.err, "shiftrec: error: "), 1) << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(out)) << "written: " << out;
    EXPECT_FALSE(fs::exists(out + ".partial") || fs::exists(out + ".failed"));
  }
  const auto older =
      run_cli("update --run " + f.run + " --interactions " + f.old_csv + " --out " + out, f.dir);
  EXPECT_NE(older.err.find("are older than the run's data"), std::string::npos) << older.err;

  // An update that stopped does not resume as a plain run would (it would train from scratch).
  ASSERT_EQ(run_cli(f.update_args(out), f.dir).status, 0);
  fs::copy(out, f.dir.file("stopped.partial"), fs::copy_options::recursive);
  fs::remove(f.dir.file("stopped.partial/results.json"));
  const auto resumed = run_cli("resume --run " + f.dir.file("stopped"), f.dir);
  EXPECT_EQ(resumed.status, 1);
  EXPECT_NE(resumed.err.find("an update does not resume"), std::string::npos) << resumed.err;
}

}  // namespace
}  // namespace shiftrec
