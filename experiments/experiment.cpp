#include "experiments/experiment.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/utils.h>
#include <torch/version.h>
#include <boost/version.hpp>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_input.h"
#include "core/log.h"
#include "core/read_file.h"
#include "core/seed.h"
#include "core/text.h"
#include "datasets/dataset_loader.h"
#include "datasets/split.h"
#include "eval/evaluator.h"
#include "experiments/plan.h"
#include "experiments/run_directory.h"
#include "experiments/run_evaluation.h"
#include "experiments/run_results.h"
#include "experiments/shift_summary.h"
#include "experiments/target_table.h"
#include "models/checkpoint.h"
#include "models/head.h"
#include "models/item_encoder.h"
#include "models/model_growth.h"
#include "models/recommender.h"
#include "models/sequence_encoder.h"
#include "train/data_parallel.h"
#include "train/loss.h"
#include "train/trainer.h"

namespace shiftrec {
namespace {

using json = nlohmann::json;

// Everything read from the config before any file is written.
json metrics_json(const std::map<std::string, double>& metrics) {
  json out = json::object();
  for (const auto& [name, value] : metrics) out[name] = value;
  return out;
}

}  // namespace

std::string list_options(Config& config) {
  read_plan(config, DataLoading::options_only);
  std::string out;
  for (const auto& option : config.options()) {
    out += option.path + " = " + option.value + "  # " + option.description + " (" + option.type +
           ", default " + option.default_value + ")\n";
  }
  return out;
}

std::string describe_models() {
  std::string out = "Presets ([model] name = ...):\n";
  for (const auto& [name, entry] : model_registry().entries()) {
    out += name + ": " + entry.description + "\n";
  }
  out +=
      "\nParts, composed by [model] item_encoder = ..., sequence = ..., heads = [...] (each "
      "part's options in [model.NAME]):\n";
  const auto list = [&out](const std::string& key, const auto& registry) {
    for (const auto& [name, entry] : registry.entries()) {
      out += "  " + key + " = \"" + name + "\": " + entry.description + "\n";
    }
  };
  list("item_encoder", item_encoder_registry());
  list("sequence", sequence_encoder_registry());
  list("heads", head_registry());
  return out;
}

namespace {

// How idle OpenMP threads waited (core/openmp_waits.h): timings depend on it.
std::string openmp_wait_policy() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  return policy != nullptr ? policy : "";
}

// Training state and log of a run belong to this config and data only. `path` is empty for a
// data-parallel rank other than 0 (rank 0's file holds the state of all).
TrainStateFile train_state_file(const std::string& path, const Plan& plan,
                                const std::string& config_hash) {
  return {path, "config " + config_hash + ", data " + plan.dataset.fingerprint + ", device " +
                    plan.device.str()};
}

// Drops the metrics.jsonl lines of epochs after the stored state (a run can be killed after
// logging an epoch and before saving it); they are run again.
void trim_metrics_log(const std::string& path, int64_t epochs_done) {
  std::ifstream in(path);
  std::string line, kept;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    json record;
    try {
      record = parse_json(line, path + ":" + std::to_string(line_number));
    } catch (const UserError& e) {  // a line cut by a kill (or damaged): dropped, not the rest
      if (in.peek() != EOF) log_warn(std::string(e.what()) + "; line dropped");
      continue;
    }
    if (!record.contains("epoch") || !record["epoch"].is_number_integer()) {
      throw UserError(path + ":" + std::to_string(line_number) + ": line without an epoch");
    }
    if (record["epoch"].get<int64_t>() <= epochs_done) kept += line + "\n";
  }
  write_file_atomically(path, kept);
}

// The run's evaluator with the model's own shift score, when it has one.
Evaluator make_evaluator(Plan& plan) {
  Evaluator evaluator(plan.split, plan.dataset.interactions, plan.eval);
  if (auto head = shift_head_scorer(*plan.model)) evaluator.set_shift_scorer(std::move(*head));
  return evaluator;
}

