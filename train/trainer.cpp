#include "train/trainer.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <ATen/Parallel.h>
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
#include "train/batch_shards.h"
#include "train/data_parallel.h"
#include "train/fused_adam.h"
#include "train/loss.h"
#include "train/training_stream.h"

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
  o.collective_timeout = s.get_int("collective_timeout", o.collective_timeout, 1, 7 * 24 * 3600,
                                   "data-parallel: seconds a rank waits for the others");
  o.patience = s.get_int("patience", o.patience, 1, 1 << 20,
                         "validations without improvement before stopping");
  o.early_stop_metric = s.get_string("early_stop_metric", o.early_stop_metric,
                                     "validation metric to maximise, e.g. ndcg@10");
  o.length_buckets = s.get_bool("length_buckets", o.length_buckets,
                                "batch users of similar length together (less padding)");
  o.shards = s.get_int("shards", o.shards, 1, 256,
                       "split each batch into this many shards computed at once, one CPU thread "
                       "each (1 = one pass over LibTorch's threads)");
  o.precision = precision_named(
      s.get_string("precision", precision_name(o.precision),
                   "float32, or bf16: each batch's forward pass and loss under autocast in "
                   "bfloat16 (parameters, gradients and Adam stay float32; evaluation float32)",
                   {"float32", "bf16"}),
      "train.precision");
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

// What one call of train_model works with, shared by its stages.
struct Training {
  Recommender& model;
  Loss& loss;
  const TrainOptions& options;
  c10::Device device;
  DataParallel* parallel;
  TrainingStream& stream;
  torch::optim::Adam& optimizer;
  Rng& rng;
  std::vector<torch::Tensor>& best_state;
  TrainProgress& counters;
  ShardWorkers* workers;  // null without train.shards
};

// LibTorch's thread count on this thread for a scope, then back.
class ScopedThreads {
 public:
  explicit ScopedThreads(int threads) : previous_(at::get_num_threads()) {
    if (threads != previous_) at::set_num_threads(threads);
  }
  ~ScopedThreads() {
    if (at::get_num_threads() != previous_) at::set_num_threads(previous_);
  }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int previous_;
};

// One epoch of optimiser steps; fills the record's loss, rate and time.
// Every step, before the optimizer applies it: a non-finite loss or gradient stops training
// with the parameters of the last good step (and the saved state of the last good epoch, which
// `resume` continues from). Gradients are the same on every data-parallel rank once averaged,
// so the ranks decide alike; the loss is checked alone only without ranks.
// Whether every entry of a contiguous CPU float tensor is finite, in one pass without a
// temporary: x * 0 is 0 for a finite x and NaN for an infinite or NaN one. (The general path
// below squares a double copy: for a sampled LightGCN batch's 25 M gradient entries at 1 M
// users that was 5% of the step.)
bool all_finite(const at::Tensor& t) {
  const float* x = t.data_ptr<float>();
  std::atomic<bool> finite{true};
  at::parallel_for(0, t.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
    float zero = 0.0f;
    for (int64_t i = begin; i < end; ++i) zero += x[i] * 0.0f;
    if (zero != 0.0f) finite = false;
  });
  return finite;
}

void stop_if_not_finite(Training& t, const at::Tensor& loss, int64_t epoch, int64_t batch,
                        int64_t n_batches) {
  at::Tensor gradients = at::zeros({}, at::TensorOptions().dtype(at::kDouble).device(t.device));
  for (const auto& p : t.model.parameters()) {
    if (!p.grad().defined()) continue;
    const at::Tensor& g = p.grad().is_sparse() ? p.grad()._values() : p.grad();  // rows held
    if (g.device().is_cpu() && g.scalar_type() == at::kFloat && g.is_contiguous()) {
      if (!all_finite(g)) gradients.fill_(std::nan(""));
      continue;
    }
    gradients += g.to(at::kDouble).square().sum();
  }
  const at::Tensor local =
      t.parallel == nullptr ? loss.detach().to(at::kDouble) : at::zeros_like(gradients);
  const at::Tensor both = at::stack({local.reshape({}), gradients});
  const at::Tensor values = both.cpu();
  const double loss_value = values[0].item<double>(), gradient_value = values[1].item<double>();
  if (std::isfinite(loss_value) && std::isfinite(gradient_value)) return;
  throw UserError("training diverged at epoch " + std::to_string(epoch) + ", batch " +
                  std::to_string(batch + 1) + " of " + std::to_string(n_batches) + ": " +
                  (std::isfinite(loss_value) ? std::string("a gradient is not finite")
                                             : "the loss is " + std::to_string(loss_value)) +
                  "; the step was not applied, and the training state saved after the last "
                  "good epoch resumes (try a lower train.learning_rate)");
}

