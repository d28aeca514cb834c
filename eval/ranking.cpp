#include "eval/ranking.h"

#include <algorithm>
#include <limits>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/progress.h"
#include "datasets/histories.h"
#include "datasets/split.h"

namespace shiftrec {

at::Tensor pessimistic_ranks(const at::Tensor& scores, const at::Tensor& targets) {
  auto target_scores = scores.gather(1, targets.unsqueeze(1));  // [B, 1]
  // Counts the target itself once (score >= own score) — so the count is already 1 + others.
  return scores.ge(target_scores).sum(1);
}

RankingResult rank_targets(const Split& split, const EvalTargets& targets, const Scorer& scorer,
                           const RankingOptions& options, c10::Device device) {
  RankingResult result;
  const int64_t total = targets.size();
  result.ranks.resize(total);
  const int64_t k = std::min(options.top_k, split.n_items);
  result.top_k_width = k;
  result.top_k.resize(total * k);
  Progress progress("ranking", (total + options.batch_size - 1) / options.batch_size);
  for (int64_t start = 0; start < total; start += options.batch_size) {
    throw_if_interrupted();
    const int64_t end = std::min(total, start + options.batch_size);
    std::vector<int64_t> begin, length;
    std::vector<int64_t> target_ids(targets.item.begin() + start, targets.item.begin() + end);
    for (int64_t t = start; t < end; ++t) {
      begin.push_back(split.offsets[targets.user[t]]);
      length.push_back(targets.history_length[t]);
    }
    auto histories = pack_histories(split.items, begin, length, options.max_length).to(device);
    auto target_tensor = at::tensor(target_ids, at::kLong).to(device);
    auto scores = scorer(histories);  // [B, n_items]
    SHIFTREC_ASSERT(scores.dim() == 2 && scores.size(1) == split.n_items,
                    "scorer returned the wrong shape");
    if (options.mask_history) {
      std::vector<int64_t> rows, columns;  // every (row, history item), full history
      for (int64_t t = start; t < end; ++t) {
        const int64_t first = split.offsets[targets.user[t]];
        for (int64_t i = first; i < first + targets.history_length[t]; ++i) {
          rows.push_back(t - start);
          columns.push_back(split.items[i]);
        }
      }
      scores = scores.clone(at::MemoryFormat::Contiguous);  // never write into the scorer's tensor
      scores.index_put_({at::tensor(rows, at::kLong).to(device), at::tensor(columns, at::kLong).to(device)},
                        at::scalar_tensor(-std::numeric_limits<float>::infinity(),
                                          scores.options()));
    }
    at::Tensor ranks;
    if (options.negatives != nullptr) {
      // Candidates [B, 1 + n]: the target in column 0, then its fixed negatives.
      auto negatives = at::from_blob(const_cast<int32_t*>(options.negatives->data()) +
                                         start * options.n_negatives,
                                     {end - start, options.n_negatives}, at::kInt)
                           .to(device)
                           .to(at::kLong);
      auto candidates = at::cat({target_tensor.unsqueeze(1), negatives}, 1);
      auto zeros = at::zeros({end - start}, target_tensor.options());
      ranks = pessimistic_ranks(scores.gather(1, candidates), zeros).to(at::kCPU).contiguous();
    } else {
      ranks = pessimistic_ranks(scores, target_tensor).to(at::kCPU).contiguous();
    }
    std::copy(ranks.data_ptr<int64_t>(), ranks.data_ptr<int64_t>() + (end - start),
              result.ranks.begin() + start);
    if (k > 0) {
      auto top = std::get<1>(scores.topk(k, 1)).to(at::kCPU).to(at::kInt).contiguous();
      for (int64_t r = 0; r < end - start; ++r) {
        std::copy(top.data_ptr<int32_t>() + r * k, top.data_ptr<int32_t>() + (r + 1) * k,
                  result.top_k.begin() + (start + r) * k);
      }
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
