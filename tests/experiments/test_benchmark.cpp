// `shiftrec benchmark`: plans run as sweeps per model row, the board they make, resumption,
// and plans that are not plans.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::count_of;
using testing::run_cli;
using testing::source_path;

const std::string kTinyBenchmark =
    " --set data.synthetic.users=80 --set data.synthetic.items=60"
    " --set data.synthetic.categories=6 --set train.epochs=2 --set threads=1"
    " --set log_level=warn";

std::string benchmark_plan_text(const std::string& extra_row = "") {
  return "name = \"tiny\"\nconfig = \"" + source_path("experiments/configs/quickstart.toml") +
         "\"\nseeds = [1, 2]\n"
         "[models.popularity]\nmodel = { name = \"popularity\" }\n"
         "[models.sasrec]\nfrom_config = true\nmodel = { d = 16 }\n"
         "[models.lightgcn]\nmodel = { name = \"lightgcn\", d = 16, layers = 2 }\n"
         "loss = { name = \"bpr\" }\nset = [\"train.batch_size = 64\"]\n" +
         extra_row;
}

double benchmark_test_metric(const std::string& run, const std::string& metric) {
  return nlohmann::json::parse(
             testing::read_text(run + "/results.json"))["splits"]["test"]["metrics"][metric]
      .get<double>();
}

TEST(Benchmark, RunsEveryRowOverItsSeedsWritesTheBoardAndResumes) {
  testing::TempDir dir;
  testing::write_text(dir.file("tiny.toml"), benchmark_plan_text());
  const std::string out = dir.file("runs"), board = dir.file("board.md");
  const std::string args = "benchmark " + dir.file("tiny.toml") + kTinyBenchmark + " --out " + out +
                           " --board " + board + " --report " + dir.file("pages");
  const auto first = run_cli(args, dir);
  ASSERT_EQ(first.status, 0) << first.err;
  for (const char* model : {"popularity", "sasrec", "lightgcn"}) {
    for (const char* seed : {"seed=1", "seed=2"}) {
      EXPECT_TRUE(fs::exists(out + "/tiny/" + model + "/" + seed + "/results.json"))
          << model << " " << seed;
    }
  }
  // Each row's own overrides reached its runs, and nothing else's.
  const std::string lightgcn = testing::read_text(out + "/tiny/lightgcn/seed=1/resolved.toml");
  EXPECT_NE(lightgcn.find("batch_size = 64"), std::string::npos);
  EXPECT_EQ(testing::read_text(out + "/tiny/sasrec/seed=1/resolved.toml").find("batch_size = 64"),
            std::string::npos);
  const std::string text = testing::read_text(board);
  EXPECT_EQ(text, first.out);
  EXPECT_NE(text.find("## tiny"), std::string::npos) << text;
  EXPECT_NE(text.find("Protocol: split `loo`"), std::string::npos) << text;
  EXPECT_NE(text.find("shift_roc_auc:time_since_previous"), std::string::npos) << text;
  EXPECT_NE(text.find("seconds_per_epoch"), std::string::npos) << text;
  // The plan's page: every run in its leaderboard, one seed per row in detail.
  const std::string page = testing::read_text(dir.file("pages/tiny.html"));
  EXPECT_NE(page.find("the first 1 run(s) of each row (3 of 6)"), std::string::npos);
  EXPECT_EQ(count_of(page, "<section class=\"run\""), 3);
  // The SASRec row: two runs, its ndcg@10 the mean of theirs.
  char mean[32];
  std::snprintf(mean, sizeof(mean), "%.4f",
                (benchmark_test_metric(out + "/tiny/sasrec/seed=1", "ndcg@10") +
                 benchmark_test_metric(out + "/tiny/sasrec/seed=2", "ndcg@10")) /
                    2);
  // Rows are called by the plan's model rows.
  for (const char* name : {"| popularity | 2 | ", "| lightgcn | 2 | "})
    EXPECT_NE(text.find(name), std::string::npos) << name << "\n" << text;
  EXPECT_NE(page.find("<td>sasrec</td>"), std::string::npos);
  const auto row = text.find("| sasrec | 2 | ");
  ASSERT_NE(row, std::string::npos) << text;
  const std::string sasrec_row = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(sasrec_row.find(std::string(" ") + mean + " ± "), std::string::npos) << sasrec_row;
  EXPECT_EQ(count_of(text, " | 2 | "), 3) << text;

  // The plan's folder stands for its runs two levels down (model/seed) for leaderboard and
  // report alike.
  const auto nested = run_cli("leaderboard " + out + "/tiny --metrics ndcg@10", dir);
  ASSERT_EQ(nested.status, 0) << nested.err;
  EXPECT_EQ(count_of(nested.out, " | 2 | "), 3) << nested.out;

  // Again: every run is complete, nothing trains, the board is the same.
  const auto again = run_cli(args + " --set log_level=info", dir);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(count_of(again.err, "complete, skipped"), 6) << again.err;
  EXPECT_EQ(testing::read_text(board), text);

  // A row never run is named as such on the board, which still shows the others; so is a
  // row whose runs were all stopped before completing (only their .partial folders exist).
  fs::create_directories(out + "/tiny/ngcf/seed=1.partial");
  testing::write_text(dir.file("more.toml"),
                      benchmark_plan_text("[models.ngcf]\nmodel = { name = \"ngcf\" }\n"));
  const auto partial = run_cli("benchmark " + dir.file("more.toml") + " --board-only --out " + out +
                                   " --note 'Measured on a test machine.'",
                               dir);
  ASSERT_EQ(partial.status, 0) << partial.err;
  EXPECT_NE(partial.out.find("without a complete run (not run here): ngcf."), std::string::npos)
      << partial.out;
  EXPECT_EQ(count_of(partial.out, " | 2 | "), 3) << partial.out;
  EXPECT_NE(partial.out.find("\n\nMeasured on a test machine.\n"), std::string::npos);
}

