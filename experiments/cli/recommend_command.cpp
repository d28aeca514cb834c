// shiftrec recommend: top-k items for a history (or a known user) from a finished run, with
// the shift probability and new-interest flags (experiments/recommendation.h).
//   shiftrec recommend --run DIR --history "i1 i2 i3" [--times "t1 t2 t3" --at T] [--user U]
//                      [--k 20] [--exclude-history] [--skip-unknown] [--explain] [--json]
//   shiftrec recommend --run DIR --input requests.jsonl --out answers.jsonl
// The batch form streams: eval.batch_size requests in memory at a time.
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "experiments/cli/command.h"
#include "experiments/recommendation.h"

namespace shiftrec {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::string spaced = text;
  for (char& c : spaced) c = c == ',' ? ' ' : c;
  std::istringstream in(spaced);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

int64_t parse_time(const std::string& word, const std::string& option) {
  try {
    size_t used = 0;
    const long long value = std::stoll(word, &used);
    if (used == word.size()) return value;
  } catch (const std::exception&) {
  }
  throw UserError(option + ": \"" + word + "\" is not an integer time");
}

class RecommendCommand : public Command {
 public:
  void add_options(CLI::App& command) override {
    command.add_option("--run", run_, "a finished run directory")->required();
    command.add_option("--history", history_, "original item ids, oldest first");
    command.add_option("--times", times_, "their times (time-aware models), oldest first");
    command.add_option("--at", at_, "the request time (with --times)");
    command.add_option("--user", user_, "a known user's original id (general-CF models)");
    command.add_option("--k", options_.k, "items to recommend (default 20)");
    command.add_flag("--exclude-history", options_.exclude_history,
                     "never recommend an item of the history");
    command.add_flag("--skip-unknown", options_.skip_unknown,
                     "drop history items the run's data does not have (counted)");
    command.add_flag("--json", json_, "one JSON object instead of a table");
    command.add_flag("--explain", options_.explain,
                     "per item (and for the shift probability) the history items whose deletion "
                     "lowers it most, with the drop");
    command.add_option("--input", input_,
                       "JSON lines: {\"history\": [...], \"times\": [...], "
                       "\"at\": T, \"user\": U}");
    command.add_option("--out", out_, "JSON lines, one answer per input line");
  }

  int run() override {
    if (!input_.empty() || !out_.empty()) return run_batch();
    if (history_.empty() && user_.empty()) {
      throw UserError("recommend: give --history (or --user), or --input and --out");
    }
    RecommendRequest request;
    request.source = "--history";
    request.history = words(history_);
    for (const auto& word : words(times_)) request.times.push_back(parse_time(word, "--times"));
    if (!at_.empty()) request.at = parse_time(at_, "--at");
    if (!user_.empty()) request.user = user_;
    RunRecommender recommender(run_, options_);
    const Recommendation answer = recommender.recommend({request}).front();
    std::cout << (json_ ? recommendation_json(answer) + "\n" : recommendation_text(answer));
    return 0;
  }

 private:
  int run_batch() {
    if (input_.empty() || out_.empty()) throw UserError("recommend: --input needs --out");
    std::ifstream in(input_);
    if (!in) throw UserError(input_ + ": cannot open");
    RunRecommender recommender(run_, options_);
    AtomicWriter writer(out_);
    std::vector<RecommendRequest> batch;
    int64_t line_number = 0, answered = 0;
    const auto flush = [&] {
      for (const auto& answer : recommender.recommend(batch)) {
        writer.stream() << recommendation_json(answer) << '\n';
      }
      answered += static_cast<int64_t>(batch.size());
      batch.clear();
    };
    for (std::string line; std::getline(in, line);) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      batch.push_back(parse_request_json(line, input_ + ":" + std::to_string(line_number)));
      if (static_cast<int64_t>(batch.size()) == recommender.batch_size()) flush();
    }
    if (!batch.empty()) flush();
    writer.commit();
    std::cerr << "recommend: " << answered << " answers written to " << out_ << "\n";
    return 0;
  }

  std::string run_, history_, times_, at_, user_, input_, out_;
  RecommendOptions options_;
  bool json_ = false;
};

}  // namespace

SHIFTREC_REGISTER_COMMAND("recommend",
                          "top-k items for a history or a known user from a finished run, with "
                          "the shift probability and new-interest flags",
                          RecommendCommand);

}  // namespace shiftrec
