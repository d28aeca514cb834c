#include "train/trainer.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include <ATen/TensorIndexing.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

#include "core/config.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/seed.h"
#include "datasets/split.h"
#include "models/recommender.h"
#include "train/batching.h"
#include "train/data_parallel.h"
#include "train/loss.h"
#include "train/pair_batching.h"

namespace shiftrec {

TrainOptions TrainOptions::from_config(ConfigSection s, uint64_t run_seed) {
  TrainOptions o;
  o.epochs = s.get_int("epochs", o.epochs, 0, 1 << 20, "maximum number of epochs");
  o.batch_size = s.get_int("batch_size", o.batch_size, 1, 1 << 20, "users per batch");
  o.learning_rate = s.get_double("learning_rate", o.learning_rate, 1e-12, 10.0, "Adam step size");
  o.beta1 = s.get_double("beta1", o.beta1, 0.0, 0.999999, "Adam beta1");
  o.beta2 = s.get_double("beta2", o.beta2, 0.0, 0.999999, "Adam beta2");
  o.weight_decay = s.get_double("weight_decay", o.weight_decay, 0.0, 10.0, "Adam L2 penalty");
  o.schedule.kind =
      s.get_string("lr_schedule", o.schedule.kind,
                   "learning rate after warmup: constant, linear or cosine decay to 0 "
                   "at the last planned step",
                   {"constant", "linear", "cosine"});
  o.schedule.warmup_steps = s.get_int("warmup_steps", o.schedule.warmup_steps, 0, int64_t{1} << 40,
                                      "steps of linear warmup to learning_rate");
  o.eval_every = s.get_int("eval_every", o.eval_every, 1, 1 << 20, "epochs between validations");
  o.test_curve_every = s.get_int("test_curve_every", o.test_curve_every, 0, 1 << 20,
                                 "epochs between test evaluations logged as a learning curve "
                                 "(never used for selection; 0 = none)");
  o.patience = s.get_int("patience", o.patience, 1, 1 << 20,
                         "validations without improvement before stopping");
  o.early_stop_metric = s.get_string("early_stop_metric", o.early_stop_metric,
                                     "validation metric to maximise, e.g. ndcg@10");
  o.length_buckets = s.get_bool("length_buckets", o.length_buckets,
                                "batch users of similar length together (less padding)");
  o.checkpoint_every =
      s.get_int("checkpoint_every", o.checkpoint_every, 0, 1 << 20,
                "epochs between saved training states, for `shiftrec resume` (0 = none)");
  o.seed = run_seed;
  return o;
}

namespace {

// A deep copy of every parameter and buffer, to restore the best epoch.
std::vector<torch::Tensor> snapshot(Recommender& model) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> copy;
  for (const auto& p : model.parameters()) copy.push_back(p.detach().clone());
  for (const auto& b : model.buffers()) copy.push_back(b.detach().clone());
  return copy;
}

// Overwrites `saved` (a snapshot of the same model) with the current values, in place.
void keep(Recommender& model, std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (const auto& p : model.parameters()) saved[i++].copy_(p);
  for (const auto& b : model.buffers()) saved[i++].copy_(b);
}

void restore(Recommender& model, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& p : model.parameters()) p.copy_(saved[i++]);
  for (auto& b : model.buffers()) b.copy_(saved[i++]);
}

bool has_trainable_parameters(Recommender& model) {
  for (const auto& p : model.parameters()) {
    if (p.requires_grad()) return true;
  }
  return false;
}

// The rank's share of an epoch's batches: every W-th from its rank on, among the first
// n - n mod W (so every rank takes the same number of steps). All of them without ranks.
template <typename Batch>
std::vector<Batch> deal(std::vector<Batch> plan, const DataParallel* parallel) {
  if (parallel == nullptr) return plan;
  const size_t world = static_cast<size_t>(parallel->world_size());
  const size_t usable = plan.size() - plan.size() % world;
  std::vector<Batch> mine;
  for (size_t i = static_cast<size_t>(parallel->rank()); i < usable; i += world) {
    mine.push_back(std::move(plan[i]));
  }
  return mine;
}

}  // namespace

std::string format_metrics(const std::map<std::string, double>& metrics) {
  std::ostringstream os;
  os.precision(4);
  for (const auto& [name, value] : metrics) os << ' ' << name << '=' << std::fixed << value;
  return os.str();
}

