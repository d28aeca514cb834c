#include "experiments/target_table.h"

#include <cstdio>

#include "core/atomic_file.h"
#include "core/error.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

constexpr const char* kHeader = "split\tuser\tposition\titem\thistory\trank\tlabel\tshift_score";

}  // namespace

std::vector<int64_t> TargetTable::query_offsets() const {
  std::vector<int64_t> offsets{0};
  for (int64_t t = 1; t <= size(); ++t) {
    if (t == size() || user[t] != user[t - 1] || history[t] != history[t - 1]) offsets.push_back(t);
  }
  return offsets;
}

void add_target_rows(std::map<std::string, TargetTable>& tables, const std::string& split_name,
                     const EvalTargets& targets, const SplitEvaluation& evaluation,
                     const Interactions& data) {
  TargetTable& table = tables[split_name];
  for (int64_t t = 0; t < targets.size(); ++t) {
    table.user.push_back(data.user_original_ids.name(targets.user[t]));
    table.position.push_back(targets.position[t]);
    table.item.push_back(data.item_original_ids.name(targets.item[t]));
    table.history.push_back(targets.history_length[t]);
    table.rank.push_back(evaluation.ranks[t]);
    table.label.push_back(evaluation.labels.empty() ? "-" : shift_label_name(evaluation.labels[t]));
    char score[32] = "-";
    if (!evaluation.shift_scores.empty())
      std::snprintf(score, sizeof score, "%.6g", evaluation.shift_scores[t]);
    table.shift_score.push_back(score);
  }
}

void write_target_tables(const std::string& path,
                         const std::map<std::string, TargetTable>& tables) {
  AtomicWriter writer(path);
  std::ostream& os = writer.stream();
  os << kHeader << '\n';
  for (const auto& [split, table] : tables) {
    for (int64_t t = 0; t < table.size(); ++t) {
      os << split << '\t' << table.user[t] << '\t' << table.position[t] << '\t' << table.item[t]
         << '\t' << table.history[t] << '\t' << table.rank[t] << '\t' << table.label[t] << '\t'
         << table.shift_score[t] << '\n';
    }
  }
  writer.commit();
}

std::map<std::string, TargetTable> read_target_tables(const std::string& path) {
  TextFile file(path);
  std::string line;
  if (!file.next_line(line) || line != kHeader) {
    file.fail("expected the header \"" + std::string(kHeader) + "\"");
  }
  std::map<std::string, TargetTable> tables;
  while (file.next_line(line)) {
    const std::vector<std::string_view> fields = split_fields(line, "\t");
    if (fields.size() != 8) {
      file.fail("expected 8 tab-separated fields, found " + std::to_string(fields.size()));
    }
    TargetTable& table = tables[std::string(fields[0])];
    table.user.emplace_back(fields[1]);
    table.position.push_back(file.parse_int(fields[2], "a position"));
    table.item.emplace_back(fields[3]);
    table.history.push_back(file.parse_int(fields[4], "a history length"));
    table.rank.push_back(file.parse_int(fields[5], "a rank"));
    if (table.rank.back() < 1) file.fail("rank must be >= 1");
    table.label.emplace_back(fields[6]);
    table.shift_score.emplace_back(fields[7]);
  }
  return tables;
}

}  // namespace shiftrec
