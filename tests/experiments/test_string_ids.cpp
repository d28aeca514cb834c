// A user's own CSV export end to end: text ids (and numbers with leading zeros), quoted fields,
// CRLF, and categories with names in a separate item file. Every output speaks the user's
// ids: targets.tsv, eval --dump-topk, recommend (which agrees with the dump) and the HDF5
// export (ids and category names as strings).
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/experiments/cli_runner.h"

namespace shiftrec {
namespace {

using testing::run_cli;
using testing::source_path;

const std::vector<std::string> kCategoryNames = {"Books, old", "Café",  "Toys \"big\"",
                                                 "Garden",     "Music", "Crème brûlée"};

std::string user_id(const std::string& n) { return "A2SU" + n + "X"; }
std::string item_id(const std::string& n) { return "0" + n; }  // "017": text, not 17

// Rewrites `data generate`'s files as a user's export: text ids, a quoted review column,
// CRLF, and item_categories as a separate file of category names with a byte-order mark.
// Returns each user's item sequence (in the export's ids).
std::map<std::string, std::vector<std::string>> write_export(const testing::TempDir& dir) {
  const auto generated =
      run_cli("data generate --config " + source_path("experiments/configs/quickstart.toml") +
                  " --set data.synthetic.users=80 --set data.synthetic.items=60"
                  " --set data.synthetic.categories=6 --out " +
                  dir.file("gen"),
              dir);
  EXPECT_EQ(generated.status, 0) << generated.err;
  std::ostringstream inter;
  inter << "user,item,timestamp,review\r\n";
  std::map<std::string, std::vector<std::string>> sequences;
  for (const auto& row : testing::generated_rows(dir.file("gen/interactions.csv"))) {
    inter << user_id(row.user) << ',' << item_id(row.item) << ',' << row.time
          << ",\"liked it, \"\"a lot\"\"\r\nreally\"\r\n";
    sequences[user_id(row.user)].push_back(item_id(row.item));
  }
  testing::write_text(dir.file("inter.csv"), inter.str());
  std::istringstream lines(testing::read_text(dir.file("gen/item_categories.csv")));
  std::string line;
  std::getline(lines, line);
  std::ostringstream items;
  items << "\xEF\xBB\xBFitem,category\n";
  while (std::getline(lines, line)) {
    const size_t comma = line.find(',');
    std::string name = kCategoryNames.at(std::stoul(line.substr(comma + 1)));
    std::string quoted;
    for (const char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    items << item_id(line.substr(0, comma)) << ",\"" << quoted << "\"\n";
  }
  testing::write_text(dir.file("items.csv"), items.str());
  testing::write_text(dir.file("c.toml"),
                      "seed = 42\n[data]\nsource = \"csv\"\nroot = \"" + dir.path() +
                          "\"\npath = \"inter.csv\"\nuser_column = \"user\"\n"
                          "item_column = \"item\"\ntime_column = \"timestamp\"\n"
                          "item_file = \"items.csv\"\n[split]\nprotocol = \"loo\"\n"
                          "[model]\nname = \"sasrec\"\nd = 16\n[train]\nepochs = 2\n"
                          "[eval]\nmetrics = [\"recall\", \"ndcg\"]\nks = [10]\n");
  return sequences;
}

TEST(StringIds, EveryOutputSpeaksTheUsersOwnIds) {
  testing::TempDir dir;
  const auto sequences = write_export(dir);
  const std::string run = dir.file("run");
  auto result = run_cli("train --config " + dir.file("c.toml") + " --out " + run, dir);
  ASSERT_EQ(result.status, 0) << result.err;

  // targets.tsv: users and items as written.
  std::istringstream targets(testing::read_text(run + "/targets.tsv"));
  std::string line;
  std::getline(targets, line);
  int64_t rows = 0;
  while (std::getline(targets, line)) {
    std::istringstream fields(line);
    std::string split, user, position, item;
    fields >> split >> user >> position >> item;
    ASSERT_TRUE(sequences.count(user)) << line;
    EXPECT_EQ(item, sequences.at(user)[std::stoul(position)]) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 160);  // valid and test targets of 80 users

  // The dump, and recommend asked with each test user's history: the same lists.
  result = run_cli("eval --run " + run + " --dump-topk " + dir.file("top.tsv"), dir);
  ASSERT_EQ(result.status, 0) << result.err;
  std::istringstream dump(testing::read_text(dir.file("top.tsv")));
  std::getline(dump, line);
  std::ostringstream requests;
  std::vector<std::vector<std::string>> dumped;
  while (std::getline(dump, line)) {
    std::istringstream fields(line);
    std::string split, user, target, rank, label;
    fields >> split >> user >> target >> rank >> label;
    const auto& items = sequences.at(user);
    EXPECT_EQ(target, items.back());
    std::vector<std::string> top;
    for (std::string id; fields >> id;) top.push_back(id);
    dumped.push_back(top);
    nlohmann::json request = {
        {"history", std::vector<std::string>(items.begin(), items.end() - 1)}};
    requests << request.dump() << "\n";
  }
  ASSERT_EQ(dumped.size(), 80u);
  testing::write_text(dir.file("requests.jsonl"), requests.str());
  result = run_cli("recommend --run " + run + " --input " + dir.file("requests.jsonl") + " --out " +
                       dir.file("answers.jsonl") + " --k 10",
                   dir);
  ASSERT_EQ(result.status, 0) << result.err;
  std::istringstream answers(testing::read_text(dir.file("answers.jsonl")));
  size_t u = 0;
  std::map<std::string, std::string> category_of_item;  // from recommend's answers
  for (; std::getline(answers, line); ++u) {
    const auto answer = nlohmann::json::parse(line);
    std::vector<std::string> items;
    for (const auto& entry : answer["items"]) {
      items.push_back(entry["item"]);
      ASSERT_EQ(entry["categories"].size(), 1u);
      category_of_item[entry["item"]] = entry["categories"][0];
    }
    ASSERT_LT(u, dumped.size());
    EXPECT_EQ(items, dumped[u]) << "request " << u;
  }
  EXPECT_EQ(u, 80u);
  // Categories are reported by name, as the item file gave them.
  std::istringstream item_file(testing::read_text(dir.file("gen/item_categories.csv")));
  std::getline(item_file, line);
  while (std::getline(item_file, line)) {
    const size_t comma = line.find(',');
    const auto it = category_of_item.find(item_id(line.substr(0, comma)));
    if (it != category_of_item.end()) {
      EXPECT_EQ(it->second, kCategoryNames.at(std::stoul(line.substr(comma + 1))));
    }
  }
  EXPECT_FALSE(category_of_item.empty());

  // The export: ids and category names as str (h5py), categories matching the item file.
  result = run_cli("export --run " + run + " --out " + dir.file("e.h5"), dir);
  ASSERT_EQ(result.status, 0) << result.err;
  testing::write_text(dir.file("read.py"),
                      "import json, h5py\n"
                      "with h5py.File('" +
                          dir.file("e.h5") +
                          "', 'r') as f:\n"
                          "    names = f['category_names'].asstr()[()].tolist()\n"
                          "    items = f['item_ids'].asstr()[()].tolist()\n"
                          "    print(json.dumps({'users': f['user_ids'].asstr()[()].tolist(),\n"
                          "        'categories': {i: [names[c] for c in row] for i, row in\n"
                          "                       zip(items, f['item_categories'][()])}}))\n");
  int status = -1;
  const std::string out =
      testing::command_output("/usr/bin/python3 " + dir.file("read.py") + " 2>&1", &status);
  ASSERT_EQ(status, 0) << out;
  const auto h5 = nlohmann::json::parse(out);
  EXPECT_EQ(h5["users"].size(), 80u);
  for (const auto& user : h5["users"]) EXPECT_TRUE(sequences.count(user)) << user;
  ASSERT_EQ(h5["categories"].size(), 60u);
  for (const auto& [item, name] : category_of_item) {
    EXPECT_EQ(h5["categories"][item], nlohmann::json::array({name})) << item;
  }

  // data stats names the largest categories as the item file does.
  result = run_cli("data stats --config " + dir.file("c.toml"), dir);
  ASSERT_EQ(result.status, 0) << result.err;
  const size_t largest = result.out.find("largest ");
  ASSERT_NE(largest, std::string::npos) << result.out;
  const std::string named = result.out.substr(largest, result.out.find('\n', largest) - largest);
  int names_shown = 0;
  for (const auto& name : kCategoryNames) names_shown += named.find(name) != std::string::npos;
  EXPECT_EQ(names_shown, 5) << named;  // the five largest of six, by name

  // A history in numbers where the run's ids are text: a clear error naming the item.
  result = run_cli("recommend --run " + run + " --history '17'", dir);
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("item \"17\" is not in the run's data"), std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace shiftrec