// Trains `plan`'s model, validating with `evaluator` and logging each epoch to metrics.jsonl
// (with a test learning curve when asked).
// `training` is the split training reads and `evaluator` validates on: plan.split, or an
// update's restriction of it to the users with new interactions.
TrainResult train_logged(Plan& plan, const Split& training, RunDirectory& run, Evaluator& evaluator,
                         const std::string& config_hash, DataParallel* parallel) {
  Recommender& model = *plan.model;
  const Scorer scorer = last_state_scorer(model);
  if (training.valid.size() == 0) {
    log_warn("the split has no validation targets: no early stopping, the last epoch is kept");
  }
  // Shift-first selection: "SHIFT:recall@10" is that label's metric over its valid targets.
  const std::string& stop_metric = plan.train.early_stop_metric;
  const size_t colon = stop_metric.find(':');
  const ValidateFn validate = [&]() -> std::map<std::string, double> {
    if (training.valid.size() == 0) return {};
    SplitEvaluation valid = evaluator.evaluate("valid", scorer, model.max_length(), plan.device);
    if (colon != std::string::npos) {
      const std::string label = stop_metric.substr(0, colon);
      const LabelSummary& summary = valid.by_label.at(label);
      if (summary.count == 0) {
        throw UserError("train.early_stop_metric = \"" + stop_metric +
                        "\": the validation split has no " + label +
                        " targets to select on (choose an overall metric, or a label the "
                        "validation targets have)");
      }
      valid.metrics[stop_metric] = summary.metrics.at(stop_metric.substr(colon + 1));
    }
    return valid.metrics;
  };
  const std::string metrics_path = run.file("metrics.jsonl");
  const EpochCallback on_epoch = [&](const EpochRecord& r) {
    json line = {{"epoch", r.epoch},
                 {"train_loss", r.train_loss},
                 {"train_seconds", r.train_seconds},
                 {"learning_rate", r.learning_rate},
                 {"valid_seconds", r.valid_seconds},
                 {"improved", r.improved}};
    if (!r.valid_metrics.empty()) line["valid"] = metrics_json(r.valid_metrics);
    const int64_t curve_every = plan.train.test_curve_every;
    if (curve_every > 0 && r.epoch % curve_every == 0) {  // learning curve, never selection
      const double t0 = seconds_since_start();
      model.eval();
      const auto test = evaluator.evaluate("test", scorer, model.max_length(), plan.device).metrics;
      line["test_curve"] = metrics_json(test);
      line["test_seconds"] = seconds_since_start() - t0;
      log_info("epoch " + std::to_string(r.epoch) +
               " test (learning curve only):" + format_metrics(test));
    }
    append_line(metrics_path, line.dump());
  };
  TrainResult trained =
      train_model(model, *plan.loss, training, plan.train, plan.device, validate, on_epoch,
                  train_state_file(run.file("train_state.pt"), plan, config_hash), parallel);
  // A model without parameters has no epochs: one line says so. A resumed run whose epochs
  // were all done before the stop has its lines already.
  std::error_code missing;
  if (trained.history.empty() &&
      (std::filesystem::file_size(metrics_path, missing) == 0 || missing)) {
    append_line(metrics_path, json{{"epoch", 0}}.dump());
  }
  return trained;
}

// The final evaluation of both splits (with shift detection), into `results` and the rows of
// targets.tsv.
void evaluate_splits(Plan& plan, Evaluator& evaluator, RunResults& results,
                     std::map<std::string, TargetTable>& target_tables) {
  Recommender& model = *plan.model;
  const Scorer scorer = last_state_scorer(model);
  model.eval();
  for (const std::string split_name : {"valid", "test"}) {
    const double t0 = seconds_since_start();
    SplitEvaluation evaluation =
        evaluator.evaluate(split_name, scorer, model.max_length(), plan.device, 0, true);
    results.timings.final_eval += seconds_since_start() - t0;
    SplitResults& out = results.splits[split_name];
    out.targets = evaluation.n_targets;
    out.queries = static_cast<int64_t>(evaluation.query_offsets.size()) - 1;
    out.candidates = evaluator.candidates_fingerprint(split_name);
    out.metrics = evaluation.metrics;
    if (!evaluation.by_label.empty()) {
      out.by_label = evaluation.by_label;
      out.detection = evaluation.detection;
      out.shift_window = plan.eval.shift_window;
    }
    add_target_rows(target_tables, split_name, plan.split.targets(split_name), evaluation,
                    plan.dataset.interactions);
    log_info(split_name + ":" + [&] {
      std::string s;
      for (const auto& [name, value] : evaluation.metrics) {
        s += " " + name + "=" + std::to_string(value);
      }
      return s;
    }());
  }
}

