#include "experiments/run_export.h"

#include <numeric>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/error.h"
#include "core/log.h"
#include "core/version.h"
#include "eval/embedding_export.h"
#include "eval/ranking.h"
#include "experiments/plan.h"
#include "experiments/run_evaluation.h"

namespace shiftrec {
namespace {

// [rows, d] float tensor (any device) -> row-major values on the host.
std::vector<float> to_host(const at::Tensor& matrix) {
  auto cpu = matrix.detach().to(at::kCPU).to(at::kFloat).contiguous();
  return std::vector<float>(cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
}

}  // namespace

void export_run(const std::string& run_dir, const std::string& out_path) {
  FinishedRun run = load_finished_run(run_dir);
  const Plan& plan = run.plan;
  const RunResults& results = run.results;
  Recommender& model = *plan.model;
  torch::NoGradGuard no_grad;
  const Interactions& data = plan.dataset.interactions;

  EmbeddingExport out;
  std::vector<at::Tensor> states;
  for (int64_t start = 0; start < data.n_users; start += plan.eval.batch_size) {
    const int64_t end = std::min(data.n_users, start + plan.eval.batch_size);
    std::vector<int64_t> begin, length;
    for (int64_t u = start; u < end; ++u) {
      begin.push_back(data.user_offsets[u]);
      length.push_back(data.sequence_length(u));
    }
    std::vector<int64_t> users(static_cast<size_t>(end - start));
    std::iota(users.begin(), users.end(), start);
    const ScorerInputs inputs = scorer_inputs(plan.split, begin, length, users, model.max_length(),
                                              plan.device);  // the last column's gap: unknown
    states.push_back(
        model.encode(ModelInput{inputs.histories, inputs.gaps, inputs.users}).select(1, -1));
  }
  const auto users = at::cat(states, 0);
  const auto items = model.item_embeddings();
  out.users = {to_host(users), users.size(0), users.size(1), data.user_original_ids};
  out.items = {to_host(items), items.size(0), items.size(1), data.item_original_ids};
  out.category_offsets = data.category_offsets;
  out.category_ids = data.category_ids;
  for (int64_t c = 0; c < data.n_categories; ++c)
    out.category_names.push_back(data.category_name(c));
  out.attributes = {{"model", plan.model_name},
                    {"config_hash", results.config_hash},
                    {"data_fingerprint", results.data_fingerprint},
                    {"epoch", std::to_string(results.best_epoch)},
                    {"created_by", std::string("shiftrec ") + shiftrec_version()},
                    {"run", run_dir}};
  write_embeddings_hdf5(out_path, out);
  log_info("exported " + std::to_string(out.users.rows) + " user and " +
           std::to_string(out.items.rows) +
           " item embeddings (d = " + std::to_string(out.items.dim) + ") to " + out_path);
}

}  // namespace shiftrec