TEST(Benchmark, KeepsWhatTheBoardItReplacesKnewOfPlansWithoutRunsHere) {
  testing::TempDir dir;
  testing::write_text(dir.file("tiny.toml"), benchmark_plan_text());
  const std::string board = dir.file("board.md");
  testing::write_text(board,
                      "# shiftrec leaderboard\n\nWritten by `shiftrec benchmark` (an old "
                      "binary).\n\nMeasured on machine A.\n\n- tiny: two at a time.\n"
                      "\n## tiny\n\n| variant | runs |\n| old tiny row | 3 |\n"
                      "\n## elsewhere\n\nA leaderboard made on another machine.\n"
                      "\n## unrun\n\n`unrun.toml`, seeds 1.\n\nNo complete runs yet.\n");
  const std::string args = "benchmark " + dir.file("tiny.toml") + kTinyBenchmark + " --out " +
                           dir.file("runs") + " --board " + board;
  // No run of the tiny plan here: its old section stays, and so do the plans not given.
  const auto kept = run_cli(args + " --board-only", dir);
  ASSERT_EQ(kept.status, 0) << kept.err;
  const std::string text = testing::read_text(board);
  EXPECT_NE(text.find("\n## tiny\n\n| variant | runs |\n| old tiny row | 3 |\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\n## elsewhere\n\nA leaderboard made on another machine.\n"),
            std::string::npos);
  EXPECT_NE(text.find("\n## unrun\n"), std::string::npos);
  EXPECT_EQ(count_of(text, "Carried over from an earlier board"), 3) << text;
  EXPECT_NE(text.find("A section marked as carried over"), std::string::npos);
  // The header is written anew; the note under it (the machine of the runs kept) stays.
  EXPECT_EQ(text.find("(an old binary)"), std::string::npos) << text;
  EXPECT_EQ(
      count_of(text, "commit.\n\nMeasured on machine A.\n\n- tiny: two at a time.\n\n## tiny\n"), 1)
      << text;
  // Written again, nothing is marked twice, and the note is there once.
  ASSERT_EQ(run_cli(args + " --board-only", dir).status, 0);
  EXPECT_EQ(testing::read_text(board), text);
  // A note given replaces it.
  ASSERT_EQ(run_cli(args + " --board-only --note 'Measured on machine B.'", dir).status, 0);
  const std::string noted = testing::read_text(board);
  EXPECT_EQ(noted.find("machine A"), std::string::npos) << noted;
  EXPECT_EQ(count_of(noted, "\n\nMeasured on machine B.\n\n## "), 1) << noted;
  testing::write_text(board, text);

  // Runs made here replace the plan's old section; the others stay carried.
  const auto ran = run_cli(args + " --models popularity --seeds 1", dir);
  ASSERT_EQ(ran.status, 0) << ran.err;
  const std::string after = testing::read_text(board);
  EXPECT_EQ(after.find("old tiny row"), std::string::npos) << after;
  EXPECT_NE(after.find("\n| popularity | 1 | "), std::string::npos) << after;
  EXPECT_NE(after.find("A leaderboard made on another machine."), std::string::npos);
  EXPECT_EQ(count_of(after, "Carried over from an earlier board"), 2) << after;

  // A file that is not a board is replaced, and nothing of it is carried.
  testing::write_text(board, "# My notes\n\n## elsewhere\n\nmine\n");
  const auto replaced = run_cli(args + " --board-only", dir);
  ASSERT_EQ(replaced.status, 0) << replaced.err;
  EXPECT_NE(replaced.err.find("is not a board written by `shiftrec benchmark`"), std::string::npos)
      << replaced.err;
  EXPECT_EQ(testing::read_text(board).find("mine"), std::string::npos);
  EXPECT_EQ(count_of(testing::read_text(board), "Carried over"), 0);
}