TrainResult train_model(Recommender& model, Loss& loss, const Split& split,
                        const TrainOptions& options, c10::Device device, const ValidateFn& validate,
                        const EpochCallback& on_epoch, const TrainStateFile& state_file,
                        DataParallel* parallel) {
  TrainResult result;
  if (!has_trainable_parameters(model)) {
    log_info("model has no trainable parameters: fitted from training statistics only");
    return result;
  }
  // Sequence models learn every next item of the training prefixes; general-CF models
  // (uses_user_ids) learn the (user, item) pairs.
  std::unique_ptr<SequenceBatcher> sequences;
  std::unique_ptr<PairBatcher> pairs;
  if (model.uses_user_ids()) {
    pairs = std::make_unique<PairBatcher>(split, options.batch_size);
  } else {
    sequences = std::make_unique<SequenceBatcher>(split, model.max_length(), options.batch_size,
                                                  options.length_buckets);
  }
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(options.learning_rate)
                                                       .betas({options.beta1, options.beta2})
                                                       .weight_decay(options.weight_decay));
  Rng rng(derive_seed(options.seed, "train.batches"));
  const double mean_positions = sequences ? sequences->mean_positions_per_batch() : 1.0;
  std::vector<torch::Tensor> best_state = snapshot(model);
  const TrainStateParts parts{model, best_state, optimizer, rng, device, parallel};
  TrainProgress counters;
  if (auto restored = restore_train_state(state_file, parts)) {
    counters = std::move(*restored);
    log_info("resuming after epoch " + std::to_string(counters.epochs_done) + " of " +
             std::to_string(options.epochs) +
             (counters.finished ? " (training had finished)" : ""));
    counters.resumed_after.push_back(counters.epochs_done);
  }

  for (int64_t epoch = counters.epochs_done + 1; !counters.finished && epoch <= options.epochs;
       ++epoch) {
    EpochRecord record;
    record.epoch = epoch;
    const double start = seconds_since_start();
    model.train();
    const auto plan = deal(
        sequences ? sequences->epoch_plan(rng) : std::vector<std::vector<int32_t>>{}, parallel);
    const auto pair_plan = deal(pairs ? pairs->epoch(rng) : std::vector<PairBatch>{}, parallel);
    const size_t n_batches = pairs ? pair_plan.size() : plan.size();
    if (parallel != nullptr && n_batches == 0) {
      throw UserError("an epoch has fewer batches than the " +
                      std::to_string(parallel->world_size()) +
                      " data-parallel ranks: lower train.batch_size");
    }
    Progress progress("epoch " + std::to_string(epoch), static_cast<int64_t>(n_batches));
    auto loss_sum = torch::zeros({}, torch::TensorOptions().device(device));
    int64_t batch_index = 0;
    // One optimiser step on a batch's loss, whichever way the batch was made.
    const auto take_step = [&](const torch::Tensor& value) {
      optimizer.zero_grad();
      value.backward();
      if (parallel != nullptr) parallel->average_gradients(model.parameters());
      // The step's rate: the count of batches per epoch is fixed, so (epoch, batch) gives the
      // global step (the same after a resume).
      const int64_t per_epoch = static_cast<int64_t>(n_batches);
      record.learning_rate =
          scheduled_rate(options.schedule, options.learning_rate,
                         (epoch - 1) * per_epoch + batch_index++, options.epochs * per_epoch);
      for (auto& group : optimizer.param_groups()) {
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(record.learning_rate);
      }
      optimizer.step();
      loss_sum += value.detach();
      progress.advance(1);
    };
    for (const auto& batch : pair_plan) {
      throw_if_interrupted();
      auto users = torch::tensor(batch.users, torch::kLong).to(device);
      auto items = torch::tensor(batch.items, torch::kLong).to(device);
      auto value = loss.compute(model, model.encode_users(users), items);
      auto penalty = model.batch_penalty();
      if (penalty.defined()) value = value + penalty;
      take_step(value);
    }
    for (const auto& users : plan) {
      throw_if_interrupted();
      SequenceBatch batch = sequences->make_batch(users);
      auto [inputs, targets] =
          model.training_view(batch.inputs.to(device), batch.targets.to(device));
      auto gaps = batch.gaps.defined() ? batch.gaps.to(device) : batch.gaps;
      auto states = model.encode_with_gaps(inputs, gaps);  // [B, L, d]
      auto supervised = targets.ne(0);                     // [B, L]
      auto value = loss.compute(model, states.index({supervised}), targets.index({supervised}) - 1);
      auto auxiliary = model.auxiliary_loss(inputs, gaps, states, targets);
      if (auxiliary.defined()) value = value + auxiliary;
      if (options.length_buckets) {
        value = value * (static_cast<double>(batch.positions) / mean_positions);
      }
      take_step(value);
    }
    record.train_loss =
        loss_sum.item<double>() / static_cast<double>(std::max<size_t>(n_batches, 1));
    if (parallel != nullptr) {  // every rank logs (and checks) the mean over all ranks
      record.train_loss =
          parallel->sum(at::full({1}, record.train_loss, at::kDouble)).item<double>() /
          static_cast<double>(parallel->world_size());
    }
    record.train_seconds = seconds_since_start() - start;
    counters.train_seconds += record.train_seconds;
    progress.finish("loss " + std::to_string(record.train_loss));
    if (!std::isfinite(record.train_loss)) {
      throw UserError("training diverged: the mean loss of epoch " + std::to_string(epoch) +
                      " is " + std::to_string(record.train_loss) +
                      " (try a lower train.learning_rate)");
    }
    counters.epochs_done = epoch;

    const bool validate_now = epoch % options.eval_every == 0 || epoch == options.epochs;
    bool stop = false;
    if (validate_now) {
      const double valid_start = seconds_since_start();
      model.eval();
      // Rank 0 validates and decides for every rank (data-parallel ranks hold the same model).
      if (parallel == nullptr || parallel->rank() == 0) record.valid_metrics = validate();
      record.valid_seconds = seconds_since_start() - valid_start;
      auto it = record.valid_metrics.find(options.early_stop_metric);
      SHIFTREC_ASSERT(record.valid_metrics.empty() || it != record.valid_metrics.end(),
                      "validation did not compute " + options.early_stop_metric);
      bool has_value = it != record.valid_metrics.end();
      double value = has_value ? it->second : 0.0;
      if (parallel != nullptr) {
        const auto decided =
            parallel->from_rank0(at::tensor({has_value ? 1.0 : 0.0, value}, at::kDouble));
        has_value = decided[0].item<double>() > 0.5;
        value = decided[1].item<double>();
      }
      if (!has_value) {  // no validation targets: the latest epoch is kept
        counters.best_epoch = epoch;
        keep(model, best_state);
        record.improved = true;
      } else if (value > counters.best_value) {
        counters.best_value = value;
        counters.best_epoch = epoch;
        keep(model, best_state);
        counters.validations_without_improvement = 0;
        record.improved = true;
      } else if (++counters.validations_without_improvement >= options.patience) {
        stop = true;
      }
      log_info(
          "epoch " + std::to_string(epoch) + " loss " + std::to_string(record.train_loss) +
          (record.valid_metrics.empty() ? "" : " valid" + format_metrics(record.valid_metrics)) +
          (record.improved ? " (best)" : ""));
    }
    result.history.push_back(record);
    if (on_epoch) on_epoch(record);
    counters.finished = stop || epoch == options.epochs;
    if (stop) {
      log_info("early stop: no better " + options.early_stop_metric + " for " +
               std::to_string(options.patience) + " validations");
    }
    const bool checkpoint_due = options.checkpoint_every > 0 &&
                                (epoch % options.checkpoint_every == 0 || counters.finished);
    // Every data-parallel rank takes part (rank 0 gathers the generators and writes).
    if ((!state_file.path.empty() || parallel != nullptr) && checkpoint_due) {
      const double save_start = seconds_since_start();
      save_train_state(state_file, counters, parts);
      log_debug("training state of epoch " + std::to_string(epoch) + " saved in " +
                std::to_string(seconds_since_start() - save_start) + " s");
    }
  }
  if (parallel != nullptr) parallel->check_in_sync(model.parameters());
  result.epochs_run = counters.epochs_done;
  result.best_epoch = counters.best_epoch;
  result.best_value = counters.best_value;
  result.train_seconds = counters.train_seconds;
  result.resumed_after = counters.resumed_after;
  restore(model, best_state);
  model.eval();
  return result;
}

}  // namespace shiftrec
