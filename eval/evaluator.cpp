#include "eval/evaluator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>

#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/text.h"
#include "datasets/split.h"
#include "eval/list_metric.h"
#include "eval/metric.h"
#include "eval/metric_names.h"
#include "eval/sampled_negatives.h"
#include "eval/window_mass.h"

#include <ATen/ATen.h>

namespace shiftrec {

EvalOptions EvalOptions::from_config(ConfigSection s) {
  EvalOptions o;
  o.protocol = s.get_string("protocol", o.protocol,
                            "full (rank against all items), uniN / popN (against N negatives "
                            "drawn uniformly / by popularity)");
  if (o.protocol != "full") {
    const bool uniform = o.protocol.rfind("uni", 0) == 0;
    const bool popular = o.protocol.rfind("pop", 0) == 0;
    const std::string digits = uniform || popular ? o.protocol.substr(3) : "";
    const bool numeric = !digits.empty() && digits.size() <= 9 &&
                         digits.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric || std::stoll(digits) <= 0) {
      s.fail("protocol",
             "unknown protocol \"" + o.protocol + "\", expected full, uniN or popN (e.g. uni100)");
    }
    o.sampled_negatives = std::stoll(digits);
    o.sampling = popular ? NegativeSampling::kPopularity : NegativeSampling::kUniform;
  }
  o.negatives_seed = static_cast<uint64_t>(
      s.get_int("negatives_seed", static_cast<int64_t>(o.negatives_seed), 0, INT64_MAX,
                "seed of the sampled negatives, shared by every model and run"));
  o.metrics = s.get_string_list("metrics", o.metrics, "ranking metrics, each reported at every k");
  o.ks = s.get_int_list("ks", o.ks, 1, int64_t{1} << 30, "cut-offs for every metric");
  o.batch_size = s.get_int("batch_size", o.batch_size, 1, 1 << 24,
                           "users scored at once (bounds the [batch, n_items] score matrix)");
  o.mask_history = s.get_bool("mask_history", o.mask_history,
                              "rank without the target's history items (general CF protocol)");
  o.valid_users = s.get_int("valid_users", o.valid_users, 0, INT64_MAX,
                            "validation users early stopping reads, drawn at random (0 = all)");
  o.valid_users_seed = static_cast<uint64_t>(
      s.get_int("valid_users_seed", static_cast<int64_t>(o.valid_users_seed), 0, INT64_MAX,
                "seed of the validation users' sample, shared by every model and run"));
  o.shift_window = s.get_int("shift_window", o.shift_window, 1, 1 << 20,
                             "window W of the shift labels: the recent items whose categories "
                             "a target must leave to be a SHIFT (the same for every model)");
  o.common_category_share =
      s.get_double("common_category_share", o.common_category_share, 0.0, 1.0,
                   "categories carried by more than this share of items are ignored for labels");
  o.change_points = s.get_bool("change_points", o.change_points,
                               "synthetic data: score the planted change points (every position "
                               "against every item: interactions x items)");
  o.change_point_margin = s.get_int("change_point_margin", o.change_point_margin, 0, 1 << 20,
                                    "synthetic data: positions a detection may be off by");
  o.change_point_threshold =
      s.get_double("change_point_threshold", o.change_point_threshold, 0.0, 1.0,
                   "synthetic data: shift score at which a change point is detected");
  if (o.metrics.empty()) s.fail("metrics", "empty list: expected at least one metric");
  if (o.ks.empty()) s.fail("ks", "empty list: expected at least one cut-off");
  for (const auto& name : o.metrics) {
    MetricKind kind = MetricKind::kRank;
    try {
      kind = metric_kind(name);
    } catch (const UserError& e) {
      s.fail("metrics", e.what());
    }
    if (kind == MetricKind::kList && o.sampled_negatives > 0) {
      s.fail("metrics", "\"" + name +
                            "\" needs each target's top-k list over all items, "
                            "which the " +
                            o.protocol + " protocol does not have (use protocol = \"full\")");
    }
  }
  return o;
}

std::vector<std::string> EvalOptions::rank_metric_names() const {
  std::vector<std::string> names;
  for (const auto& name : metric_names()) {
    if (!is_list_metric(name)) names.push_back(name);
  }
  return names;
}

std::vector<std::string> EvalOptions::list_metric_names() const {
  std::vector<std::string> names;
  for (const auto& name : metric_names()) {
    if (is_list_metric(name)) names.push_back(name);
  }
  return names;
}

