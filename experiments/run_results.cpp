#include "experiments/run_results.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include <toml++/toml.h>
#include <torch/version.h>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_input.h"
#include "core/read_file.h"
#include "core/version.h"

namespace shiftrec {
namespace {

using json = nlohmann::json;

// NaN (an undefined AUC) is written as null and read back as NaN.
json number_or_null(double value) { return std::isnan(value) ? json(nullptr) : json(value); }
double number_or_nan(const json& value) {
  return value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
}

json detection_json(const ShiftDetection& detection) {
  json scores = json::object();
  for (const auto& [name, value] : detection.by_score) {
    scores[name] = {{"roc_auc", number_or_null(value.roc_auc)},
                    {"pr_auc", number_or_null(value.pr_auc)}};
    if (!value.roc.empty()) {
      json curve = json::array();
      for (const auto& [fpr, tpr] : value.roc) {  // 4 decimals: a plot's resolution
        curve.push_back({std::round(fpr * 1e4) / 1e4, std::round(tpr * 1e4) / 1e4});
      }
      scores[name]["roc"] = curve;
    }
  }
  return {{"targets", detection.targets},
          {"shifts", detection.shifts},
          {"shift_share", detection.targets > 0 ? static_cast<double>(detection.shifts) /
                                                      static_cast<double>(detection.targets)
                                                : 0.0},
          {"scores", scores}};
}

ShiftDetection detection_from(const json& j) {
  ShiftDetection d;
  d.targets = j.at("targets").get<int64_t>();
  d.shifts = j.at("shifts").get<int64_t>();
  for (const auto& [name, value] : j.at("scores").items()) {
    DetectionScores& scores = d.by_score[name];
    scores = {number_or_nan(value.at("roc_auc")), number_or_nan(value.at("pr_auc")), {}};
    if (value.contains("roc")) {  // runs before the curves were stored have none
      for (const auto& point : value.at("roc")) {
        scores.roc.push_back({point.at(0).get<double>(), point.at(1).get<double>()});
      }
    }
  }
  return d;
}

json split_json(const SplitResults& s) {
  json out = {{"targets", s.targets},
              {"queries", s.queries},
              {"candidates", s.candidates},
              {"metrics", s.metrics}};
  if (s.by_label.empty()) return out;
  json labels = json::object();
  for (const auto& [label, summary] : s.by_label) {
    labels[label] = {{"count", summary.count},
                     {"share", summary.share},
                     {"metrics", summary.count > 0 ? json(summary.metrics) : json(nullptr)}};
  }
  out["by_shift_label"] = labels;
  if (s.detection) out["shift_detection"] = detection_json(*s.detection);
  out["shift_window"] = s.shift_window;
  return out;
}

SplitResults split_from(const json& j) {
  SplitResults s;
  s.targets = j.at("targets").get<int64_t>();
  s.queries = j.at("queries").get<int64_t>();
  s.candidates = j.value("candidates", std::string());
  s.metrics = j.at("metrics").get<std::map<std::string, double>>();
  if (!j.contains("by_shift_label")) return s;
  for (const auto& [label, value] : j.at("by_shift_label").items()) {
    LabelSummary& summary = s.by_label[label];
    summary.count = value.at("count").get<int64_t>();
    summary.share = value.at("share").get<double>();
    if (!value.at("metrics").is_null()) {
      summary.metrics = value.at("metrics").get<std::map<std::string, double>>();
    }
  }
  if (j.contains("shift_detection")) s.detection = detection_from(j.at("shift_detection"));
  s.shift_window = j.value("shift_window", int64_t{0});
  return s;
}

json to_json(const RunResults& r) {
  json splits = json::object();
  for (const auto& [name, split] : r.splits) splits[name] = split_json(split);
  json change_points = nullptr;
  if (r.change_points) {
    const ChangePointScores& cp = r.change_points->scores;
    change_points = {{"margin", r.change_points->margin},
                     {"threshold", r.change_points->threshold},
                     {"planted", cp.planted},
                     {"detected", cp.detected},
                     {"matched", cp.matched},
                     {"precision", cp.precision},
                     {"recall", cp.recall},
                     {"f1", cp.f1},
                     {"mean_delay", cp.mean_delay}};
  }
  return {{"run_format", kRunFormat},
          {"model", r.model},
          {"loss", r.loss},
          {"dataset",
           {{"source", r.dataset.source},
            {"description", r.dataset.description},
            {"users", r.dataset.users},
            {"items", r.dataset.items},
            {"interactions", r.dataset.interactions}}},
          {"protocol",
           {{"split", r.protocol.split},
            {"valid_cut", r.protocol.valid_cut},
            {"test_cut", r.protocol.test_cut},
            {"ranking", r.protocol.ranking},
            {"negatives_seed", r.protocol.negatives_seed},
            {"mask_history", r.protocol.mask_history},
            {"ties", "pessimistic"}}},
          {"seed", r.seed},
          {"config_hash", r.config_hash},
          {"data_fingerprint", r.data_fingerprint},
          {"versions", r.versions},
          {"device", r.device},
          {"threads", r.threads},
          {"openmp_wait_policy", r.openmp_wait_policy},
          {"best_epoch", r.best_epoch},
          {"epochs_run", r.epochs_run},
          {"resumed_after_epochs", r.resumed_after},
          {"data_parallel_ranks", r.data_parallel_ranks},
          {"early_stop_metric", r.early_stop_metric},
          {"timings",
           {{"load_seconds", r.timings.load},
            {"train_seconds", r.timings.train},
            {"seconds_per_epoch", r.timings.per_epoch},
            {"final_eval_seconds", r.timings.final_eval},
            {"total_seconds", r.timings.total}}},
          {"splits", splits},
          {"change_points", change_points}};
}

RunResults from_json(const json& j) {
  RunResults r;
  r.model = j.at("model").get<std::string>();
  r.loss = j.at("loss").get<std::string>();
  const json& dataset = j.at("dataset");
  r.dataset.source = dataset.at("source").get<std::string>();
  r.dataset.description = dataset.at("description").get<std::string>();
  r.dataset.users = dataset.at("users").get<int64_t>();
  r.dataset.items = dataset.at("items").get<int64_t>();
  r.dataset.interactions = dataset.at("interactions").get<int64_t>();
  const json& protocol = j.at("protocol");
  r.protocol.split = protocol.at("split").get<std::string>();
  r.protocol.valid_cut = protocol.at("valid_cut").get<int64_t>();
  r.protocol.test_cut = protocol.at("test_cut").get<int64_t>();
  r.protocol.ranking = protocol.at("ranking").get<std::string>();
  r.protocol.negatives_seed = protocol.at("negatives_seed").get<uint64_t>();
  r.protocol.mask_history = protocol.at("mask_history").get<bool>();
  r.seed = j.at("seed").get<uint64_t>();
  r.config_hash = j.at("config_hash").get<std::string>();
  r.data_fingerprint = j.at("data_fingerprint").get<std::string>();
  r.versions = j.at("versions").get<std::map<std::string, std::string>>();
  r.device = j.at("device").get<std::string>();
  r.threads = j.at("threads").get<int64_t>();
  r.openmp_wait_policy = j.value("openmp_wait_policy", std::string());
  r.best_epoch = j.at("best_epoch").get<int64_t>();
  r.epochs_run = j.at("epochs_run").get<int64_t>();
  r.resumed_after = j.at("resumed_after_epochs").get<std::vector<int64_t>>();
  r.data_parallel_ranks = j.value("data_parallel_ranks", int64_t{1});
  r.early_stop_metric = j.at("early_stop_metric").get<std::string>();
  const json& timings = j.at("timings");
  r.timings.load = timings.at("load_seconds").get<double>();
  r.timings.train = timings.at("train_seconds").get<double>();
  r.timings.per_epoch = timings.at("seconds_per_epoch").get<double>();
  r.timings.final_eval = timings.at("final_eval_seconds").get<double>();
  r.timings.total = timings.at("total_seconds").get<double>();
  for (const auto& [name, split] : j.at("splits").items()) r.splits[name] = split_from(split);
  const json& cp = j.at("change_points");
  if (!cp.is_null()) {
    ChangePointResults c;
    c.margin = cp.at("margin").get<int64_t>();
    c.threshold = cp.at("threshold").get<double>();
    c.scores = {cp.at("planted").get<int64_t>(),  cp.at("detected").get<int64_t>(),
                cp.at("matched").get<int64_t>(),  cp.at("precision").get<double>(),
                cp.at("recall").get<double>(),    cp.at("f1").get<double>(),
                cp.at("mean_delay").get<double>()};
    r.change_points = c;
  }
  return r;
}

}  // namespace

std::optional<double> RunResults::value(const std::string& split_name,
                                        const std::string& name) const {
  const auto split = splits.find(split_name);
  if (split == splits.end()) return std::nullopt;
  const SplitResults& s = split->second;
  const auto find = [](const std::map<std::string, double>& m,
                       const std::string& key) -> std::optional<double> {
    const auto it = m.find(key);
    return it == m.end() ? std::nullopt : std::optional<double>(it->second);
  };
  if (name == "seconds_per_epoch") return timings.per_epoch;
  const std::string auc = "shift_roc_auc";
  if (name == auc || name.rfind(auc + ":", 0) == 0) {
    if (!s.detection) return std::nullopt;
    const auto it = s.detection->by_score.find(name == auc ? "model" : name.substr(auc.size() + 1));
    if (it == s.detection->by_score.end() || std::isnan(it->second.roc_auc)) return std::nullopt;
    return it->second.roc_auc;
  }
  if (const auto colon = name.find(':'); colon != std::string::npos) {
    const auto label = s.by_label.find(name.substr(0, colon));
    if (label == s.by_label.end()) return std::nullopt;
    return find(label->second.metrics, name.substr(colon + 1));
  }
  return find(s.metrics, name);
}

const SplitResults& RunResults::split(const std::string& name, const std::string& dir) const {
  const auto it = splits.find(name);
  if (it == splits.end()) throw UserError(dir + ": no \"" + name + "\" split in this run");
  return it->second;
}

std::map<std::string, std::string> library_versions() {
  return {
      {"shiftrec", shiftrec_version()},
      {"shiftrec_commit", shiftrec_git_commit()},
      {"libtorch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                       "." + std::to_string(TORCH_VERSION_PATCH)},
      {"boost", BOOST_LIB_VERSION},
      {"tomlplusplus", std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
                           std::to_string(TOML_LIB_PATCH)},
      {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                            std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                            std::to_string(NLOHMANN_JSON_VERSION_PATCH)}};
}

std::string results_json_text(const RunResults& results) { return to_json(results).dump(2) + "\n"; }

void write_run_results(const std::string& path, const RunResults& results) {
  write_file_atomically(path, results_json_text(results));
}

void require_run_files(const std::string& dir, const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw UserError(dir + ": no such run directory");
  for (const auto& file : files) {
    if (!fs::exists(dir + "/" + file)) {
      throw UserError(dir + ": not a complete shiftrec run (missing " + file + ")");
    }
    if (!fs::is_regular_file(dir + "/" + file)) {
      throw UserError(dir + "/" + file + ": not a file (a directory or a device) where the run's " +
                      file + " should be");
    }
  }
}

RunResults read_run_results(const std::string& dir) {
  require_run_files(dir, {"results.json"});
  const std::string path = dir + "/results.json";
  const std::optional<std::string> text = read_whole_file(path);
  if (!text) throw UserError(path + ": cannot read the file");
  const json j = parse_json(*text, path);
  if (!j.is_object() || !j.contains("run_format") || j["run_format"] != kRunFormat) {
    throw UserError(path + ": written by an incompatible shiftrec (run_format " +
                    (j.is_object() && j.contains("run_format") ? j["run_format"].dump()
                                                               : std::string("missing")) +
                    ", expected " + std::to_string(kRunFormat) + ")");
  }
  try {
    return from_json(j);
  } catch (const json::exception& e) {
    throw UserError(path + ": not a shiftrec results file (" + e.what() + ")");
  }
}

}  // namespace shiftrec
