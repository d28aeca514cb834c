#include "eval/ranking.h"

#include <algorithm>
#include <limits>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"
#include "eval/fused_ranking.h"

namespace shiftrec {

at::Tensor pessimistic_ranks(const at::Tensor& scores, const at::Tensor& targets) {
  auto target_scores = scores.gather(1, targets.unsqueeze(1));  // [B, 1]
  // Counts the target itself once (score >= own score) — so the count is already 1 + others.
  return scores.ge(target_scores).sum(1);
}

namespace {

// For each target row (row_of[t] = its query's row in `scores`), 1 + #items scored >= it,
// `chunk` target rows at a time so at most [chunk, n_items] copies exist.
at::Tensor multi_target_ranks(const at::Tensor& scores, const at::Tensor& row_of,
                              const at::Tensor& target_scores, int64_t chunk) {
  std::vector<at::Tensor> parts;
  for (int64_t start = 0; start < row_of.size(0); start += chunk) {
    const int64_t length = std::min(chunk, row_of.size(0) - start);
    auto rows = scores.index_select(0, row_of.narrow(0, start, length));
    parts.push_back(rows.ge(target_scores.narrow(0, start, length).unsqueeze(1)).sum(1));
  }
  return at::cat(parts);
}

}  // namespace

ScorerInputs scorer_inputs(const Split& split, const std::vector<int64_t>& begin,
                           const std::vector<int64_t>& length, const std::vector<int64_t>& users,
                           int64_t max_length, c10::Device device) {
  ScorerInputs inputs;
  inputs.histories = pack_histories(split.items, begin, length, max_length).to(device);
  inputs.users = at::tensor(users, at::kLong).to(device);
  inputs.gaps = split_gap_buckets(split, begin, length, max_length);
  if (inputs.gaps.defined()) inputs.gaps = inputs.gaps.to(device);
  return inputs;
}

RankingResult rank_targets(const Split& split, const EvalTargets& targets, const Scorer& scorer,
                           const RankingOptions& options, c10::Device device) {
  RankingResult result;
  const int64_t total = targets.size();
  const std::vector<int64_t> queries = targets.query_offsets();
  const int64_t n_queries = static_cast<int64_t>(queries.size()) - 1;
  result.ranks.resize(total);
  const int64_t k = std::min(options.top_k, split.n_items);
  result.top_k_width = k;
  result.top_k.resize(total * k);
  Progress progress("ranking", (n_queries + options.batch_size - 1) / options.batch_size);
  for (int64_t first_query = 0; first_query < n_queries; first_query += options.batch_size) {
    throw_if_interrupted();
    // One history per query, scored once however many targets the query has.
    const int64_t end_query = std::min(n_queries, first_query + options.batch_size);
    const int64_t start = queries[first_query], end = queries[end_query];
    std::vector<int64_t> begin, length, row_of(end - start), users;
    for (int64_t q = first_query; q < end_query; ++q) {
      const int64_t t = queries[q];
      users.push_back(targets.user[t]);
      begin.push_back(split.offsets[targets.user[t]]);
      length.push_back(targets.history_length[t]);
      std::fill(row_of.begin() + (queries[q] - start), row_of.begin() + (queries[q + 1] - start),
                q - first_query);
    }
    std::vector<int64_t> target_ids(targets.item.begin() + start, targets.item.begin() + end);
    auto target_tensor = at::tensor(target_ids, at::kLong).to(device);
    auto row_tensor = at::tensor(row_of, at::kLong).to(device);
    auto scores = scorer_inputs(split, begin, length, users, options.max_length, device)
                      .score(scorer);  // [Q, n_items]
    SHIFTREC_ASSERT(scores.dim() == 2 && scores.size(0) == end_query - first_query &&
                        scores.size(1) == split.n_items,
                    "scorer returned the wrong shape");
    if (options.observe_scores) options.observe_scores(first_query, scores);
    if (options.mask_history) {
      std::vector<int64_t> rows, columns;  // every (row, history item), full history
      for (int64_t q = first_query; q < end_query; ++q) {
        const int64_t t = queries[q];
        const int64_t first = split.offsets[targets.user[t]];
        for (int64_t i = first; i < first + targets.history_length[t]; ++i) {
          rows.push_back(q - first_query);
          columns.push_back(split.items[i]);
        }
      }
      scores = scores.clone(at::MemoryFormat::Contiguous);  // never write into the scorer's tensor
      scores.index_put_(
          {at::tensor(rows, at::kLong).to(device), at::tensor(columns, at::kLong).to(device)},
          at::scalar_tensor(-std::numeric_limits<float>::infinity(), scores.options()));
    }
    scores = scores.contiguous();
    const bool one_per_query = end - start == end_query - first_query;
    std::vector<int32_t> top;  // [Q * k], each query's list
    if (options.negatives == nullptr && options.fused_cpu && scores.is_cpu() &&
        scores.scalar_type() == at::kFloat) {
      std::vector<int64_t> row_offsets;
      for (int64_t q = first_query; q <= end_query; ++q) row_offsets.push_back(queries[q] - start);
      top.resize((end_query - first_query) * k);
      fused_rank_top_k(scores, row_offsets, target_ids, k, result.ranks.data() + start,
                       k > 0 ? top.data() : nullptr);
    } else {
      at::Tensor ranks;
      if (options.negatives != nullptr) {
        // Candidates [T, 1 + n]: the target in column 0, then its fixed negatives.
        auto negatives = at::from_blob(const_cast<int32_t*>(options.negatives->data()) +
                                           start * options.n_negatives,
                                       {end - start, options.n_negatives}, at::kInt)
                             .to(device)
                             .to(at::kLong);
        auto candidates = at::cat({target_tensor.unsqueeze(1), negatives}, 1);
        auto flat = candidates + row_tensor.unsqueeze(1) * split.n_items;
        auto zeros = at::zeros({end - start}, target_tensor.options());
        ranks = pessimistic_ranks(scores.reshape(-1).take(flat), zeros);
      } else if (one_per_query) {
        ranks = pessimistic_ranks(scores, target_tensor);
      } else {
        auto target_scores = scores.reshape(-1).take(row_tensor * split.n_items + target_tensor);
        ranks = multi_target_ranks(scores, row_tensor, target_scores, options.batch_size);
      }
      ranks = ranks.to(at::kCPU).contiguous();
      std::copy(ranks.data_ptr<int64_t>(), ranks.data_ptr<int64_t>() + (end - start),
                result.ranks.begin() + start);
      if (k > 0) {
        auto best = std::get<1>(scores.topk(k, 1)).to(at::kCPU).to(at::kInt).contiguous();
        top.assign(best.data_ptr<int32_t>(), best.data_ptr<int32_t>() + best.numel());
      }
    }
    for (int64_t t = start; k > 0 && t < end; ++t) {  // each target gets its query's list
      const int32_t* row = top.data() + row_of[t - start] * k;
      std::copy(row, row + k, result.top_k.begin() + t * k);
    }
    progress.advance(1);
  }
  progress.finish();
  for (int64_t t = 0; t < total; ++t) {
    if (result.ranks[t] < 1) {
      throw UserError("evaluation: the model scored target " + std::to_string(t) + " (user " +
                      std::to_string(targets.user[t]) + ") as NaN");
    }
  }
  return result;
}

}  // namespace shiftrec
