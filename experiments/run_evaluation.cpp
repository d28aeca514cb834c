#include "experiments/run_evaluation.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/log.h"
#include "experiments/plan.h"
#include "experiments/shift_summary.h"
#include "models/checkpoint.h"

namespace shiftrec {

FinishedRun load_finished_run(const std::string& dir) {
  require_run_files(dir, {"resolved.toml", "results.json", "model.pt"});
  RunResults results = read_run_results(dir);
  Config config = Config::from_file(dir + "/resolved.toml");
  FinishedRun run{read_plan(config), std::move(results)};
  Recommender& model = *run.plan.model;
  load_checkpoint(model, dir + "/model.pt");
  model.to(run.plan.device);
  model.fit_statistics(run.plan.split);  // graphs and counts are rebuilt, not stored
  model.eval();
  return run;
}

Evaluator run_evaluator(const FinishedRun& run, const std::string& run_dir) {
  const Plan& plan = run.plan;
  Evaluator evaluator(plan.split, plan.dataset.interactions, plan.eval);
  if (auto head = shift_head_scorer(*plan.model)) evaluator.set_shift_scorer(std::move(*head));
  const std::string negatives = run_dir + "/negatives.h5";
  if (plan.eval.sampled_negatives > 0) {
    if (!std::filesystem::exists(negatives)) {
      throw UserError(run_dir + ": protocol " + plan.eval.protocol +
                      " but no negatives.h5 (the candidates the run was scored on)");
    }
    evaluator.use_negatives(read_negatives(negatives), negatives);
  }
  for (const char* split : {"valid", "test"}) {
    const auto stored = run.results.splits.find(split);
    if (stored != run.results.splits.end() && !stored->second.candidates.empty() &&
        stored->second.candidates != evaluator.candidates_fingerprint(split)) {
      throw UserError(run_dir + ": the " + std::string(split) +
                      " targets or candidates differ from the ones the run was scored on "
                      "(data, split or protocol changed since)");
    }
  }
  return evaluator;
}

std::string evaluate_run(const EvalRunOptions& options) {
  if (options.split != "valid" && options.split != "test") {
    throw UserError("unknown split \"" + options.split + "\", expected valid or test");
  }
  FinishedRun run = load_finished_run(options.run_dir);
  Plan& plan = run.plan;
  Recommender& model = *plan.model;
  const int64_t k = *std::max_element(plan.eval.ks.begin(), plan.eval.ks.end());
  Evaluator evaluator = run_evaluator(run, options.run_dir);
  const SplitEvaluation evaluation = evaluator.evaluate(options.split, last_state_scorer(model),
                                                        model.max_length(), plan.device, k, true);

  if (!options.dump_topk.empty()) {
    const Interactions& data = plan.dataset.interactions;
    const EvalTargets& targets = plan.split.targets(options.split);
    AtomicWriter writer(options.dump_topk);
    std::ostream& os = writer.stream();
    os << "split\tuser\ttarget\trank\tlabel\ttopk\n";
    for (int64_t t = 0; t < targets.size(); ++t) {
      os << options.split << '\t' << data.user_original_ids.name(targets.user[t]) << '\t'
         << data.item_original_ids.name(targets.item[t]) << '\t' << evaluation.ranks[t] << '\t'
         << (evaluation.labels.empty() ? "-" : shift_label_name(evaluation.labels[t])) << '\t';
      for (int64_t j = 0; j < evaluation.top_k_width; ++j) {
        if (j > 0) os << ' ';
        os << data.item_original_ids.name(evaluation.top_k[t * evaluation.top_k_width + j]);
      }
      os << '\n';
    }
    writer.commit();
    log_info("top-" + std::to_string(evaluation.top_k_width) + " lists of " +
             std::to_string(targets.size()) + " targets written to " + options.dump_topk);
  }
  // The table on the console (stderr); stdout keeps its name-value lines for scripts.
  for (const auto& line :
       shift_summary_lines(options.split, evaluation.by_label, evaluation.detection,
                           plan.eval.shift_window, summary_cutoff(plan.eval.ks))) {
    log_info(line);
  }
  std::ostringstream out;
  for (const auto& [name, value] : evaluation.metrics) out << name << ' ' << value << '\n';
  for (const auto& [name, value] : evaluation.detection.by_score) {
    out << "shift_roc_auc." << name << ' ' << value.roc_auc << '\n'
        << "shift_pr_auc." << name << ' ' << value.pr_auc << '\n';
  }
  return out.str();
}

}  // namespace shiftrec
