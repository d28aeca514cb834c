// Every CLI command over a table of broken inputs (configs, data files, run directories,
// request files): a non-zero exit without a signal, exactly one error line that names the
// file, line or key, no long echo of the bad value, and nothing left that looks complete.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::source_path;

struct BrokenInputCase {
  std::string name;
  std::function<void(const std::string& dir)> make;  // writes the broken files into dir
  std::string command;                               // {dir}: the folder, {run}: a good run
  std::string expected;                              // in the error line ({dir} expanded)
};

std::string expand(std::string text, const std::string& dir, const std::string& run) {
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"{dir}", dir}, {"{run}", run}}) {
    for (size_t at; (at = text.find(key)) != std::string::npos;)
      text.replace(at, key.size(), value);
  }
  return text;
}

void write(const std::string& path, const std::string& text) { testing::write_text(path, text); }

// A copy of `run` with one file replaced.
std::function<void(const std::string&)> run_with(const std::string& run, const std::string& file,
                                                 const std::string& text) {
  return [run, file, text](const std::string& dir) {
    fs::copy(run, dir + "/broken", fs::copy_options::recursive);
    fs::remove_all(dir + "/broken/" + file);
    write(dir + "/broken/" + file, text);
  };
}

TEST(BadInputCorpus, EveryCommandEndsInOneLocatedErrorAndLeavesNothingComplete) {
  testing::TempDir shared;
  const std::string run = shared.file("good");
  const std::string tiny =
      " --set data.synthetic.users=40 --set data.synthetic.items=30"
      " --set data.synthetic.categories=6"
      " --set train.epochs=1 --set model.d=8 --set log_level=warn";
  ASSERT_EQ(run_cli("train --config " + source_path("experiments/configs/quickstart.toml") + tiny +
                        " --out " + run,
                    shared)
                .status,
            0);
  const std::string huge(100000, 'x');
  const std::string csv_config =
      "[data]\nsource = \"csv\"\npath = \"{dir}/d.csv\"\n"
      "user_column = \"u\"\nitem_column = \"i\"\ntime_column = \"t\"\n";
  const auto config = [](const std::string& text) {
    return [text](const std::string& dir) { write(dir + "/c.toml", expand(text, dir, "")); };
  };
  const auto config_and_data = [](const std::string& text, const std::string& data) {
    return [text, data](const std::string& dir) {
      write(dir + "/c.toml", expand(text, dir, ""));
      write(dir + "/d.csv", data);
    };
  };
  const std::vector<BrokenInputCase> corpus = {
      {"config syntax", config("[model\nd = 1\n"), "train --config {dir}/c.toml --out {dir}/out",
       "{dir}/c.toml:1:"},
      {"config unknown key", config("[model]\ndd = 1\n"),
       "train --config {dir}/c.toml --out {dir}/out", "{dir}/c.toml:2:1: unknown key 'model.dd'"},
      {"config huge value", config("[model]\nname = \"" + huge + "\"\n"),
       "train --config {dir}/c.toml --out {dir}/out", "{dir}/c.toml:2:8: model.name"},
      {"config NUL byte", config(std::string("[model]\nd = 1\0\n", 15)),
       "options --config {dir}/c.toml", "{dir}/c.toml"},
      {"config is a folder",
       [](const std::string& dir) { fs::create_directories(dir + "/c.toml"); },
       "data stats --config {dir}/c.toml", "{dir}/c.toml: is a directory"},
      {"unknown --set table", config(""),
       "train --config {dir}/c.toml --set modle.d=3 --out {dir}/out", "--set modle.d=3"},
      {"data NUL bytes", config_and_data(csv_config, std::string("u,i,t\n1,2,3\n1,3\0,4\n", 19)),
       "train --config {dir}/c.toml --out {dir}/out", "{dir}/d.csv:3: a NUL byte"},
      {"data timestamp beyond int64", config_and_data(csv_config, "u,i,t\n1,2,3\n1,3,1e300\n"),
       "data stats --config {dir}/c.toml", "{dir}/d.csv:3: timestamp \"1e300\""},
      {"data huge field", config_and_data(csv_config, "u,i,t\n1,2," + huge + "\n"),
       "train --config {dir}/c.toml --out {dir}/out", "{dir}/d.csv:2: \"xxxx"},
      {"data deep JSON",
       [](const std::string& dir) {
         write(dir + "/c.toml", expand("[data]\nsource = \"s3rec\"\npath = \"{dir}/s.txt\"\n"
                                       "attributes_path = \"{dir}/a.json\"\n",
                                       dir, ""));
         write(dir + "/s.txt", "1 1 2 3\n");
         write(dir + "/a.json",
               "{\"1\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
       },
       "train --config {dir}/c.toml --out {dir}/out", "{dir}/a.json: JSON nested deeper"},
      {"data empty category separator",
       config_and_data(csv_config + "category_column = \"i\"\ncategory_separator = \"\"\n",
                       "u,i,t\n1,2,3\n"),
       "train --config {dir}/c.toml --out {dir}/out", "data.category_separator: empty"},
      {"results.json garbage", run_with(run, "results.json", "{\"run_format\": 1, \"splits\": ["),
       "eval --run {dir}/broken", "{dir}/broken/results.json"},
      {"results.json a folder",
       [run](const std::string& dir) {
         run_with(run, "results.json", "")(dir);
         fs::remove(dir + "/broken/results.json");
         fs::create_directories(dir + "/broken/results.json");
       },
       "leaderboard {dir}/broken", "{dir}/broken/results.json: not a file"},
      {"results.json deep", run_with(run, "results.json", std::string(5000, '[')),
       "compare {dir}/broken {run}", "{dir}/broken/results.json: JSON nested deeper"},
      {"model.pt garbage", run_with(run, "model.pt", "not a checkpoint"),
       "export --run {dir}/broken --out {dir}/out.h5", "{dir}/broken/model.pt"},
      {"resolved.toml garbage", run_with(run, "resolved.toml", "[model\n"),
       "recommend --run {dir}/broken --history '1 2'", "{dir}/broken/resolved.toml:1:"},
      {"recommend request deep JSON",
       [](const std::string& dir) { write(dir + "/q.jsonl", std::string(5000, '[') + "\n"); },
       "recommend --run {run} --input {dir}/q.jsonl --out {dir}/out.jsonl", "{dir}/q.jsonl:1"},
      {"recommend request not an object",
       [](const std::string& dir) { write(dir + "/q.jsonl", "[1, 2]\n"); },
       "recommend --run {run} --input {dir}/q.jsonl --out {dir}/out.jsonl",
       "{dir}/q.jsonl:1: expected {\"history\""},
      {"update of an incomplete run", run_with(run, "results.json", "{}"),
       "update --run {dir}/broken.partial --interactions {dir}/c.toml --out {dir}/out",
       "not a complete run"},
      {"resume of a missing run", [](const std::string&) {}, "resume --run {dir}/nothing",
       "no stopped run at {dir}/nothing"},
      {"data generate over a broken config", config("[data.synthetic]\nusers = -3\n"),
       "data generate --config {dir}/c.toml --out {dir}/out",
       "{dir}/c.toml:2:9: data.synthetic.users"},
      {"data fetch with a broken catalog",
       [](const std::string& dir) { write(dir + "/catalog.toml", "[ml-100k\nurl = 3\n"); },
       "data fetch ml-100k --to {dir}/out --catalog {dir}/catalog.toml", "{dir}/catalog.toml:1:"},
      {"sweep over a broken config", config("[model]\nd = \"big\"\n"),
       "sweep --config {dir}/c.toml --seeds 1,2 --out {dir}/out", "{dir}/c.toml:2:5: model.d"},
  };
  for (const auto& c : corpus) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    c.make(dir.path());
    const auto result = run_cli(expand(c.command, dir.path(), run), dir);
    EXPECT_EQ(result.status, 1) << result.err;  // -1 would be a signal
    EXPECT_EQ(testing::count_of(result.err, "shiftrec: error: "), 1) << result.err;
    const size_t at = result.err.find("shiftrec: error: ");
    const std::string line =
        at == std::string::npos ? "" : result.err.substr(at, result.err.find('\n', at) - at);
    EXPECT_NE(line.find(expand(c.expected, dir.path(), run)), std::string::npos) << line;
    EXPECT_LT(line.size(), 400u) << "an echo too long: " << line.substr(0, 300);
    for (const char* out : {"/out", "/out.h5", "/out.jsonl"}) {
      EXPECT_FALSE(fs::exists(dir.path() + out)) << out << " looks complete";
    }
  }
}

}  // namespace
}  // namespace shiftrec