// Change-point detection against the planted change points (synthetic data with categories).
std::optional<ChangePointResults> detect_planted_changes(Plan& plan, Evaluator& evaluator) {
  if (!plan.eval.change_points || plan.dataset.change_points.empty() ||
      !plan.dataset.interactions.has_categories()) {
    return std::nullopt;
  }
  Recommender& model = *plan.model;
  ChangePointResults out;
  out.margin = plan.eval.change_point_margin;
  out.threshold = plan.eval.change_point_threshold;
  out.scores = evaluator.detect_change_points(
      last_state_scorer(model), model.causal() ? all_states_scorer(model) : PositionScorer(),
      model.max_length(), plan.device, plan.dataset.change_points);
  return out;
}

// What results.json records besides the evaluation: the run's provenance and its training.
void describe_run(const Plan& plan, const TrainResult& trained, const std::string& config_hash,
                  const DataParallel* parallel, RunResults& r) {
  r.model = plan.model_name;
  r.loss = plan.loss_name;
  r.dataset = {plan.dataset.source, plan.dataset.description, plan.dataset.interactions.n_users,
               plan.dataset.interactions.n_items, plan.dataset.interactions.size()};
  r.protocol = {plan.split.protocol, plan.split.valid_cut,     plan.split.test_cut,
                plan.eval.protocol,  plan.eval.negatives_seed, plan.eval.mask_history};
  r.seed = plan.seed;
  r.config_hash = config_hash;
  r.data_fingerprint = plan.dataset.fingerprint;
  r.versions = library_versions();
  r.device = plan.device.str();
  r.threads = at::get_num_threads();
  r.openmp_wait_policy = openmp_wait_policy();
  r.best_epoch = trained.best_epoch;
  r.epochs_run = trained.epochs_run;
  r.resumed_after = trained.resumed_after;
  r.data_parallel_ranks = parallel != nullptr ? parallel->world_size() : 1;
  r.early_stop_metric = plan.train.early_stop_metric;
  r.timings.train = trained.train_seconds;
  r.timings.per_epoch = trained.epochs_run > 0
                            ? trained.train_seconds / static_cast<double>(trained.epochs_run)
                            : 0.0;
}

// Trains `plan` into `run` (continuing from a stored training state when there is one),
// evaluates, writes results.json and commits the run directory.
ExperimentResult train_and_evaluate(Plan& plan, RunDirectory& run, const std::string& config_hash,
                                    double started, double load_seconds,
                                    DataParallel* parallel = nullptr) {
  std::optional<LogFile> log_file;
  try {
    log_file.emplace(run.file("log.txt"));
    Recommender& model = *plan.model;
    model.to(plan.device);
    model.fit_statistics(plan.split);
    Evaluator evaluator = make_evaluator(plan);
    // An update trains and validates on the users with new interactions (their newest items
    // decide early stopping); the final evaluation below covers every user either way.
    std::optional<Split> update_split;
    std::optional<Evaluator> update_validator;
    if (!plan.train_users.empty()) {
      update_split = restricted_to_users(plan.split, plan.train_users);
      update_validator.emplace(*update_split, plan.dataset.interactions, plan.eval);
    }
    // eval.valid_users: early stopping reads a random sample of the validation users.
    const Split& training = update_split ? *update_split : plan.split;
    std::optional<Split> sampled_split;
    std::optional<Evaluator> sampled_validator;
    if (plan.eval.valid_users > 0) {
      const auto users =
          sample_valid_users(training, plan.eval.valid_users, plan.eval.valid_users_seed);
      sampled_split = with_valid_users(training, users);
      sampled_validator.emplace(*sampled_split, plan.dataset.interactions, plan.eval);
      log_info("early stopping reads " + std::to_string(sampled_split->valid.size()) + " of " +
               std::to_string(training.valid.size()) + " validation targets: those of " +
               std::to_string(users.size()) + " users drawn at random (eval.valid_users)");
    }
    Evaluator& validator = sampled_validator  ? *sampled_validator
                           : update_validator ? *update_validator
                                              : evaluator;
    const TrainResult trained = train_logged(plan, training, run, validator, config_hash, parallel);
    RunResults results;
    std::map<std::string, TargetTable> target_tables;
    evaluate_splits(plan, evaluator, results, target_tables);
    if (const auto test = results.splits.find("test"); test != results.splits.end()) {
      for (const auto& line : shift_summary_lines(
               "test", test->second.by_label, test->second.detection.value_or(ShiftDetection{}),
               plan.eval.shift_window, summary_cutoff(plan.eval.ks))) {
        log_info(line);
      }
    }
    results.change_points = detect_planted_changes(plan, evaluator);
    describe_run(plan, trained, config_hash, parallel, results);
    results.timings.load = load_seconds;
    results.timings.total = seconds_since_start() - started;
    save_checkpoint(model, run.file("model.pt"));
    write_target_tables(run.file("targets.tsv"), target_tables);
    if (plan.eval.sampled_negatives > 0) {
      write_negatives(run.file("negatives.h5"), evaluator.frozen_negatives());
    }
    write_run_results(run.file("results.json"), results);
    run.commit();
    std::filesystem::remove(run.final_path() + "/train_state.pt");  // only a stopped run needs it
    ExperimentResult result;
    result.model = plan.model_name;
    result.best_epoch = trained.best_epoch;
    result.epochs_run = trained.epochs_run;
    for (const auto& [name, split] : results.splits) result.metrics[name] = split.metrics;
    result.run_path = run.final_path();
    log_info("results in " + result.run_path + "/results.json");
    return result;
  } catch (const std::exception& e) {
    if (log_file) log_file->append_error(e.what());
    run.fail(e.what());
    throw;
  }
}

