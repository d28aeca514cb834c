// The `interest_filter` head: ranks with a hidden Markov model of the user's active interests
// (models/interest_filter.h), fitted by Baum-Welch to the training prefixes before training
// (the fitted laws are stored in the run's checkpoint, so a loaded run does not fit again),
// mixed with the model's own next-item distribution:
//   P(item) = (1 - mix) softmax(model scores) + mix P_filter(item | history, gap to the request)
// and the ranking score is log P(item), so the evaluator's softmax mass outside the history
// window (the shift detection score) is the mixture's own probability of a shift. mix = 0
// leaves the scores as they were (the model alone); mix = 1 ranks by the filter alone. The
// model's training is untouched (the head adds no loss).
//   [model]
//   heads = ["interest_filter"]
//   [model.interest_filter]
//   active = 2         # interests active at once (the filter tracks every set of this size)
//   iterations = 10    # Baum-Welch passes
//   mix = 0.5
//   time_gaps = true   # the change probability per gap bucket (default: as the sequence part)
#include <chrono>
#include <cstdio>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "datasets/interactions.h"
#include "datasets/split.h"
#include "datasets/time_gaps.h"
#include "models/head.h"
#include "models/interest_filter.h"

namespace shiftrec {
namespace {

struct InterestFilterHeadOptions {
  int64_t active = 2;
  int64_t iterations = 10;
  double mix = 1.0;
  bool time_gaps = false;
};

// Each item's first category, -1 for none.
std::vector<int32_t> first_categories(const Interactions& data, int64_t n_items) {
  std::vector<int32_t> out(static_cast<size_t>(n_items), -1);
  for (int64_t i = 0; i < n_items; ++i) {
    if (data.category_offsets[i + 1] > data.category_offsets[i])
      out[i] = data.category_ids[data.category_offsets[i]];
  }
  return out;
}

class InterestFilterHead : public Head {
 public:
  InterestFilterHead(const InterestFilterHeadOptions& o, const HeadContext& c, int64_t n_items)
      : options_(o), filter_(first_categories(*c.data, n_items), c.data->n_categories, o.active) {
    // The fitted laws travel in the checkpoint (models/checkpoint.h: `fitted` buffers), so a
    // finished run's recommend and eval do not fit them again. Sized here, filled by fit().
    const InterestFilter::Laws laws = filter_.laws();
    fitted_ = register_buffer("fitted", at::zeros({}, at::kDouble));
    fitted_change_ = register_buffer("fitted_change", laws_tensor(laws.change));
    fitted_move_ = register_buffer("fitted_move", laws_tensor(laws.move));
    fitted_noise_ = register_buffer("fitted_noise", at::zeros({}, at::kDouble));
    fitted_q_ = register_buffer("fitted_q", laws_tensor(laws.q));
    fitted_initial_ = register_buffer("fitted_initial", laws_tensor(laws.initial));
  }

  // Fits the laws on the training prefixes, unless they were fitted before (this process, or
  // the run whose checkpoint was loaded): then the stored laws are taken as they are.
  void fit(const Split& split) override {
    if (options_.mix == 0.0) return;  // the model alone: nothing to fit
    if (fitted_.item<double>() > 0.0) {
      filter_.set_laws({values(fitted_change_), values(fitted_move_), fitted_noise_.item<double>(),
                        values(fitted_q_), values(fitted_initial_)});
      log_info("interest filter: the run's fitted laws, " + std::to_string(filter_.n_sets()) +
               " sets (no Baum-Welch pass)");
      return;
    }
    const auto started = std::chrono::steady_clock::now();
    std::vector<InterestFilter::Sequence> sequences(static_cast<size_t>(split.n_users));
    const bool gaps = options_.time_gaps && !split.times.empty();
    for (int64_t u = 0; u < split.n_users; ++u) {
      auto& sequence = sequences[u];
      const int64_t begin = split.offsets[u], length = split.train_length[u];
      sequence.items.assign(split.items.begin() + begin, split.items.begin() + begin + length);
      sequence.gaps_after.assign(static_cast<size_t>(length), 0);
      for (int64_t t = 0; gaps && t + 1 < length; ++t) {
        sequence.gaps_after[t] = gap_bucket(split.times[begin + t + 1] - split.times[begin + t]);
      }
    }
    const std::vector<double> ll = filter_.fit(sequences, options_.iterations);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char line[200];
    std::snprintf(line, sizeof line,
                  "interest filter: %lld sets, %lld Baum-Welch passes in %.1f s, "
                  "log-likelihood %.1f -> %.1f, noise %.3f",
                  static_cast<long long>(filter_.n_sets()),
                  static_cast<long long>(options_.iterations), seconds,
                  ll.empty() ? 0.0 : ll.front(), ll.empty() ? 0.0 : ll.back(), filter_.noise());
    log_info(line);
    const InterestFilter::Laws laws = filter_.laws();
    at::NoGradGuard no_grad;
    fitted_change_.copy_(laws_tensor(laws.change));
    fitted_move_.copy_(laws_tensor(laws.move));
    fitted_noise_.fill_(laws.noise);
    fitted_q_.copy_(laws_tensor(laws.q));
    fitted_initial_.copy_(laws_tensor(laws.initial));
    fitted_.fill_(1.0);
  }

