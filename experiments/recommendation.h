// `shiftrec recommend`: a finished run asked about histories it may never have seen.
//
// A request is a history of original item ids (oldest first), optionally their times and the
// request time (time-aware models need them: the last state reads the gap to the request),
// and optionally a known user (general-CF models know users by id only). The answer: the
// top-k items (original ids) with their scores, their categories, whether each lies outside
// the categories of the history's last W items (W = the run's eval.shift_window: a "new
// interest"), and the probability that the next interaction is an interest SHIFT — the
// model's shift head where it has one, else its softmax mass outside the window, as the
// evaluator scores shift detection.
//
// It agrees with the evaluator: the same scorer (score_next of the last state), the same
// history truncation, masking (the run's eval.mask_history, or exclude_history) and top-k
// tie order (lower item id first on the CPU). Requests are scored eval.batch_size at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace shiftrec {

struct RecommendRequest {
  std::vector<std::string> history;  // original item ids, oldest first
  std::vector<int64_t> times;        // one per history item, or empty
  std::optional<int64_t> at;         // the request time (with times)
  std::optional<std::string> user;   // an original user id
  std::string source = "request";    // for messages: "--history", "FILE:LINE"
};

// What deleting one history item does: the score (or shift probability) with the whole
// history minus the one without that item.
struct HistoryWeight {
  std::string item;      // original id
  int64_t position = 0;  // its index in the request's history (0 = oldest)
  double weight = 0.0;
};

struct RecommendedItem {
  std::string item;  // original id
  double score = 0.0;
  std::vector<HistoryWeight> because;   // with explain: the largest weights first
  std::vector<std::string> categories;  // names (ids where the data names none)
  bool new_interest = false;            // outside the history window's categories
};

struct Recommendation {
  std::vector<RecommendedItem> items;  // best first
  std::optional<double> shift_probability;
  std::string shift_source;                  // "model" (a shift head) or "softmax_mass"
  std::vector<HistoryWeight> shift_because;  // with explain
  int64_t skipped_unknown = 0;               // history items not in the run's data (skip_unknown)
};

struct RecommendOptions {
  int64_t k = 20;
  bool exclude_history = false;  // also when the run's eval.mask_history is off
  bool skip_unknown = false;     // drop unknown history items instead of failing
  // Attribute each answer to the history by deletion (occlusion): for every history item the
  // model reads, the drop of each recommended item's score, and of the shift probability,
  // when that one item is removed (its time with it). Exact for single deletions, for any
  // model (no gradients or attention weights to trust); costs one batch of histories.
  bool explain = false;
  int64_t explain_top = 5;  // history items kept per answer, largest weight first
};

class RunRecommender {
 public:
  struct Scored;  // scores, outside-window mask and shift probabilities of one batch
  // Loads the finished run (config, data, model.pt). Throws UserError as `eval --run` does.
  RunRecommender(const std::string& run_dir, const RecommendOptions& options);
  ~RunRecommender();
  // At most batch_size() requests at a time give the evaluator's batches.
  std::vector<Recommendation> recommend(const std::vector<RecommendRequest>& requests);
  int64_t batch_size() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One answer as a JSON object (one line of the batch output).
std::string recommendation_json(const Recommendation& answer);
// One answer as text for a terminal.
std::string recommendation_text(const Recommendation& answer);
// A request from one JSON line: {"history": [...], "times": [...], "at": T, "user": U}.
RecommendRequest parse_request_json(const std::string& line, const std::string& source);

}  // namespace shiftrec