// A data-parallel rank other than 0: trains in step with rank 0 and writes nothing (rank 0
// keeps the training state of all, and sends it when the run resumes).
ExperimentResult train_as_follower(Plan& plan, DataParallel& parallel,
                                   const std::string& config_hash) {
  Recommender& model = *plan.model;
  model.to(plan.device);
  model.fit_statistics(plan.split);
  // Same initial model as rank 0 (read_plan seeded it); its own dropout and negatives.
  seed_torch(derive_seed(plan.seed, "data_parallel.rank", static_cast<uint64_t>(parallel.rank())));
  const TrainResult trained = train_model(
      model, *plan.loss, plan.split, plan.train, plan.device,
      [] { return std::map<std::string, double>{}; }, nullptr,
      train_state_file("", plan, config_hash), &parallel);
  log_info("rank " + std::to_string(parallel.rank()) + ": trained " +
           std::to_string(trained.epochs_run) +
           " epochs in step with rank 0, which writes the run");
  ExperimentResult result;
  result.model = plan.model_name;
  result.best_epoch = trained.best_epoch;
  result.epochs_run = trained.epochs_run;
  return result;
}

}  // namespace

ExperimentResult run_experiment(Config& config, const std::string& out) {
  const double started = seconds_since_start();
  Plan plan = read_plan(config);
  // Every rank joins before anything only rank 0 does can fail, so a failure there reaches
  // the others as a broken collective instead of a wait for the group.
  const auto parallel =
      DataParallel::from_environment(std::chrono::seconds(plan.train.collective_timeout));
  const std::string resolved = config.resolved_toml();
  if (parallel != nullptr && parallel->rank() > 0) {
    return train_as_follower(plan, *parallel, fnv1a_hex(resolved));
  }
  const double load_seconds = seconds_since_start() - started;
  RunDirectory run(out.empty() ? default_run_path(config.source_name()) : out);
  log_info("run directory: " + run.final_path() + " (in progress under .partial)");
  try {
    write_file_atomically(run.file("resolved.toml"), resolved);
  } catch (const std::exception& e) {
    run.fail(e.what());
    throw;
  }
  return train_and_evaluate(plan, run, fnv1a_hex(resolved), started, load_seconds, parallel.get());
}