  // histories [B, L] tokens (left-padded), gaps [B, L] or undefined; scores [B, n_items].
  at::Tensor rescore(const ModelInput& input, const at::Tensor& /*last_states*/,
                     const at::Tensor& scores, const ItemScorer& /*score_all*/) override {
    if (options_.mix == 0.0) return scores;
    const int64_t B = scores.size(0), n_items = scores.size(1);
    const auto histories = input.histories.to(at::kCPU).contiguous();
    const int64_t L = histories.size(1);
    at::Tensor gaps;
    if (options_.time_gaps && input.gaps.defined()) gaps = input.gaps.to(at::kCPU).contiguous();
    auto filtered = at::empty({B, n_items}, at::kFloat);
    const int64_t* tokens = histories.data_ptr<int64_t>();
    const int64_t* buckets = gaps.defined() ? gaps.data_ptr<int64_t>() : nullptr;
    float* out = filtered.data_ptr<float>();
    at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
      std::vector<int32_t> items;
      std::vector<int64_t> after;
      for (int64_t r = begin; r < end; ++r) {
        items.clear();
        after.clear();
        for (int64_t t = 0; t < L; ++t) {
          const int64_t token = tokens[r * L + t];
          if (token <= 0 || token > n_items) continue;  // padding, or a token after the items
          items.push_back(static_cast<int32_t>(token - 1));
          after.push_back(buckets != nullptr ? buckets[r * L + t] : 0);
        }
        filter_.predict(items.data(), after.data(), static_cast<int64_t>(items.size()),
                        out + r * n_items);
      }
    });
    filtered = filtered.to(scores.device());
    if (options_.mix == 1.0) return at::log(filtered);
    auto model = at::softmax(scores.to(at::kFloat), 1);
    return at::log((1.0 - options_.mix) * model + options_.mix * filtered);
  }

  bool reads_gaps() const override { return options_.time_gaps; }

 private:
  static at::Tensor laws_tensor(const std::vector<double>& law) {
    return at::tensor(at::ArrayRef<double>(law), at::kDouble);
  }
  static std::vector<double> values(const at::Tensor& law) {
    const auto cpu = law.to(at::kCPU).contiguous();
    const double* data = cpu.data_ptr<double>();
    return std::vector<double>(data, data + cpu.numel());
  }

  InterestFilterHeadOptions options_;
  InterestFilter filter_;
  at::Tensor fitted_;  // [] 1 once the laws below are fitted
  at::Tensor fitted_change_, fitted_move_, fitted_noise_, fitted_q_, fitted_initial_;  // Laws
};

}  // namespace

SHIFTREC_REGISTER_HEAD(
    "interest_filter",
    "ranks with a hidden Markov model of the user's active interests (Baum-Welch on the "
    "training prefixes), mixed with the model's own distribution",
    [](ConfigSection s, const HeadContext& c) {
      InterestFilterHeadOptions o;
      o.active = s.get_int("active", o.active, 1, 64,
                           "interests active at once (the filter tracks every set of this size)");
      o.iterations = s.get_int("iterations", o.iterations, 0, 1000, "Baum-Welch passes");
      o.mix = s.get_double("mix", o.mix, 0.0, 1.0,
                           "the filter's share of the ranking distribution (0: the model alone)");
      o.time_gaps = s.get_bool("time_gaps", c.time_gaps,
                               "the change probability depends on the gap to the next item");
      if (c.data == nullptr || !c.data->has_categories()) {
        s.fail("active",
               "the interest_filter head needs item categories, and this dataset has "
               "none");
      }
      if (o.time_gaps && !c.data->has_timestamps()) {
        s.fail("time_gaps", "the data has no timestamps");
      }
      try {
        return std::make_shared<InterestFilterHead>(o, c, c.data->n_items);
      } catch (const UserError& e) {
        s.fail("active", e.what());
      }
    });

}  // namespace shiftrec