// The line of `text` that starts with `prefix`, "" if none.
std::string line_of(const std::string& text, const std::string& prefix) {
  const size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST(Benchmark, KeepsTheRowsOfAPlanWhoseRunsAreNotHereBesideTheRowsRunHere) {
  testing::TempDir dir;
  testing::write_text(dir.file("tiny.toml"), benchmark_plan_text());
  const std::string out = dir.file("runs"), board = dir.file("board.md");
  const std::string args =
      "benchmark " + dir.file("tiny.toml") + kTinyBenchmark + " --out " + out + " --board " + board;
  ASSERT_EQ(run_cli(args + " --models popularity,sasrec", dir).status, 0);
  const std::string first = testing::read_text(board);
  const std::string sasrec_row = line_of(first, "| sasrec | 2 | ");
  ASSERT_FALSE(sasrec_row.empty()) << first;
  const std::string made_by = line_of(first, "Protocol: ");
  std::string made_commit = made_by.substr(made_by.find("commit ") + 7);
  made_commit.pop_back();  // the sentence's full stop

  // Another machine: SASRec's runs are not here; LightGCN's are made now. The board keeps
  // SASRec's row as it was, by name, where its NDCG@10 puts it, with the commit that made it.
  fs::remove_all(out + "/tiny/sasrec");
  const auto second = run_cli(args + " --models lightgcn", dir);
  ASSERT_EQ(second.status, 0) << second.err;
  const std::string text = testing::read_text(board);
  const std::string carried = line_of(text, "| sasrec (carried) | 2 | ");
  EXPECT_EQ(carried.substr(carried.find(" | 2 | ")), sasrec_row.substr(sasrec_row.find(" | 2 | ")))
      << text;
  EXPECT_FALSE(line_of(text, "| popularity | 2 | ").empty()) << text;  // run here, shown
  EXPECT_FALSE(line_of(text, "| lightgcn | 2 | ").empty()) << text;
  EXPECT_EQ(line_of(text, "Rows carried over from an earlier board"),
            "Rows carried over from an earlier board (their runs are not under `" + out +
                "` here, nor on the report page): sasrec (commit " + made_commit + ").")
      << text;
  EXPECT_EQ(text.find("without a complete run"), std::string::npos) << text;
  EXPECT_NE(text.find("so is a row named `NAME (carried)`"), std::string::npos);
  // Rows stay best first by the first column, the carried one among them.
  std::vector<double> first_column;
  for (size_t at = text.find("\n| ", text.find("|---|")); at != std::string::npos;
       at = text.find("\n| ", at + 1)) {
    const auto cells = text.substr(at, text.find('\n', at + 1) - at);
    first_column.push_back(std::stod(cells.substr(cells.find(" | 2 | ") + 7)));
  }
  ASSERT_EQ(first_column.size(), 3u) << text;
  EXPECT_TRUE(std::is_sorted(first_column.rbegin(), first_column.rend())) << text;

  // Written again, the carried row keeps the commit its note names, not the section's.
  std::string renamed = text;
  const std::string named = "sasrec (commit " + made_commit + ")";
  ASSERT_NE(renamed.find(named), std::string::npos) << renamed;
  renamed.replace(renamed.find(named), named.size(), "sasrec (commit 0123abcd)");
  testing::write_text(board, renamed);
  ASSERT_EQ(run_cli(args + " --board-only", dir).status, 0);
  const std::string again = testing::read_text(board);
  EXPECT_NE(again.find("sasrec (commit 0123abcd)."), std::string::npos) << again;
  EXPECT_EQ(count_of(again, "| sasrec (carried) | 2 | "), 1) << again;

  // An earlier section made under another protocol vouches for nothing: the row is named as
  // not carried, and why.
  std::string other = again;
  other.replace(other.find("shift window 50"), 15, "shift window 9");
  testing::write_text(board, other);
  ASSERT_EQ(run_cli(args + " --board-only", dir).status, 0);
  const std::string refused = testing::read_text(board);
  EXPECT_EQ(refused.find("(carried)"), std::string::npos) << refused;
  EXPECT_NE(refused.find("not carried over (made under another protocol: split `loo`"),
            std::string::npos)
      << refused;
  EXPECT_NE(refused.find("without a complete run (not run here): sasrec."), std::string::npos)
      << refused;
}

TEST(Benchmark, TheProtocolLineIsThePlansWhicheverRowsHaveRunsHere) {
  testing::TempDir dir;
  testing::write_text(
      dir.file("tiny.toml"),
      benchmark_plan_text("[models.patient]\n"
                          "model = { name = \"lightgcn\", d = 16, layers = 2 }\n"
                          "loss = { name = \"bpr\" }\n"
                          "set = [\"train.batch_size = 64\", \"train.patience = 7\"]\n"));
  const std::string out = dir.file("runs"), board = dir.file("board.md");
  const std::string args =
      "benchmark " + dir.file("tiny.toml") + kTinyBenchmark + " --out " + out + " --board " + board;
  ASSERT_EQ(run_cli(args + " --models popularity --seeds 1", dir).status, 0);
  const std::string protocol = line_of(testing::read_text(board), "Protocol: ");
  EXPECT_NE(protocol.find("patience 3 on validation"), std::string::npos) << protocol;

  // Only the row with its own patience has runs here: the line is still the plan's, so the
  // earlier rows are kept beside it.
  fs::remove_all(out + "/tiny/popularity");
  const auto patient = run_cli(args + " --models patient --seeds 1", dir);
  ASSERT_EQ(patient.status, 0) << patient.err;
  EXPECT_NE(testing::read_text(out + "/tiny/patient/seed=1/resolved.toml").find("patience = 7"),
            std::string::npos);
  const std::string text = testing::read_text(board);
  const std::string now = line_of(text, "Protocol: ");
  EXPECT_EQ(now.substr(0, now.find(". Made by")), protocol.substr(0, protocol.find(". Made by")))
      << text;
  EXPECT_FALSE(line_of(text, "| popularity (carried) | 1 | ").empty()) << text;
  EXPECT_FALSE(line_of(text, "| patient | 1 | ").empty()) << text;
}

TEST(Benchmark, APlanThatIsNotOneIsOneLocatedErrorBeforeAnyRun) {
  testing::TempDir dir;
  struct Case {
    std::string plan, expected;
  };
  const std::vector<Case> cases = {
      {benchmark_plan_text() + "repeats = 3\n", "unknown key 'repeats'"},
      {benchmark_plan_text("[models.gru4rec]\nmodel = { name = \"gru4rec\", blocks = 2 }\n"),
       "models.gru4rec"},
      {benchmark_plan_text("[models.broken]\nloss = { name = \"ce\" }\n"),
       "models.broken: give `model = { name = ... }` or `from_config = true`"},
      {"name = \"tiny\"\nconfig = \"nowhere.toml\"\nseeds = [1]\n[models.a]\nfrom_config = true\n",
       "nowhere.toml"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    testing::write_text(dir.file("plan.toml"), c.plan);
    const auto result = run_cli("benchmark " + dir.file("plan.toml") + kTinyBenchmark + " --out " +
                                    dir.file("runs") + " --board " + dir.file("board.md"),
                                dir);
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(count_of(result.err, "error"), 1) << result.err;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(dir.file("runs")));
    EXPECT_FALSE(fs::exists(dir.file("board.md")));
  }
  // --check reads every row and writes nothing.
  testing::write_text(dir.file("plan.toml"), benchmark_plan_text());
  const auto check =
      run_cli("benchmark " + dir.file("plan.toml") + kTinyBenchmark + " --check", dir);
  ASSERT_EQ(check.status, 0) << check.err;
  EXPECT_NE(check.out.find("3 rows of 1 plans checked"), std::string::npos) << check.out;
}

}  // namespace
}  // namespace shiftrec
