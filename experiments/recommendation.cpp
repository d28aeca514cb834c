#include "experiments/recommendation.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <sstream>

#include <ATen/ATen.h>
#include <torch/utils.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_input.h"
#include "datasets/histories.h"
#include "datasets/time_gaps.h"
#include "eval/fused_ranking.h"
#include "eval/window_mass.h"
#include "experiments/plan.h"
#include "experiments/run_evaluation.h"

namespace shiftrec {
namespace {

// A request resolved to the run's internal ids.
struct Resolved {
  std::vector<int32_t> history;   // internal item ids, oldest first
  std::vector<int64_t> position;  // each one's index in the request's history
  std::vector<int64_t> times;     // history times, then the request time (time-aware only)
  int32_t user = -1;
  int64_t skipped = 0;
};

}  // namespace

struct RunRecommender::Scored {
  at::Tensor scores;          // [B, n_items], before any masking
  std::vector<double> shift;  // [B] shift probabilities (empty without head or categories)
  std::vector<std::vector<int32_t>> histories;  // [B] the requests' histories, internal ids
};

struct RunRecommender::State {
  FinishedRun run;
  RecommendOptions options;
  IdDictionary items, users;                  // original id -> index
  std::unique_ptr<OutsideWindowMass> window;  // with categories
  Scorer scorer;
  std::optional<Scorer> shift_head;