void run_epoch(Training& t, EpochRecord& record) {
  const double start = seconds_since_start();
  t.model.train();
  const int64_t n_batches = t.stream.plan_epoch(t.rng, t.parallel);
  if (t.parallel != nullptr && n_batches == 0) {
    throw UserError("an epoch has fewer batches than the " +
                    std::to_string(t.parallel->world_size()) +
                    " data-parallel ranks: lower train.batch_size");
  }
  Progress progress("epoch " + std::to_string(record.epoch), n_batches);
  auto loss_sum = torch::zeros({}, torch::TensorOptions().device(t.device));
  // Sharded: the shards are the parallelism, so this thread (shard 0) runs one LibTorch thread
  // too while it trains; validation gets them all back.
  const ScopedThreads threads(t.workers != nullptr ? 1 : at::get_num_threads());
  const std::string shard_purpose =
      "train.shards" + (t.parallel != nullptr ? "." + std::to_string(t.parallel->rank()) : "");
  for (int64_t batch = 0; batch < n_batches; ++batch) {
    throw_if_interrupted();
    t.optimizer.zero_grad();
    const uint64_t step =
        (static_cast<uint64_t>(record.epoch) << 32) | static_cast<uint64_t>(batch);
    auto value = t.stream.batch_gradients(batch, t.model, t.loss, t.device, t.workers,
                                          derive_seed(t.options.seed, shard_purpose, step));
    if (t.parallel != nullptr) t.parallel->average_gradients(t.model.parameters());
    stop_if_not_finite(t, value, record.epoch, batch, n_batches);
    // The step's rate: the count of batches per epoch is fixed, so (epoch, batch) gives the
    // global step (the same after a resume).
    record.learning_rate =
        scheduled_rate(t.options.schedule, t.options.learning_rate,
                       (record.epoch - 1) * n_batches + batch, t.options.epochs * n_batches);
    for (auto& group : t.optimizer.param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(record.learning_rate);
    }
    fused_adam_step(t.optimizer);
    loss_sum += value.detach();
    progress.advance(1);
  }
  record.train_loss =
      loss_sum.item<double>() / static_cast<double>(std::max<int64_t>(n_batches, 1));
  if (t.parallel != nullptr) {  // every rank logs (and checks) the mean over all ranks
    record.train_loss =
        t.parallel->sum(at::full({1}, record.train_loss, at::kDouble)).item<double>() /
        static_cast<double>(t.parallel->world_size());
  }
  record.train_seconds = seconds_since_start() - start;
  t.counters.train_seconds += record.train_seconds;
  progress.finish("loss " + std::to_string(record.train_loss));
  if (!std::isfinite(record.train_loss)) {
    throw UserError("training diverged: the mean loss of epoch " + std::to_string(record.epoch) +
                    " is " + std::to_string(record.train_loss) +
                    " (try a lower train.learning_rate)");
  }
}

// Validates (rank 0 for every rank), keeps the best state; true when early stopping is due.
bool validate_epoch(Training& t, const ValidateFn& validate, EpochRecord& record) {
  const double valid_start = seconds_since_start();
  t.model.eval();
  if (t.parallel == nullptr || t.parallel->rank() == 0) record.valid_metrics = validate();
  record.valid_seconds = seconds_since_start() - valid_start;
  const std::string& metric = t.options.early_stop_metric;
  auto it = record.valid_metrics.find(metric);
  SHIFTREC_ASSERT(record.valid_metrics.empty() || it != record.valid_metrics.end(),
                  "validation did not compute " + metric);
  bool has_value = it != record.valid_metrics.end();
  double value = has_value ? it->second : 0.0;
  if (t.parallel != nullptr) {
    const auto decided =
        t.parallel->from_rank0(at::tensor({has_value ? 1.0 : 0.0, value}, at::kDouble));
    has_value = decided[0].item<double>() > 0.5;
    value = decided[1].item<double>();
  }
  TrainProgress& c = t.counters;
  bool stop = false;
  if (!has_value) {  // no validation targets: the latest epoch is kept
    c.best_epoch = record.epoch;
    keep(t.model, t.best_state);
    record.improved = true;
  } else if (value > c.best_value) {
    c.best_value = value;
    c.best_epoch = record.epoch;
    keep(t.model, t.best_state);
    c.validations_without_improvement = 0;
    record.improved = true;
  } else if (++c.validations_without_improvement >= t.options.patience) {
    stop = true;
  }
  log_info("epoch " + std::to_string(record.epoch) + " loss " + std::to_string(record.train_loss) +
           (record.valid_metrics.empty() ? "" : " valid" + format_metrics(record.valid_metrics)) +
           (record.improved ? " (best)" : ""));
  return stop;
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
  const auto stream = make_training_stream(model, split, options);
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(options.learning_rate)
                                                       .betas({options.beta1, options.beta2})
                                                       .weight_decay(options.weight_decay));
  Rng rng(derive_seed(options.seed, "train.batches"));
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
  std::unique_ptr<ShardWorkers> workers;
  if (options.shards > 1) {
    if (!device.is_cpu()) {  // a config shared by CPU and GPU runs (device = "auto")
      log_warn("train.shards = " + std::to_string(options.shards) +
               " splits batches over CPU threads: ignored on " + device.str());
    } else if (!model.shardable()) {
      throw UserError("train.shards = " + std::to_string(options.shards) +
                      ": this model's batches cannot be split into shards (that needs the id "
                      "item encoder, the sasrec or bert4rec sequence part and no heads); set "
                      "train.shards = 1");
    } else {
      workers = std::make_unique<ShardWorkers>(options.shards);
    }
  }
  Training t{model,     loss, options,    device,   parallel,     *stream,
             optimizer, rng,  best_state, counters, workers.get()};

  bool exploding_warned = false;
  for (int64_t epoch = counters.epochs_done + 1; !counters.finished && epoch <= options.epochs;
       ++epoch) {
    EpochRecord record;
    record.epoch = epoch;
    run_epoch(t, record);
    counters.epochs_done = epoch;
    // A loss far above where training started is heading for divergence: say so once.
    if (!exploding_warned && !result.history.empty() &&
        record.train_loss > 10.0 * std::abs(result.history.front().train_loss)) {
      exploding_warned = true;
      log_warn("the training loss is exploding: " + std::to_string(record.train_loss) +
               " in epoch " + std::to_string(epoch) + ", over 10x the " +
               std::to_string(result.history.front().train_loss) +
               " of the first epoch (try a lower train.learning_rate)");
    }
    const bool validate_now = epoch % options.eval_every == 0 || epoch == options.epochs;
    const bool stop = validate_now && validate_epoch(t, validate, record);
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