std::vector<std::string> EvalOptions::metric_names() const {
  std::vector<std::string> names;
  for (const auto& metric : metrics) {
    for (int64_t k : ks) names.push_back(metric + "@" + std::to_string(k));
  }
  return names;
}

Evaluator::Evaluator(const Split& split, const Interactions& data, EvalOptions options)
    : split_(split), data_(data), options_(std::move(options)) {}

const std::vector<int32_t>& Evaluator::negatives(const std::string& split_name) {
  SHIFTREC_ASSERT(options_.sampled_negatives > 0, "negatives of a full-ranking protocol");
  auto it = negatives_.find(split_name);
  if (it == negatives_.end()) {
    it =
        negatives_
            .emplace(split_name, draw_sampled_negatives(split_, split_.targets(split_name),
                                                        options_.sampled_negatives,
                                                        options_.negatives_seed, options_.sampling))
            .first;
  }
  return it->second;
}

FrozenNegatives Evaluator::frozen_negatives() {
  FrozenNegatives out{options_.protocol, options_.sampled_negatives, {}};
  for (const char* name : {"valid", "test"}) out.by_split[name] = negatives(name);
  return out;
}

void Evaluator::use_negatives(const FrozenNegatives& stored, const std::string& source) {
  if (stored.protocol != options_.protocol || stored.per_target != options_.sampled_negatives) {
    throw UserError(source + ": negatives for protocol " + stored.protocol + " (" +
                    std::to_string(stored.per_target) + " per target), but eval.protocol is " +
                    options_.protocol);
  }
  for (const auto& [name, items] : stored.by_split) {
    const EvalTargets& targets = split_.targets(name);
    const int64_t n = stored.per_target;
    if (static_cast<int64_t>(items.size()) != targets.size() * n) {
      throw UserError(source + ": " + std::to_string(items.size() / n) + " " + name +
                      " targets' negatives, but the split has " + std::to_string(targets.size()));
    }
    for (int64_t t = 0; t < targets.size(); ++t) {
      const int32_t u = targets.user[t];
      for (int64_t j = 0; j < n; ++j) {
        const int32_t item = items[t * n + j];
        const bool own = item >= 0 && item < split_.n_items &&
                         std::find(split_.items.begin() + split_.offsets[u],
                                   split_.items.begin() + split_.offsets[u + 1],
                                   item) != split_.items.begin() + split_.offsets[u + 1];
        if (item < 0 || item >= split_.n_items || own) {
          throw UserError(source + ": " + name + " target " + std::to_string(t) +
                          " has negative item " + std::to_string(item) +
                          (own ? ", one of the user's own items" : ", out of range"));
        }
      }
    }
    negatives_[name] = items;
  }
}

std::string Evaluator::candidates_fingerprint(const std::string& split_name) {
  const EvalTargets& targets = split_.targets(split_name);
  std::string bytes = options_.protocol + (options_.mask_history ? ":masked:" : ":unmasked:") +
                      std::to_string(split_.n_items) + ":";
  const auto append = [&bytes](const auto& values) {
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(values[0]));
  };
  append(targets.user);
  append(targets.item);
  append(targets.history_length);
  if (options_.sampled_negatives > 0) append(negatives(split_name));
  return fnv1a_hex(bytes);
}

void Evaluator::add_new_category_hits(const RankedSplit& ranked, SplitEvaluation& out) const {
  const EvalTargets& targets = *ranked.targets;
  const std::vector<bool> ignored = common_categories(data_, options_.common_category_share);
  for (int64_t k : options_.ks) {
    const int64_t used = std::min(k, ranked.result.top_k_width);
    std::map<ShiftLabel, double> hits;  // per shift label (REVISIT, NOVEL)
    for (int64_t t = 0; t < targets.size(); ++t) {
      if (!is_shift(out.labels[t])) continue;
      const int32_t* top = ranked.result.top_k.data() + t * ranked.result.top_k_width;
      hits[out.labels[t]] += shares_category(data_, ignored, targets.item[t], top, used) ? 1 : 0;
    }
    const std::string name = "newcat_hit@" + std::to_string(k);
    double all = 0.0;
    for (const auto& [label, count] : hits) {
      LabelSummary& summary = out.by_label.at(shift_label_name(label));
      if (summary.count > 0) summary.metrics[name] = count / static_cast<double>(summary.count);
      all += count;
    }
    LabelSummary& shift = out.by_label.at("SHIFT");
    if (shift.count > 0) shift.metrics[name] = all / static_cast<double>(shift.count);
  }
}