  Resolved resolve(const RecommendRequest& request) const;
  std::vector<std::string> categories_of(int32_t item) const;
  // Scores one batch (at most eval.batch_size requests) as the evaluator scores a batch.
  Scored score_batch(const std::vector<Resolved>& batch) const;
  std::vector<Recommendation> answer(const std::vector<Resolved>& batch) const;
  // Deletion weights of the answer's items (top [k]) and shift probability.
  void explain(const Resolved& request, const Scored& scored, int64_t row, const int32_t* top,
               int64_t k, Recommendation& answer) const;
  // [B] probabilities of a shift; empty without a head or categories.
  std::vector<double> shift_probabilities(const at::Tensor& scores,
                                          const std::vector<std::vector<int32_t>>& histories_of,
                                          const at::Tensor& histories, const at::Tensor& users,
                                          const at::Tensor& gaps) const;
};

RunRecommender::RunRecommender(const std::string& run_dir, const RecommendOptions& options)
    : state_(new State{load_finished_run(run_dir), options, {}, {}, nullptr, {}, std::nullopt}) {
  Plan& plan = state_->run.plan;
  const Interactions& data = plan.dataset.interactions;
  if (options.k < 1) throw UserError("--k " + std::to_string(options.k) + ": expected k >= 1");
  state_->items = IdDictionary(data.item_original_ids);
  state_->users = IdDictionary(data.user_original_ids);
  if (data.has_categories()) {
    state_->window = std::make_unique<OutsideWindowMass>(data, plan.eval.shift_window,
                                                         plan.eval.common_category_share);
  }
  state_->scorer = last_state_scorer(*plan.model);
  state_->shift_head = shift_head_scorer(*plan.model);
}

RunRecommender::~RunRecommender() = default;

int64_t RunRecommender::batch_size() const { return state_->run.plan.eval.batch_size; }

Resolved RunRecommender::State::resolve(const RecommendRequest& request) const {
  Resolved out;
  const bool timed = run.plan.model->uses_time_gaps();
  if (timed && (request.times.empty() || !request.at)) {
    throw UserError(request.source +
                    ": this run's model reads time gaps: give the history's times and the "
                    "request time (--times and --at)");
  }
  if (!request.times.empty() && request.times.size() != request.history.size()) {
    throw UserError(request.source + ": " + std::to_string(request.times.size()) + " times for " +
                    std::to_string(request.history.size()) + " history items");
  }
  for (size_t i = 0; i < request.history.size(); ++i) {
    const auto found = items.find(request.history[i]);
    if (!found) {
      if (options.skip_unknown) {
        ++out.skipped;
        continue;
      }
      throw UserError(request.source + ": item \"" + request.history[i] +
                      "\" is not in the run's data (--skip-unknown drops unknown items)");
    }
    out.history.push_back(*found);
    out.position.push_back(static_cast<int64_t>(i));
    if (timed) out.times.push_back(request.times[i]);
  }
  if (timed) {
    if (!out.times.empty() && *request.at < out.times.back()) {
      throw UserError(request.source + ": the request time " + std::to_string(*request.at) +
                      " is before the last history item's " + std::to_string(out.times.back()));
    }
    out.times.push_back(*request.at);
  }
  if (out.history.empty() && !request.user) {
    throw UserError(request.source + ": an empty history" +
                    (out.skipped > 0
                         ? " (after skipping " + std::to_string(out.skipped) + " unknown items)"
                         : std::string()) +
                    ": nothing to recommend from (give items, or --user)");
  }
  if (request.user) {
    const auto found = users.find(*request.user);
    if (!found) {
      throw UserError(request.source + ": user \"" + *request.user + "\" is not in the run's data");
    }
    out.user = *found;
  }
  return out;
}

std::vector<std::string> RunRecommender::State::categories_of(int32_t item) const {
  const Interactions& data = run.plan.dataset.interactions;
  std::vector<std::string> names;
  if (!data.has_categories()) return names;
  for (int64_t k = data.category_offsets[item]; k < data.category_offsets[item + 1]; ++k) {
    names.push_back(data.category_name(data.category_ids[k]));
  }
  return names;
}

std::vector<double> RunRecommender::State::shift_probabilities(
    const at::Tensor& scores, const std::vector<std::vector<int32_t>>& histories_of,
    const at::Tensor& histories, const at::Tensor& users, const at::Tensor& gaps) const {
  if (shift_head) {
    auto p = (*shift_head)(histories, users, gaps).to(at::kCPU, at::kDouble).contiguous();
    return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
  }
  if (window) return window->masses(scores, histories_of);  // as the evaluator reads it
  return {};
}

RunRecommender::Scored RunRecommender::State::score_batch(
    const std::vector<Resolved>& batch) const {
  const Plan& plan = run.plan;
  Recommender& model = *plan.model;
  const int64_t rows = static_cast<int64_t>(batch.size());
  // Items and times laid out as pack_histories and pack_gap_buckets read them: each history
  // followed by one slot for the request (the last column's gap is to the request time).
  std::vector<int32_t> items;
  std::vector<int64_t> times, begin, length, end, user_ids;
  std::vector<std::vector<int32_t>> histories_of;
  bool every_user = true;
  for (const Resolved& r : batch) {
    begin.push_back(static_cast<int64_t>(items.size()));
    length.push_back(static_cast<int64_t>(r.history.size()));
    items.insert(items.end(), r.history.begin(), r.history.end());
    items.push_back(0);
    if (r.times.empty()) {
      times.resize(items.size(), 0);
    } else {
      times.insert(times.end(), r.times.begin(), r.times.end());
    }
    end.push_back(static_cast<int64_t>(items.size()));
    every_user = every_user && r.user >= 0;
    user_ids.push_back(r.user);
    histories_of.push_back(r.history);
  }
  torch::NoGradGuard no_grad;
  at::Tensor histories = pack_histories(items, begin, length, model.max_length());
  if (histories.size(1) == 0) histories = at::zeros({rows, 1}, at::kLong);  // users only
  histories = histories.to(plan.device);
  at::Tensor gaps, users;
  if (model.uses_time_gaps()) {
    gaps = pack_gap_buckets(times, begin, length, end, model.max_length()).to(plan.device);
  }
  if (every_user) users = at::tensor(user_ids, at::kLong).to(plan.device);
  Scored out;
  out.scores = scorer(histories, users, gaps);  // [B, n_items]
  out.shift = shift_probabilities(out.scores, histories_of, histories, users, gaps);
  out.histories = std::move(histories_of);
  return out;
}

std::vector<Recommendation> RunRecommender::State::answer(
    const std::vector<Resolved>& batch) const {
  const Plan& plan = run.plan;
  const int64_t rows = static_cast<int64_t>(batch.size());
  const int64_t n_items = plan.dataset.interactions.n_items;
  const Scored scored = score_batch(batch);
  at::Tensor scores = scored.scores;
  const std::vector<double>& shift = scored.shift;
  if (options.exclude_history || plan.eval.mask_history) {
    std::vector<int64_t> r_index, i_index;
    for (int64_t r = 0; r < rows; ++r) {
      for (int32_t item : batch[r].history) {
        r_index.push_back(r);
        i_index.push_back(item);
      }
    }
    scores = scores.clone(at::MemoryFormat::Contiguous);
    scores.index_put_({at::tensor(r_index, at::kLong).to(plan.device),
                       at::tensor(i_index, at::kLong).to(plan.device)},
                      at::scalar_tensor(-std::numeric_limits<float>::infinity(), scores.options()));
  }
  scores = scores.contiguous();
  const int64_t k = std::min(options.k, n_items);
  std::vector<int32_t> top(rows * k);
  if (scores.is_cpu() && scores.scalar_type() == at::kFloat) {  // the evaluator's tie order
    std::vector<int64_t> row_offsets(rows + 1), ranks(rows);
    for (int64_t r = 0; r <= rows; ++r) row_offsets[r] = r;
    fused_rank_top_k(scores, row_offsets, std::vector<int64_t>(rows, 0), k, ranks.data(),
                     top.data());
  } else {
    auto best = std::get<1>(scores.topk(k, 1)).to(at::kCPU).to(at::kInt).contiguous();
    top.assign(best.data_ptr<int32_t>(), best.data_ptr<int32_t>() + best.numel());
  }
  // Only the answers' scores and window flags: [B, k], not [B, n_items] copies.
  const at::Tensor top_scores =
      scores
          .gather(1, at::tensor(std::vector<int64_t>(top.begin(), top.end()), at::kLong)
                         .view({rows, k})
                         .to(scores.device()))
          .to(at::kCPU, at::kDouble)
          .contiguous();
  const std::vector<uint8_t> outside =
      window ? window->outside_items(scored.histories, top.data(), k) : std::vector<uint8_t>();
  std::vector<Recommendation> answers(rows);
  const auto& original = plan.dataset.interactions.item_original_ids;
  for (int64_t r = 0; r < rows; ++r) {
    Recommendation& a = answers[r];
    a.skipped_unknown = batch[r].skipped;
    if (!shift.empty()) {
      a.shift_probability = shift[r];
      a.shift_source = shift_head ? "model" : "softmax_mass";
    }
    for (int64_t j = 0; j < k; ++j) {
      const int32_t item = top[r * k + j];
      RecommendedItem out;
      out.item = original.name(item);
      out.score = top_scores.data_ptr<double>()[r * k + j];
      out.categories = categories_of(item);
      out.new_interest = !outside.empty() && outside[r * k + j] > 0;
      a.items.push_back(std::move(out));
    }
    if (options.explain) explain(batch[r], scored, r, top.data() + r * k, k, a);
  }
  return answers;
}

void RunRecommender::State::explain(const Resolved& request, const Scored& scored, int64_t row,
                                    const int32_t* top, int64_t k, Recommendation& answer) const {
  // The items the model reads (the last max_length), each deleted in turn: one batch of
  // histories, each one item shorter (its time goes with it).
  const int64_t n = static_cast<int64_t>(request.history.size());
  const int64_t first = std::max<int64_t>(0, n - run.plan.model->max_length());
  std::vector<Resolved> variants;
  for (int64_t p = first; p < n; ++p) {
    Resolved v = request;
    v.history.erase(v.history.begin() + p);
    if (!v.times.empty()) v.times.erase(v.times.begin() + p);
    variants.push_back(std::move(v));
  }
  if (variants.empty()) return;  // a known user without a history
  const Scored deleted = score_batch(variants);
  const int64_t n_items = run.plan.dataset.interactions.n_items;
  const at::Tensor full = scored.scores[row].to(at::kCPU, at::kDouble).contiguous();
  const at::Tensor without = deleted.scores.to(at::kCPU, at::kDouble).contiguous();
  const auto& original = run.plan.dataset.interactions.item_original_ids;
  const auto attribution = [&](const std::function<double(int64_t)>& drop) {
    std::vector<HistoryWeight> weights;
    for (int64_t v = 0; v < static_cast<int64_t>(variants.size()); ++v) {
      const int64_t p = first + v;
      weights.push_back({original.name(request.history[p]), request.position[p], drop(v)});
    }
    std::stable_sort(
        weights.begin(), weights.end(),
        [](const HistoryWeight& a, const HistoryWeight& b) { return a.weight > b.weight; });
    if (static_cast<int64_t>(weights.size()) > options.explain_top) {
      weights.resize(options.explain_top);
    }
    return weights;
  };
  for (int64_t j = 0; j < k; ++j) {
    const int32_t item = top[j];
    const double score = full.data_ptr<double>()[item];
    answer.items[j].because = attribution(
        [&](int64_t v) { return score - without.data_ptr<double>()[v * n_items + item]; });
  }
  if (!scored.shift.empty()) {
    const double p = scored.shift[row];
    answer.shift_because = attribution([&](int64_t v) { return p - deleted.shift[v]; });
  }
}

std::vector<Recommendation> RunRecommender::recommend(
    const std::vector<RecommendRequest>& requests) {
  std::vector<Recommendation> answers;
  for (size_t first = 0; first < requests.size(); first += batch_size()) {
    const size_t end = std::min(requests.size(), first + static_cast<size_t>(batch_size()));
    std::vector<Resolved> batch;
    for (size_t r = first; r < end; ++r) batch.push_back(state_->resolve(requests[r]));
    for (auto& answer : state_->answer(batch)) answers.push_back(std::move(answer));
  }
  return answers;
}

std::string recommendation_json(const Recommendation& a) {
  nlohmann::json items = nlohmann::json::array();
  const auto weights_json = [](const std::vector<HistoryWeight>& weights) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& w : weights) {
      out.push_back({{"item", w.item}, {"position", w.position}, {"weight", w.weight}});
    }
    return out;
  };
  for (const auto& item : a.items) {
    items.push_back({{"item", item.item},
                     {"score", item.score},
                     {"categories", item.categories},
                     {"new_interest", item.new_interest}});
    if (!item.because.empty()) items.back()["because"] = weights_json(item.because);
  }
  nlohmann::json out = {{"items", items}, {"skipped_unknown", a.skipped_unknown}};
  if (a.shift_probability) {
    out["shift_probability"] = *a.shift_probability;
    out["shift_score"] = a.shift_source;
    if (!a.shift_because.empty()) out["shift_because"] = weights_json(a.shift_because);
  }
  return out.dump();
}

