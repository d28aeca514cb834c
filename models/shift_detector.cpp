#include "models/shift_detector.h"

#include <algorithm>
#include <vector>

#include <ATen/ATen.h>

#include <torch/optim/adam.h>

#include "core/error.h"
#include "datasets/histories.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"
#include "models/left_padded_gru.h"
#include "models/shift_position_labels.h"

namespace shiftrec {

ShiftDetectorImpl::ShiftDetectorImpl(bool reads_gaps, ShiftDetectorReads reads) : reads_(reads) {
  if (reads_gaps) gap_ = register_module("gap", torch::nn::Embedding(kGapBuckets, kGapWidth));
  const int64_t inputs = kFeatures + (reads.recency ? kRecencyBuckets : 0) + (reads.graph ? 1 : 0) +
                         (reads_gaps ? kGapWidth : 0);
  gru_ = register_module("gru",
                         torch::nn::GRU(torch::nn::GRUOptions(inputs, kHidden).batch_first(true)));
  out_ = register_module("out", torch::nn::Linear(kHidden, 1));
}

torch::Tensor ShiftDetectorImpl::forward(const torch::Tensor& features,
                                         const torch::Tensor& histories,
                                         const torch::Tensor& gaps) {
  auto inputs = features;
  if (reads_gaps()) {
    SHIFTREC_ASSERT(gaps.defined(), "a gap-reading shift detector called without gaps");
    inputs = at::cat({features, gap_->forward(gaps)}, -1);
  }
  auto hidden = left_padded_gru(gru_, inputs, histories);  // [B, L, kHidden]
  return out_->forward(hidden).squeeze(-1);
}

at::Tensor shift_detector_features(const at::Tensor& categories, const at::Tensor& histories) {
  // Column t's item as the target after the columns before it: labels over rows shifted right.
  auto before = at::constant_pad_nd(histories, {1, 0}).narrow(1, 0, histories.size(1));
  auto novel = shift_position_labels(categories, before, histories);  // [B, L]
  auto shared = (at::embedding(categories, histories) * at::embedding(categories, before)).sum(-1);
  auto same = shared.gt(0).to(novel.scalar_type()) * (1 - novel);
  auto other = histories.ne(0).to(novel.scalar_type()) - novel - same;
  return at::stack({novel, same, other}, -1);
}

at::Tensor shift_detector_recency(const at::Tensor& categories, const at::Tensor& histories,
                                  const at::Tensor& features) {
  const int64_t length = histories.size(1);
  const auto present = at::embedding(categories, histories).gt(0).to(at::kInt);  // [B, L, C]
  // Each category's last column <= t, counted from 1 (0: not yet), then <= t - 1.
  const auto column = at::arange(1, length + 1, histories.options().dtype(at::kInt));
  const auto last = std::get<0>(at::cummax(present * column.view({1, length, 1}), 1));
  const auto before = at::constant_pad_nd(last, {0, 0, 1, 0}).narrow(1, 0, length);
  // The nearest earlier column sharing a category with column t (0: none) -> how far back.
  const auto nearest = std::get<0>((before * present).max(-1));  // [B, L]
  const auto back = at::where(nearest.gt(0), column.view({1, length}) - nearest,
                              at::full({}, length + 1, nearest.options()));
  const auto other = features.select(-1, 2);
  const auto in = [&](int64_t low, int64_t high) {  // low <= back <= high, on "other" items
    return (back.ge(low) & back.le(high)).to(other.scalar_type()) * other;
  };
  return at::stack({in(2, 2), in(3, 4), in(5, 8), in(9, length + 1)}, -1);
}

at::Tensor shift_graph_unseen_mass(const at::Tensor& categories, const at::Tensor& histories,
                                   const at::Tensor& graph, int64_t window) {
  auto present = at::embedding(categories, histories).to(at::kFloat);  // [B, L, C]
  auto running = present.cumsum(1);                                    // columns <= t
  auto seen = running.gt(0).to(at::kFloat);
  // Columns t - window + 1 .. t: the running sum less the one `window` columns earlier.
  const int64_t length = histories.size(1);
  auto earlier = at::constant_pad_nd(running, {0, 0, window, 0}).narrow(1, 0, length);
  auto recent = (running - earlier).gt(0).to(at::kFloat);
  recent = recent / recent.sum(-1, /*keepdim=*/true).clamp_min(1.0);
  auto reach = at::matmul(recent, graph.to(at::kFloat));  // [B, L, C]
  return (reach * (1 - seen)).sum(-1);
}

double fit_shift_detector(ShiftDetectorImpl& detector, const at::Tensor& categories,
                          const Split& split, int64_t max_length, const ShiftDetectorFit& fit,
                          const ShiftDetectorInputs& inputs) {
  // Windows of max_length + 1 items, from each prefix's end backwards: max_length targets each.
  std::vector<int64_t> begin, length, end;
  for (int64_t u = 0; u < split.n_users; ++u) {
    for (int64_t stop = split.train_length[u]; stop >= 2; stop -= max_length) {
      const int64_t start = std::max<int64_t>(0, stop - max_length - 1);
      begin.push_back(split.offsets[u] + start);
      length.push_back(stop - start);
      end.push_back(split.offsets[u] + stop);
    }
  }
  if (begin.empty()) return 0.0;
  const auto device = categories.device();
  const auto rows = pack_histories(split.items, begin, length, max_length + 1);
  const int64_t width = rows.size(1) - 1;
  at::Tensor gaps;
  if (detector.reads_gaps()) {
    SHIFTREC_ASSERT(!split.times.empty(), "a gap-reading shift detector without timestamps");
    gaps = pack_gap_buckets(split.times, begin, length, end, max_length + 1).narrow(1, 0, width);
  }
  torch::optim::Adam optimizer(detector.parameters(), torch::optim::AdamOptions(fit.learning_rate));
  const int64_t n = rows.size(0);
  double last = 0.0;
  for (int64_t epoch = 0; epoch < fit.epochs; ++epoch) {
    const auto order = at::randperm(n, at::TensorOptions().dtype(at::kLong));
    double sum = 0.0;
    int64_t batches = 0;
    for (int64_t first = 0; first < n; first += fit.batch_rows) {
      const auto pick = order.narrow(0, first, std::min(fit.batch_rows, n - first));
      const auto batch = rows.index_select(0, pick).to(device);
      const auto histories = batch.narrow(1, 0, width), targets = batch.narrow(1, 1, width);
      const auto supervised = histories.ne(0) & targets.ne(0);
      if (!supervised.any().item<bool>()) continue;
      const auto labels = shift_position_labels(categories, histories, targets);
      const auto logits = detector.forward(
          inputs ? inputs(histories) : shift_detector_features(categories, histories), histories,
          gaps.defined() ? gaps.index_select(0, pick).to(device) : gaps);
      auto loss = at::binary_cross_entropy_with_logits(logits.index({supervised}),
                                                       labels.index({supervised}));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      sum += loss.item<double>();
      ++batches;
    }
    last = batches > 0 ? sum / static_cast<double>(batches) : 0.0;
  }
  return last;
}

}  // namespace shiftrec