void Evaluator::add_conditional_metrics(const std::vector<int64_t>& conditional_ranks,
                                        SplitEvaluation& out) const {
  LabelSummary& shift = out.by_label.at("SHIFT");
  if (shift.count == 0) return;
  std::vector<int64_t> ranks, offsets{0};
  for (size_t q = 0; q + 1 < out.query_offsets.size(); ++q) {
    for (int64_t t = out.query_offsets[q]; t < out.query_offsets[q + 1]; ++t) {
      if (!is_shift(out.labels[t])) continue;
      SHIFTREC_ASSERT(conditional_ranks[t] >= 1, "a SHIFT target outside its own candidates");
      ranks.push_back(conditional_ranks[t]);
    }
    if (static_cast<int64_t>(ranks.size()) > offsets.back())
      offsets.push_back(static_cast<int64_t>(ranks.size()));
  }
  for (const auto& [name, value] : mean_metrics(options_.rank_metric_names(), ranks, offsets)) {
    shift.metrics["cond_" + name] = value;
  }
}

ChangePointScores Evaluator::detect_change_points(const Scorer& scorer,
                                                  const PositionScorer& position_scorer,
                                                  int64_t max_length, c10::Device device,
                                                  const std::vector<ChangePoint>& planted) {
  const OutsideWindowMass mass(data_, options_.shift_window, options_.common_category_share);
  std::vector<std::vector<double>> scores(split_.n_users);  // [user][position]
  for (int32_t u = 0; u < split_.n_users; ++u) {
    scores[u].assign(split_.offsets[u + 1] - split_.offsets[u], 0.0);  // position 0: no history
  }
  // Positions 1..max_length: one causal pass over each user's first max_length items, every
  // state scored (a state sees exactly the items before the position it predicts).
  const int64_t users_per_batch = std::max<int64_t>(1, options_.batch_size / max_length);
  std::vector<int32_t> users;
  std::vector<int64_t> begins, lengths;
  const auto score_windows = [&] {
    throw_if_interrupted();
    const ScorerInputs inputs =
        scorer_inputs(split_, begins, lengths, std::vector<int64_t>(users.begin(), users.end()),
                      max_length, device);
    const int64_t width = inputs.histories.size(1);
    auto all = inputs.score(position_scorer);  // [B, W, n_items]
    std::vector<int64_t> rows, positions;
    std::vector<int32_t> row_users;
    for (size_t b = 0; b < users.size(); ++b) {
      for (int64_t p = 1; p <= lengths[b]; ++p) {  // column W - m + p - 1 predicts position p
        rows.push_back(static_cast<int64_t>(b) * width + width - lengths[b] + p - 1);
        row_users.push_back(users[b]);
        positions.push_back(p);
      }
    }
    auto selected =
        all.reshape({-1, split_.n_items}).index_select(0, at::tensor(rows, at::kLong).to(device));
    const std::vector<double> batch = mass(selected, row_users, positions);
    for (size_t r = 0; r < rows.size(); ++r) scores[row_users[r]][positions[r]] = batch[r];
    users.clear();
    begins.clear();
    lengths.clear();
  };
  // A non-causal model (no position scorer) gets every position from its own prefix.
  const int64_t first_prefix = position_scorer ? max_length + 1 : 1;
  for (int32_t u = 0; u < split_.n_users && position_scorer; ++u) {
    const int64_t length = split_.offsets[u + 1] - split_.offsets[u];
    if (length < 2) continue;
    users.push_back(u);
    begins.push_back(split_.offsets[u]);
    lengths.push_back(std::min(length - 1, max_length));
    if (static_cast<int64_t>(users.size()) == users_per_batch) score_windows();
  }
  if (!users.empty()) score_windows();
  // Later positions of longer sequences: one history (the max_length items before) each.
  const auto score_prefixes = [&] {
    throw_if_interrupted();
    const ScorerInputs inputs =
        scorer_inputs(split_, begins, lengths, std::vector<int64_t>(users.begin(), users.end()),
                      max_length, device);
    const std::vector<double> batch = mass(inputs.score(scorer), users, lengths);
    for (size_t q = 0; q < users.size(); ++q) scores[users[q]][lengths[q]] = batch[q];
    users.clear();
    begins.clear();
    lengths.clear();
  };
  for (int32_t u = 0; u < split_.n_users; ++u) {
    const int64_t length = split_.offsets[u + 1] - split_.offsets[u];
    for (int64_t p = first_prefix; p < length; ++p) {
      users.push_back(u);
      begins.push_back(split_.offsets[u]);
      lengths.push_back(p);
      if (static_cast<int64_t>(users.size()) == options_.batch_size) score_prefixes();
    }
  }
  if (!users.empty()) score_prefixes();
  std::vector<std::vector<int32_t>> truth(split_.n_users), detected(split_.n_users);
  for (const ChangePoint& point : planted) truth[point.user].push_back(point.position);
  for (int32_t u = 0; u < split_.n_users; ++u) {
    detected[u] = detections_from_scores(scores[u], options_.change_point_threshold);
  }
  return match_change_points(truth, detected, options_.change_point_margin);
}

