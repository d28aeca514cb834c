// Walks every model a user can name — each preset `shiftrec models` lists, and compositions of
// parts nobody wrote a class for — through the whole life of a run on a tiny synthetic set:
// train (with a training state each epoch), re-evaluate from model.pt (every target's rank as
// the run scored it), and export. A new preset is walked the moment it registers. (Exact
// resume of every preset is walked in-process: tests/train/test_trainer.cpp, TrainerResume.)
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::source_path;

// Compositions: a BERT4Rec over LightGCN-propagated items with a shift head; an NGCF-fed
// GRU4Rec; a gated-fusion SASRec whose shift head reshapes the ranking; LightGCN and
// popularity spelled as parts; a SASRec over items that carry their categories' embeddings.
const std::vector<std::pair<std::string, std::string>> kCompositions = {
    {"lightgcn+bert4rec+shift",
     "item_encoder = \"lightgcn\"\nsequence = \"bert4rec\"\nheads = [\"shift\"]\nd = 8\n"
     "[model.lightgcn]\nlayers = 1\n[model.bert4rec]\nmax_length = 8\n"},
    {"ngcf+gru4rec", "item_encoder = \"ngcf\"\nsequence = \"gru4rec\"\nd = 8\n"},
    {"fusion+sasrec+shift",
     "item_encoder = \"fusion\"\nsequence = \"sasrec\"\nheads = [\"shift\"]\nd = 8\n"
     "[model.shift]\nmixture = true\n"},
    {"categories+sasrec", "item_encoder = \"categories\"\nsequence = \"sasrec\"\nd = 8\n"},
    {"lightgcn+none", "item_encoder = \"lightgcn\"\nsequence = \"none\"\nd = 8\n"},
    {"popularity+none", "item_encoder = \"popularity\"\nsequence = \"none\"\n"},
};

// The presets `shiftrec models` lists ("name: description" lines at the margin).
std::vector<std::string> listed_presets(const testing::TempDir& dir) {
  const auto listing = run_cli("models", dir);
  EXPECT_EQ(listing.status, 0) << listing.err;
  std::vector<std::string> names;
  std::istringstream lines(listing.out);
  const std::regex preset("^([a-z0-9_]+): .*");
  std::smatch match;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_match(line, match, preset)) names.push_back(match[1]);
  }
  return names;
}

std::string config_for(const std::string& model_table) {
  return "seed = 3\n[data]\nsource = \"synthetic\"\n[data.synthetic]\nusers = 60\nitems = 40\n"
         "categories = 5\n[train]\nepochs = 2\nbatch_size = 16\n[model]\n" +
         model_table;
}

// The test split's ranks in targets.tsv (as the run scored them), in order.
std::vector<std::string> stored_test_ranks(const std::string& run) {
  std::vector<std::string> ranks;
  std::istringstream lines(testing::read_text(run + "/targets.tsv"));
  std::string line;
  std::getline(lines, line);  // header: split user position item history rank ...
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string split, user, position, item, history, rank;
    fields >> split >> user >> position >> item >> history >> rank;
    if (split == "test") ranks.push_back(rank);
  }
  return ranks;
}

std::vector<std::string> dumped_ranks(const std::string& path) {
  std::vector<std::string> ranks;
  std::istringstream lines(testing::read_text(path));
  std::string line;
  std::getline(lines, line);  // header: split user target rank label topk
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string split, user, target, rank;
    fields >> split >> user >> target >> rank;
    ranks.push_back(rank);
  }
  return ranks;
}

void walk(const std::string& label, const std::string& model_table) {
  SCOPED_TRACE(label);
  testing::TempDir dir;
  const std::string config = dir.file("walk.toml"), run = dir.file("run");
  testing::write_text(config, config_for(model_table));
  const auto trained =
      run_cli("train --config " + config + " --set log_level=warn --out " + run, dir);
  ASSERT_EQ(trained.status, 0) << trained.err;
  const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
  EXPECT_EQ(results["model"], label);
  const double ndcg = results["splits"]["test"]["metrics"]["ndcg@10"];
  EXPECT_TRUE(ndcg >= 0.0 && ndcg <= 1.0) << ndcg;

  // Reloaded from model.pt, the model ranks every test target where the run ranked it.
  const auto evaluated = run_cli("eval --run " + run + " --dump-topk " + dir.file("top.tsv"), dir);
  ASSERT_EQ(evaluated.status, 0) << evaluated.err;
  const auto stored = stored_test_ranks(run);
  EXPECT_FALSE(stored.empty());
  EXPECT_EQ(dumped_ranks(dir.file("top.tsv")), stored);

  const auto exported = run_cli("export --run " + run + " --out " + dir.file("e.h5"), dir);
  ASSERT_EQ(exported.status, 0) << exported.err;
  EXPECT_GT(fs::file_size(dir.file("e.h5")), 0u);
}

