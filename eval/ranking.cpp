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

namespace {

// Queries [first_query, end_query) of a split and their targets [start, end): one history per
// query, scored once however many targets it has.
struct QueryBatch {
  int64_t first_query = 0, end_query = 0, start = 0, end = 0;
  std::vector<int64_t> begin, length, users;  // per query: its history and user
  std::vector<int64_t> row_of;                // per target: its query's row in the batch
  std::vector<int64_t> target_ids;            // per target: the item
  int64_t size() const { return end_query - first_query; }
};

QueryBatch make_query_batch(const Split& split, const EvalTargets& targets,
                            const std::vector<int64_t>& queries, int64_t first_query,
                            int64_t end_query) {
  QueryBatch b;
  b.first_query = first_query;
  b.end_query = end_query;
  b.start = queries[first_query];
  b.end = queries[end_query];
  b.row_of.resize(b.end - b.start);
  for (int64_t q = first_query; q < end_query; ++q) {
    const int64_t t = queries[q];
    b.users.push_back(targets.user[t]);
    b.begin.push_back(split.offsets[targets.user[t]]);
    b.length.push_back(targets.history_length[t]);
    std::fill(b.row_of.begin() + (queries[q] - b.start),
              b.row_of.begin() + (queries[q + 1] - b.start), q - first_query);
  }
  b.target_ids.assign(targets.item.begin() + b.start, targets.item.begin() + b.end);
  return b;
}

// The scores with every item of each query's whole history at -inf (the general-CF
// protocol): a copy, never a write into the scorer's tensor.
at::Tensor without_history(const at::Tensor& scores, const Split& split, const QueryBatch& batch,
                           c10::Device device) {
  std::vector<int64_t> rows, columns;  // every (row, history item), full history
  for (int64_t r = 0; r < batch.size(); ++r) {
    for (int64_t i = batch.begin[r]; i < batch.begin[r] + batch.length[r]; ++i) {
      rows.push_back(r);
      columns.push_back(split.items[i]);
    }
  }
  auto masked = scores.clone(at::MemoryFormat::Contiguous);
  masked.index_put_(
      {at::tensor(rows, at::kLong).to(device), at::tensor(columns, at::kLong).to(device)},
      at::scalar_tensor(-std::numeric_limits<float>::infinity(), scores.options()));
  return masked;
}

// Ranks [end - start] and the queries' top-k lists ([Q * k] into `top`) through tensor ops,
// on any device: against the sampled negatives, or all items with one or several targets a
// query.
at::Tensor tensor_ranks(const at::Tensor& scores, const QueryBatch& batch,
                        const RankingOptions& options, int64_t n_items, int64_t k,
                        c10::Device device, std::vector<int32_t>& top) {
  auto target_tensor = at::tensor(batch.target_ids, at::kLong).to(device);
  auto row_tensor = at::tensor(batch.row_of, at::kLong).to(device);
  const int64_t count = batch.end - batch.start;
  at::Tensor ranks;
  if (options.negatives != nullptr) {
    // Candidates [T, 1 + n]: the target in column 0, then its fixed negatives.
    auto negatives = at::from_blob(const_cast<int32_t*>(options.negatives->data()) +
                                       batch.start * options.n_negatives,
                                   {count, options.n_negatives}, at::kInt)
                         .to(device)
                         .to(at::kLong);
    auto candidates = at::cat({target_tensor.unsqueeze(1), negatives}, 1);
    auto flat = candidates + row_tensor.unsqueeze(1) * n_items;
    auto zeros = at::zeros({count}, target_tensor.options());
    ranks = pessimistic_ranks(scores.reshape(-1).take(flat), zeros);
  } else if (count == batch.size()) {  // one target per query
    ranks = pessimistic_ranks(scores, target_tensor);
  } else {
    auto target_scores = scores.reshape(-1).take(row_tensor * n_items + target_tensor);
    ranks = multi_target_ranks(scores, row_tensor, target_scores, options.batch_size);
  }
  if (k > 0) {
    auto best = std::get<1>(scores.topk(k, 1)).to(at::kCPU).to(at::kInt).contiguous();
    top.assign(best.data_ptr<int32_t>(), best.data_ptr<int32_t>() + best.numel());
  }
  return ranks.to(at::kCPU).contiguous();
}

}  // namespace

RankingResult rank_targets(const Split& split, const EvalTargets& targets, const Scorer& scorer,
                           const RankingOptions& options, c10::Device device) {
  RankingResult result;
  const std::vector<int64_t> queries = targets.query_offsets();
  const int64_t n_queries = static_cast<int64_t>(queries.size()) - 1;
  result.ranks.resize(targets.size());
  const int64_t k = std::min(options.top_k, split.n_items);
  result.top_k_width = k;
  result.top_k.resize(targets.size() * k);
  Progress progress("ranking", (n_queries + options.batch_size - 1) / options.batch_size);
  for (int64_t first_query = 0; first_query < n_queries; first_query += options.batch_size) {
    throw_if_interrupted();
    const QueryBatch batch =
        make_query_batch(split, targets, queries, first_query,
                         std::min(n_queries, first_query + options.batch_size));
    auto scores = scorer_inputs(split, batch.begin, batch.length, batch.users, options.max_length,
                                device)
                      .score(scorer);  // [Q, n_items]
    SHIFTREC_ASSERT(
        scores.dim() == 2 && scores.size(0) == batch.size() && scores.size(1) == split.n_items,
        "scorer returned the wrong shape");
    if (options.observe_scores) options.observe_scores(first_query, scores);
    if (options.mask_history) scores = without_history(scores, split, batch, device);
    scores = scores.contiguous();
    std::vector<int32_t> top;  // [Q * k], each query's list
    int64_t* ranks = result.ranks.data() + batch.start;
    if (options.negatives == nullptr && options.fused_cpu && scores.is_cpu() &&
        scores.scalar_type() == at::kFloat) {
      std::vector<int64_t> row_offsets;
      for (int64_t q = first_query; q <= batch.end_query; ++q) {
        row_offsets.push_back(queries[q] - batch.start);
      }
      top.resize(batch.size() * k);
      fused_rank_top_k(scores, row_offsets, batch.target_ids, k, ranks,
                       k > 0 ? top.data() : nullptr);
    } else {
      const at::Tensor computed =
          tensor_ranks(scores, batch, options, split.n_items, k, device, top);
      std::copy(computed.data_ptr<int64_t>(), computed.data_ptr<int64_t>() + computed.numel(),
                ranks);
    }
    for (int64_t t = batch.start; k > 0 && t < batch.end; ++t) {  // a query's list per target
      const int32_t* row = top.data() + batch.row_of[t - batch.start] * k;
      std::copy(row, row + k, result.top_k.begin() + t * k);
    }
    progress.advance(1);
  }
  progress.finish();
  for (int64_t t = 0; t < targets.size(); ++t) {
    if (result.ranks[t] < 1) {
      throw UserError("evaluation: the model scored target " + std::to_string(t) + " (user " +
                      std::to_string(targets.user[t]) + ") as NaN");
    }
  }
  return result;
}

}  // namespace shiftrec