std::vector<double> Evaluator::head_scores(const EvalTargets& targets,
                                           const std::vector<int64_t>& queries, int64_t max_length,
                                           c10::Device device) const {
  std::vector<double> scores(targets.size());
  const int64_t n_queries = static_cast<int64_t>(queries.size()) - 1;
  for (int64_t first = 0; first < n_queries; first += options_.batch_size) {
    throw_if_interrupted();
    const int64_t end = std::min(n_queries, first + options_.batch_size);
    std::vector<int64_t> begin, length, users;
    for (int64_t q = first; q < end; ++q) {
      begin.push_back(split_.offsets[targets.user[queries[q]]]);
      length.push_back(targets.history_length[queries[q]]);
      users.push_back(targets.user[queries[q]]);
    }
    auto probabilities = scorer_inputs(split_, begin, length, users, max_length, device)
                             .score(shift_scorer_)
                             .to(at::kCPU)
                             .to(at::kDouble)
                             .contiguous();
    for (int64_t q = first; q < end; ++q) {
      std::fill(scores.begin() + queries[q], scores.begin() + queries[q + 1],
                probabilities.data_ptr<double>()[q - first]);
    }
  }
  return scores;
}

RankingOptions Evaluator::ranking_options(const std::string& split_name, int64_t max_length,
                                          int64_t top_k) {
  RankingOptions ranking;
  ranking.batch_size = options_.batch_size;
  ranking.max_length = max_length;
  ranking.mask_history = options_.mask_history;
  if (options_.sampled_negatives > 0) {
    ranking.negatives = &negatives(split_name);
    ranking.n_negatives = options_.sampled_negatives;
  }
  // Top lists for NewCategoryHit@k of the shift targets, when the data has categories, and
  // for the list metrics.
  const int64_t largest_k = *std::max_element(options_.ks.begin(), options_.ks.end());
  ranking.top_k = data_.has_categories() && options_.sampled_negatives == 0
                      ? std::max(top_k, largest_k)
                      : top_k;
  for (const auto& name : options_.list_metric_names()) {
    ranking.top_k = std::max(ranking.top_k, make_list_metric(name)->k());
  }
  return ranking;
}

const std::vector<ShiftLabel>* Evaluator::split_labels(const std::string& split_name) {
  if (!data_.has_categories()) return nullptr;
  auto found = labels_.find(split_name);  // labelled once per split, not every epoch
  if (found == labels_.end()) {
    found = labels_
                .emplace(split_name,
                         label_targets(data_, split_.targets(split_name), options_.shift_window,
                                       options_.common_category_share))
                .first;
    for (const auto& warning :
         label_coverage_warnings(data_, found->second, options_.common_category_share)) {
      log_warn(split_name + " shift labels: " + warning);
    }
  }
  return &found->second;
}

void Evaluator::observe_shift_mass(RankedSplit& ranked, int64_t first_query,
                                   const at::Tensor& scores) const {
  const EvalTargets& targets = *ranked.targets;
  const std::vector<int64_t>& queries = ranked.query_offsets;
  std::vector<int32_t> users;
  std::vector<int64_t> lengths;
  for (int64_t q = first_query; q < first_query + scores.size(0); ++q) {
    users.push_back(targets.user[queries[q]]);
    lengths.push_back(targets.history_length[queries[q]]);
  }
  // SHIFT targets ranked only among the items outside the window's categories: does the model
  // know where the interest goes, given that it moves? Pessimistic, the target not counted.
  std::vector<int64_t> rows, items, shift_targets;
  for (int64_t q = first_query; q < first_query + scores.size(0); ++q) {
    for (int64_t t = queries[q]; t < queries[q + 1]; ++t) {
      if (!is_shift((*ranked.labels)[t])) continue;
      rows.push_back(q - first_query);
      items.push_back(targets.item[t]);
      shift_targets.push_back(t);
    }
  }
  const OutsideWindowMass::Reading reading = ranked.mass->read(scores, users, lengths, rows, items);
  std::copy(reading.mass.begin(), reading.mass.end(), ranked.query_mass.begin() + first_query);
  for (size_t j = 0; j < shift_targets.size(); ++j) {
    ranked.conditional_ranks[shift_targets[j]] = 1 + reading.outside_above[j];
  }
}