TEST(ModelWalk, EveryPresetTrainsReEvaluatesToTheSameRanksAndExports) {
  testing::TempDir dir;
  const auto presets = listed_presets(dir);
  ASSERT_GE(presets.size(), 10u);
  for (const auto& name : presets) {
    walk(name, "name = \"" + name + "\"\n" + (name == "popularity" ? "" : "d = 8\n"));
  }
}

TEST(ModelWalk, CompositionsOfPartsTrainReEvaluateAndExportWithoutAClassOfTheirOwn) {
  for (const auto& [label, table] : kCompositions) walk(label, table);
}

// Mixed precision (train.precision = bf16, train/mixed_precision.h) reaches every part: our
// float32-only CPU kernels (fused attention, sparse propagation, chunked softmax) take what
// autocast hands them, and the run's metrics are numbers.
TEST(ModelWalk, EveryPresetAndCompositionTrainsInBf16) {
  testing::TempDir dir;
  std::vector<std::pair<std::string, std::string>> models = kCompositions;
  for (const auto& name : listed_presets(dir)) {
    models.emplace_back(name, "name = \"" + name + "\"\n" + (name == "popularity" ? "" : "d = 8\n"));
  }
  for (const auto& [label, table] : models) {
    SCOPED_TRACE(label);
    const std::string config = dir.file(label + ".toml"), run = dir.file(label + "-run");
    testing::write_text(config, config_for(table));
    const auto trained = run_cli("train --config " + config +
                                     " --set train.precision=bf16 --set log_level=warn --out " + run,
                                 dir);
    ASSERT_EQ(trained.status, 0) << trained.err;
    const auto results = nlohmann::json::parse(testing::read_text(run + "/results.json"));
    const double ndcg = results["splits"]["test"]["metrics"]["ndcg@10"];
    EXPECT_TRUE(ndcg >= 0.0 && ndcg <= 1.0) << ndcg;
    EXPECT_NE(testing::read_text(run + "/resolved.toml").find("precision = 'bf16'"),
              std::string::npos);
  }
}

TEST(ModelWalk, ACompositionThatCannotWorkIsAConfigErrorNamingTheKey) {
  testing::TempDir dir;
  const std::string config = dir.file("bad.toml");
  // `none` reads each user's state from the item encoder; the ID table places no users.
  testing::write_text(config, config_for("item_encoder = \"id\"\nsequence = \"none\"\n"));
  auto result = run_cli("train --config " + config + " --out " + dir.file("run"), dir);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.err.find("model.item_encoder"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("places no users"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir.file("run")));
  // A preset name beside parts: which one was meant?
  testing::write_text(config, config_for("name = \"sasrec\"\nsequence = \"gru4rec\"\n"));
  result = run_cli("train --config " + config + " --out " + dir.file("run"), dir);
  EXPECT_NE(result.err.find("model.name: a [model] names a preset or composes parts"),
            std::string::npos)
      << result.err;
  // Options of a part the model does not have: an unknown key, located.
  testing::write_text(config, config_for("sequence = \"sasrec\"\n[model.gru4rec]\nhidden = 4\n"));
  result = run_cli("train --config " + config + " --out " + dir.file("run"), dir);
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.err.find("bad.toml:13:8: unknown key 'model.gru4rec'"), std::string::npos)
      << result.err;
  // An unknown head, with the nearest known one.
  testing::write_text(config, config_for("sequence = \"sasrec\"\nheads = [\"shfit\"]\n"));
  result = run_cli("train --config " + config + " --out " + dir.file("run"), dir);
  EXPECT_NE(result.err.find("did you mean \"shift\""), std::string::npos) << result.err;
}

}  // namespace
}  // namespace shiftrec