ExperimentResult resume_experiment(const std::string& path) {
  const double started = seconds_since_start();
  // Data-parallel: every rank joins first; rank 0 opens the run and sends the others its
  // stored config ("" when it could not), then the training state (restore_train_state).
  const auto parallel = DataParallel::from_environment();
  if (parallel != nullptr && parallel->rank() > 0) {
    const std::string stored = parallel->bytes_from_rank0("");
    if (stored.empty())
      throw UserError("rank 0 could not resume " + path + " (its error says why)");
    Config config = Config::from_string(stored, "rank 0's " + path + "/resolved.toml");
    Plan plan = read_plan(config);
    return train_as_follower(plan, *parallel, fnv1a_hex(stored));
  }
  std::unique_ptr<RunDirectory> opened;
  std::string stored;
  try {
    opened = std::make_unique<RunDirectory>(path, RunOpen::kResume);
    const std::string stored_config = opened->file("resolved.toml");
    auto text = read_whole_file(stored_config);
    if (!text)
      throw UserError(
          stored_config +
          ": missing; the run stopped before it began: start it again with shiftrec train --out " +
          opened->final_path());
    stored = std::move(*text);
  } catch (const std::exception& e) {
    if (parallel != nullptr) parallel->bytes_from_rank0("");  // the others stop too
    if (opened != nullptr) opened->fail(e.what());
    throw;
  }
  RunDirectory& run = *opened;
  if (std::filesystem::exists(run.file("update.json"))) {
    const std::string message = run.final_path() +
                                " is an update of another run (update.json); an update does not "
                                "resume: remove it and run shiftrec update again";
    run.fail(message);
    throw UserError(message);
  }
  log_info("resuming " + run.final_path() + " (in progress under .partial)");
  try {
    if (parallel != nullptr) parallel->bytes_from_rank0(stored);
    Config config = Config::from_string(stored, run.file("resolved.toml"));
    Plan plan = read_plan(config);
    const double load_seconds = seconds_since_start() - started;
    // The hash of the run's own resolved.toml, as training wrote it: an option a newer
    // shiftrec added (resolved to its default now) does not make it another config.
    const std::string config_hash = fnv1a_hex(stored);
    const TrainStateFile state = train_state_file(run.file("train_state.pt"), plan, config_hash);
    const bool has_state = std::filesystem::exists(state.path);
    const int64_t epochs_done = has_state ? read_train_progress(state).epochs_done : 0;
    if (!has_state) log_warn("no training state was saved yet: training starts from epoch 1");
    const std::string metrics = run.file("metrics.jsonl");
    if (std::filesystem::exists(metrics)) trim_metrics_log(metrics, epochs_done);
    return train_and_evaluate(plan, run, config_hash, started, load_seconds, parallel.get());
  } catch (const std::exception& e) {
    run.fail(e.what());
    throw;
  }
}

namespace {

// `updated` plus round(share x the other users) of the others, drawn without replacement from
// the run's seed (the same draws on every platform): ascending ids.
std::vector<int32_t> with_replayed_users(const std::vector<int32_t>& updated, int64_t n_users,
                                         double share, uint64_t run_seed) {
  std::vector<uint8_t> chosen(static_cast<size_t>(n_users), 0);
  for (int32_t u : updated) chosen[static_cast<size_t>(u)] = 1;
  std::vector<int32_t> others;
  for (int32_t u = 0; u < n_users; ++u) {
    if (!chosen[static_cast<size_t>(u)]) others.push_back(u);
  }
  const auto take = static_cast<size_t>(std::llround(share * static_cast<double>(others.size())));
  Rng rng(derive_seed(run_seed, "update.replay"));
  for (size_t i = 0; i < take; ++i) {  // partial Fisher-Yates
    std::swap(others[i], others[i + uniform_index(rng, others.size() - i)]);
    chosen[static_cast<size_t>(others[i])] = 1;
  }
  std::vector<int32_t> users;
  for (int32_t u = 0; u < n_users; ++u) {
    if (chosen[static_cast<size_t>(u)]) users.push_back(u);
  }
  return users;
}

}  // namespace

