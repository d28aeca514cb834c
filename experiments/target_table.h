// targets.tsv: every evaluated target of a run with its rank, so that runs can be compared
// target by target (`shiftrec compare`) and anyone can recompute the metrics.
//
// A header line, then one row per target of the valid and the test split:
//   split  user  position  item  history  rank  label  shift_score
// user and item are original ids; position is the target's index in the user's sequence,
// history how many items the model saw (targets of one user with one history form a query);
// rank the 1-based pessimistic rank under the run's protocol; label the shift label ("-"
// without categories); shift_score the model's shift score for the target's history ("-" when
// not computed).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/interactions.h"
#include "datasets/split.h"
#include "eval/evaluator.h"

namespace shiftrec {

struct TargetTable {
  std::vector<std::string> user;  // original ids as written
  std::vector<int64_t> position;
  std::vector<std::string> item;
  std::vector<int64_t> history;
  std::vector<int64_t> rank;
  std::vector<std::string> label;
  std::vector<std::string> shift_score;  // as written
  int64_t size() const { return static_cast<int64_t>(rank.size()); }
  // Query q owns rows [offsets[q], offsets[q+1]): consecutive rows with one user and history.
  std::vector<int64_t> query_offsets() const;
};

// Appends one split's rows (written with `write_target_tables`).
void add_target_rows(std::map<std::string, TargetTable>& tables, const std::string& split_name,
                     const EvalTargets& targets, const SplitEvaluation& evaluation,
                     const Interactions& data);
// Written atomically.
void write_target_tables(const std::string& path, const std::map<std::string, TargetTable>& tables);
// split name -> its rows. Throws UserError naming path:line for a malformed file.
std::map<std::string, TargetTable> read_target_tables(const std::string& path);

}  // namespace shiftrec
