#include "experiments/plan.h"

#include <algorithm>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/utils.h>

#include "core/error.h"
#include "core/log.h"
#include "core/seed.h"
#include "core/text.h"
#include "datasets/time_gaps.h"
#include "eval/label_breakdown.h"
#include "eval/metric_names.h"
#include "experiments/device.h"

namespace shiftrec {

namespace {

// "ndcg@10" (a computed metric), or "SHIFT:recall@10": a rank metric of one shift label's
// targets, for shift-first model selection.
void check_early_stop_metric(ConfigSection train, const std::string& metric,
                             const std::vector<std::string>& names) {
  const size_t colon = metric.find(':');
  const std::string label = colon == std::string::npos ? "" : metric.substr(0, colon);
  const std::string name = colon == std::string::npos ? metric : metric.substr(colon + 1);
  const std::vector<std::string>& labels = breakdown_label_names();
  if (colon != std::string::npos &&
      std::find(labels.begin(), labels.end(), label) == labels.end()) {
    train.fail("early_stop_metric",
               "\"" + label + "\" is not a shift label; expected one of: " + join(labels));
  }
  const bool computed = std::find(names.begin(), names.end(), name) != names.end();
  if (!computed || (colon != std::string::npos && metric_kind(name) != MetricKind::kRank)) {
    const std::string nearest = nearest_name(name, names);
    train.fail("early_stop_metric",
               "\"" + metric + "\" is not computed" +
                   (colon != std::string::npos ? " per label (rank metrics only)" : "") +
                   (nearest.empty() ? "" : " (did you mean \"" + nearest + "\"?)") +
                   "; expected one of: " + join(names) +
                   ", or LABEL:metric (e.g. SHIFT:" + names.front() + ")");
  }
}

}  // namespace

Plan read_plan(Config& config, DataLoading loading) {
  Plan plan;
  ConfigSection root = config.root();
  plan.seed = static_cast<uint64_t>(
      root.get_int("seed", 42, 0, ConfigSection::kIntMax, "seed of every random source"));
  const std::string device_name =
      root.get_string("device", "auto", "auto (CUDA when available), cpu, cuda or cuda:N");
  try {
    plan.device = resolve_device(device_name);
  } catch (const UserError& e) {
    root.fail("device", e.what());
  }
  plan.threads = root.get_int("threads", 0, 0, 1024, "CPU threads for LibTorch; 0 = all cores");
  const std::string level = root.get_string("log_level", "info", "debug, info, warn, error or off",
                                            {"debug", "info", "warn", "error", "off"});
  set_log_level(parse_log_level(level));

  ConfigSection model_section = config.section("model");
  ConfigSection loss_section = config.section("loss");
  plan.loss_name = loss_section.get_string("name", "bce", "training loss", loss_registry().names());
  plan.train = TrainOptions::from_config(config.section("train"), plan.seed);
  plan.eval = EvalOptions::from_config(config.section("eval"));
  check_early_stop_metric(config.section("train"), plan.train.early_stop_metric,
                          plan.eval.metric_names());
  plan.loss = loss_registry().get(plan.loss_name)(loss_section);

  // Set explicitly: this machine's OpenMP runtime defaults to one thread.
  const auto cores = static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(static_cast<int>(plan.threads > 0 ? plan.threads : cores));
  seed_torch(plan.seed);
  plan.dataset = load_updated_dataset(config, loading);
  if (plan.train.early_stop_metric.find(':') != std::string::npos &&
      !plan.dataset.interactions.has_categories()) {
    config.section("train").fail("early_stop_metric",
                                 "\"" + plan.train.early_stop_metric +
                                     "\" is a shift label's metric, and this data has no "
                                     "categories to label targets with");
  }
  plan.split = split_from_config(config.section("split"), plan.dataset.interactions);
  const bool stand_in = loading == DataLoading::options_only;  // checks of the data don't apply
  if (plan.split.test.size() == 0 && !stand_in) {  // metrics of nothing would read as 0.0
    config.section("split").fail("protocol",
                                 "the " + plan.split.protocol + " split of these " +
                                     std::to_string(plan.dataset.interactions.size()) +
                                     " interactions has no test targets: nothing to evaluate");
  }
  if (!stand_in)
    log_info("data: " + std::to_string(plan.dataset.interactions.n_users) + " users, " +
             std::to_string(plan.dataset.interactions.n_items) + " items, " +
             std::to_string(plan.dataset.interactions.size()) + " interactions; " +
             plan.split.protocol + " split: " + std::to_string(plan.split.valid.size()) +
             " valid and " + std::to_string(plan.split.test.size()) + " test targets");
  // A cut-off above the number of candidates would make every target a hit at that k.
  const int64_t candidates = plan.eval.sampled_negatives > 0 ? plan.eval.sampled_negatives + 1
                                                             : plan.dataset.interactions.n_items;
  for (int64_t k : plan.eval.ks) {
    if (k > candidates && !stand_in) {
      config.section("eval").fail("ks", "cut-off " + std::to_string(k) + " is above the " +
                                            std::to_string(candidates) +
                                            " candidates each target is ranked among (protocol " +
                                            plan.eval.protocol + ")");
    }
  }
  ModelContext context;
  context.n_items = plan.dataset.interactions.n_items;
  context.n_users = plan.dataset.interactions.n_users;
  context.data = &plan.dataset.interactions;
  plan.model = build_model(model_section, context, &plan.model_name);
  if (plan.model->uses_time_gaps() && plan.split.times.empty()) {
    // The option that switched gaps on: [model] time_gaps in a preset, a part's own table in
    // a composition ([model.sasrec] time_gaps).
    std::string table = "model";
    for (const auto& option : config.options()) {
      const auto dot = option.path.rfind('.');
      if (option.value == "true" && dot != std::string::npos &&
          option.path.substr(dot + 1) == "time_gaps" && option.path.rfind("model.", 0) == 0) {
        table = option.path.substr(0, dot);
      }
    }
    config.section(table).fail("time_gaps",
                               "the data has no timestamps (every time is the position in "
                               "the user's sequence), so there are no gaps to read");
  }
  config.check_all_used();
  return plan;
}

namespace {

ModelInput model_input(const at::Tensor& histories, const at::Tensor& users,
                       const at::Tensor& gaps) {
  return ModelInput{histories, gaps, users};
}

}  // namespace

Scorer last_state_scorer(Recommender& model) {
  return [&model](const at::Tensor& histories, const at::Tensor& users, const at::Tensor& gaps) {
    torch::NoGradGuard no_grad;
    const ModelInput input = model_input(histories, users, gaps);
    return model.score_next(input, model.encode(input).select(1, -1));
  };
}

std::optional<Scorer> shift_head_scorer(Recommender& model) {
  auto shift = model.shift_score();
  if (!shift) return std::nullopt;
  return Scorer([&model, shift = *shift](const at::Tensor& histories, const at::Tensor& users,
                                         const at::Tensor& gaps) {
    torch::NoGradGuard no_grad;
    const ModelInput input = model_input(histories, users, gaps);
    return shift(input, model.encode(input).select(1, -1));
  });
}

PositionScorer all_states_scorer(Recommender& model) {
  return [&model](const at::Tensor& histories, const at::Tensor& users, const at::Tensor& gaps) {
    torch::NoGradGuard no_grad;
    auto states = model.encode(model_input(histories, users, gaps));  // [B, L, d]
    return model.score_all(states.reshape({-1, states.size(2)}))
        .view({histories.size(0), histories.size(1), -1});
  };
}

}  // namespace shiftrec