Evaluator::RankedSplit Evaluator::rank_split(const std::string& split_name, const Scorer& scorer,
                                             int64_t max_length, c10::Device device, int64_t top_k,
                                             bool shift_detection) {
  RankedSplit ranked;
  ranked.targets = &split_.targets(split_name);
  ranked.query_offsets = ranked.targets->query_offsets();
  ranked.labels = split_labels(split_name);
  RankingOptions ranking = ranking_options(split_name, max_length, top_k);
  if (shift_detection && ranked.labels != nullptr) {
    ranked.mass = std::make_unique<OutsideWindowMass>(data_, options_.shift_window,
                                                      options_.common_category_share);
    ranked.query_mass.resize(ranked.query_offsets.size() - 1);
    ranked.conditional_ranks.assign(ranked.targets->size(), 0);
    ranking.observe_scores = [&](int64_t first_query, const at::Tensor& scores) {
      observe_shift_mass(ranked, first_query, scores);
    };
  }
  ranked.result = rank_targets(split_, *ranked.targets, scorer, ranking, device);
  return ranked;
}

void Evaluator::add_list_metrics(const RankedSplit& ranked, SplitEvaluation& out) {
  const std::vector<std::string> names = options_.list_metric_names();
  if (names.empty()) return;
  if (train_counts_.empty()) train_counts_ = split_.train_item_counts();
  for (const auto& name : names) {
    out.metrics[name] = make_list_metric(name)->value(ranked.result.top_k,
                                                      ranked.result.top_k_width, train_counts_);
  }
}

void Evaluator::add_label_breakdown(const RankedSplit& ranked, SplitEvaluation& out) const {
  if (ranked.labels == nullptr) return;
  out.by_label =
      metrics_by_label(options_.rank_metric_names(), out.ranks, *ranked.labels, out.query_offsets);
  out.labels = *ranked.labels;
  if (!ranked.result.top_k.empty()) add_new_category_hits(ranked, out);
}

void Evaluator::add_shift_detection(const std::string& split_name, const RankedSplit& ranked,
                                    int64_t max_length, c10::Device device, SplitEvaluation& out) {
  const EvalTargets& targets = *ranked.targets;
  out.shift_scores.resize(targets.size());
  for (size_t q = 0; q + 1 < out.query_offsets.size(); ++q) {
    std::fill(out.shift_scores.begin() + out.query_offsets[q],
              out.shift_scores.begin() + out.query_offsets[q + 1], ranked.query_mass[q]);
  }
  auto rates = past_shift_rates_.find(split_name);
  if (rates == past_shift_rates_.end()) {
    rates = past_shift_rates_
                .emplace(split_name, past_shift_rate(data_, targets, options_.shift_window,
                                                     options_.common_category_share))
                .first;
  }
  std::map<std::string, std::vector<double>> detectors = {{"model", out.shift_scores},
                                                          {"past_shift_rate", rates->second}};
  if (shift_scorer_) {  // the model's own head is its shift score
    detectors["softmax_mass"] = out.shift_scores;
    out.shift_scores = head_scores(targets, out.query_offsets, max_length, device);
    detectors["model"] = out.shift_scores;
  }
  if (data_.has_timestamps())
    detectors["time_since_previous"] = time_since_previous(data_, targets);
  out.detection = score_shift_detection(detectors, out.labels);
  add_conditional_metrics(ranked.conditional_ranks, out);
}

SplitEvaluation Evaluator::evaluate(const std::string& split_name, const Scorer& scorer,
                                    int64_t max_length, c10::Device device, int64_t top_k,
                                    bool shift_detection) {
  // One ranking pass; every stage after it reads what the pass kept.
  RankedSplit ranked = rank_split(split_name, scorer, max_length, device, top_k, shift_detection);
  SplitEvaluation out;
  out.split = split_name;
  out.n_targets = ranked.targets->size();
  out.query_offsets = ranked.query_offsets;
  out.ranks = ranked.result.ranks;
  out.metrics = mean_metrics(options_.rank_metric_names(), out.ranks, out.query_offsets);
  add_list_metrics(ranked, out);
  add_label_breakdown(ranked, out);
  if (ranked.mass != nullptr) add_shift_detection(split_name, ranked, max_length, device, out);
  if (top_k > 0) {
    out.top_k = std::move(ranked.result.top_k);
    out.top_k_width = ranked.result.top_k_width;
  }
  return out;
}

}  // namespace shiftrec