std::string recommendation_text(const Recommendation& a) {
  std::ostringstream os;
  if (a.shift_probability) {
    char line[96];
    std::snprintf(line, sizeof line, "P(next is an interest shift) = %.4f (%s)\n",
                  *a.shift_probability, a.shift_source.c_str());
    os << line;
  }
  for (const auto& w : a.shift_because) {
    char weight[32];
    std::snprintf(weight, sizeof weight, "%+.4f", w.weight);
    os << "  shift probability because of " << w.item << " (history position " << w.position
       << "): " << weight << '\n';
  }
  if (a.skipped_unknown > 0) os << a.skipped_unknown << " unknown history items skipped\n";
  os << "rank\titem\tscore\tnew_interest\tcategories\n";
  for (size_t j = 0; j < a.items.size(); ++j) {
    const RecommendedItem& item = a.items[j];
    std::string categories;
    for (const auto& c : item.categories) categories += (categories.empty() ? "" : ",") + c;
    char score[32];
    std::snprintf(score, sizeof score, "%.6g", item.score);
    os << j + 1 << '\t' << item.item << '\t' << score << '\t' << (item.new_interest ? "yes" : "no")
       << '\t' << (categories.empty() ? "-" : categories) << '\n';
    for (const auto& w : item.because) {
      std::snprintf(score, sizeof score, "%+.4f", w.weight);
      os << "\t  because of " << w.item << " (history position " << w.position << "): " << score
         << '\n';
    }
  }
  return os.str();
}

RecommendRequest parse_request_json(const std::string& line, const std::string& source) {
  RecommendRequest request;
  request.source = source;
  const nlohmann::json j = parse_json(line, source);
  const auto id_text = [&source](const nlohmann::json& v) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    throw UserError(source + ": an id must be a string or an integer");
  };
  try {
    if (!j.is_object() || !j.contains("history") || !j["history"].is_array()) {
      throw UserError(source + ": expected {\"history\": [item ids, ...], ...}");
    }
    for (const auto& v : j["history"]) request.history.push_back(id_text(v));
    if (j.contains("times")) request.times = j["times"].get<std::vector<int64_t>>();
    if (j.contains("at")) request.at = j["at"].get<int64_t>();
    if (j.contains("user")) request.user = id_text(j["user"]);
  } catch (const nlohmann::json::exception& e) {
    throw UserError(source + ": " + std::string(e.what()).substr(0, 120));
  }
  return request;
}

}  // namespace shiftrec
