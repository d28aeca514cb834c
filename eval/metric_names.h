// One namespace for every metric name, whichever family computes it: per-target rank metrics
// (eval/metric.h: recall, ndcg, ...) and top-k list metrics (eval/list_metric.h: coverage,
// gini, ...). Names carry their cut-off, "ndcg@10", and are checked and parsed here once, with
// one "did you mean" over both families.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shiftrec {

enum class MetricKind { kRank, kList };

// Every known name (without @k), sorted.
std::vector<std::string> known_metric_names();
// The family of "name" or "name@k". UserError for an unknown name, with the nearest known one
// and the list of all.
MetricKind metric_kind(const std::string& name_at_k);
// The k of "name@k"; UserError when it is missing or not a positive integer.
int64_t metric_cutoff(const std::string& name_at_k);

}  // namespace shiftrec