ExperimentResult update_experiment(const UpdateOptions& options) {
  namespace fs = std::filesystem;
  const double started = seconds_since_start();
  if (options.epochs < 1) throw UserError("--epochs must be at least 1");
  if (!(options.replay >= 0.0 && options.replay <= 1.0)) {
    throw UserError("--replay must be a share between 0 and 1, not " +
                    std::to_string(options.replay));
  }
  for (const std::string suffix : {".partial", ".failed"}) {
    const std::string& r = options.run;
    if (r.size() > suffix.size() &&
        r.compare(r.size() - suffix.size(), suffix.size(), suffix) == 0) {
      throw UserError(r + ": not a complete run (it stopped before completing); resume it first");
    }
  }
  require_run_files(options.run, {"resolved.toml", "model.pt", "results.json"});
  if (!fs::is_regular_file(options.interactions)) {
    throw UserError(options.interactions + ": no such file of new interactions");
  }
  if (fs::exists(options.out)) {
    throw UserError("run directory " + options.out + " already exists; choose another --out");
  }
  const std::string stored_path = options.run + "/resolved.toml";
  const auto stored = read_whole_file(stored_path);
  if (!stored) throw UserError(stored_path + ": cannot read the file");

  // The run as it was: its data and its trained model.
  Config old_config = Config::from_string(*stored, stored_path);
  Plan old_plan = read_plan(old_config);
  load_checkpoint(*old_plan.model, options.run + "/model.pt");
  std::vector<std::string> updates = old_config.section("data").get_string_list(
      "updates", {}, "interaction files appended to the data by shiftrec update, in order");

  // The same config over the grown data.
  updates.push_back(fs::absolute(options.interactions).lexically_normal().string());
  std::string list = "[";
  for (size_t i = 0; i < updates.size(); ++i) list += (i > 0 ? ", " : "") + toml_quoted(updates[i]);
  Config config = Config::from_string(*stored, stored_path);
  config.apply_override("data.updates=" + list + "]");
  config.apply_override("train.epochs=" + std::to_string(options.epochs));
  for (const std::string& assignment : options.overrides) {
    if (assignment.rfind("train.", 0) != 0 || assignment.rfind("train.epochs=", 0) == 0) {
      throw UserError("--set " + assignment +
                      ": an update keeps the run's model and data; only "
                      "train.* options other than train.epochs (see --epochs) can change");
    }
    config.apply_override(assignment);
  }
  Plan plan = read_plan(config);
  grow_parameters(*old_plan.model, *plan.model,
                  Growth::between(old_plan.dataset.interactions, plan.dataset.interactions));
  plan.train_users = with_replayed_users(
      plan.dataset.updated_users, plan.dataset.interactions.n_users, options.replay, plan.seed);
  if (options.new_targets_only) {
    // Only next-item training masks targets; BERT4Rec rebuilds its sequence from them, and
    // pair-trained models have none.
    if (plan.model->training_examples() != TrainingExamples::kNextItems || !plan.model->causal()) {
      throw UserError(
          "--new-targets-only needs a causal next-item model (SASRec, GRU4Rec and "
          "their compositions); " +
          plan.model_name + " trains otherwise");
    }
    // Users keep their indices and their old interactions come first (Growth::between).
    const Interactions& old_data = old_plan.dataset.interactions;
    plan.split.supervised_from.assign(static_cast<size_t>(plan.split.n_users), 0);
    for (int32_t u : plan.dataset.updated_users) {
      if (u < old_data.n_users) {
        plan.split.supervised_from[static_cast<size_t>(u)] =
            old_data.user_offsets[u + 1] - old_data.user_offsets[u];
      }
    }
  }
  const int64_t new_users =
      plan.dataset.interactions.n_users - old_plan.dataset.interactions.n_users;
  const int64_t new_items =
      plan.dataset.interactions.n_items - old_plan.dataset.interactions.n_items;
  old_plan = Plan{};  // the old data and model are no longer needed
  const double load_seconds = seconds_since_start() - started;

  RunDirectory run(options.out);
  log_info("run directory: " + run.final_path() + " (update of " + options.run +
           ", in progress under .partial)");
  const std::string resolved = config.resolved_toml();
  try {
    const json provenance = {{"updated_run", fs::absolute(options.run).lexically_normal().string()},
                             {"interactions", updates.back()},
                             {"max_epochs", options.epochs},
                             {"new_users", new_users},
                             {"new_items", new_items},
                             {"updated_users", plan.dataset.updated_users.size()},
                             {"replay", options.replay},
                             {"new_targets_only", options.new_targets_only},
                             {"trained_users", plan.train_users.size()}};
    write_file_atomically(run.file("update.json"), provenance.dump(2) + "\n");
    write_file_atomically(run.file("resolved.toml"), resolved);
  } catch (const std::exception& e) {
    run.fail(e.what());
    throw;
  }
  return train_and_evaluate(plan, run, fnv1a_hex(resolved), started, load_seconds);
}

}  // namespace shiftrec
