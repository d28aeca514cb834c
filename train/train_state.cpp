#include "train/train_state.h"

#include <filesystem>
#include <mutex>
#include <sstream>

#include <ATen/Context.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/error.h"
#include "core/read_file.h"
#include "models/checkpoint.h"
#include "models/recommender.h"
#include "train/data_parallel.h"

namespace shiftrec {
namespace {

// Kept with the counters; a state from an older layout is refused rather than misread.
constexpr int64_t kStateFormat = 1;

// LibTorch's global generator of `device` (dropout, negatives, masking draw from it).
at::Generator torch_generator(c10::Device device) {
  return at::globalContext().defaultGenerator(device);
}

at::Tensor generator_state(c10::Device device) {
  at::Generator generator = torch_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

// "rng/torch_cpu" for rank 0 (and a single process), "rng/torch_cpu/rank<r>" for the others.
std::string generator_key(const std::string& key, int64_t rank) {
  return rank == 0 ? key : key + "/rank" + std::to_string(rank);
}

// Every rank's state of `device`'s generator, in rank order (one entry without `parallel`).
std::vector<at::Tensor> all_generator_states(c10::Device device, DataParallel* parallel) {
  const at::Tensor mine = generator_state(device);
  return parallel != nullptr ? parallel->gather_from_all(mine) : std::vector<at::Tensor>{mine};
}

void read_generator(torch::serialize::InputArchive& archive, const std::string& key,
                    c10::Device device) {
  at::Tensor state;
  archive.read(key, state);
  at::Generator generator = torch_generator(device);
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state.to(c10::kCPU));  // states are CPU byte tensors
}

void write_progress(torch::serialize::OutputArchive& archive, const TrainStateFile& file,
                    const TrainProgress& p) {
  archive.write("format", c10::IValue(kStateFormat));
  archive.write("fingerprint", c10::IValue(file.fingerprint));
  archive.write("epochs_done", c10::IValue(p.epochs_done));
  archive.write("best_epoch", c10::IValue(p.best_epoch));
  archive.write("best_value", c10::IValue(p.best_value));
  archive.write("validations_without_improvement", c10::IValue(p.validations_without_improvement));
  archive.write("finished", c10::IValue(p.finished));
  archive.write("train_seconds", c10::IValue(p.train_seconds));
  archive.write("resumed_after", c10::IValue(c10::List<int64_t>(p.resumed_after)));
}

int64_t world_size(const DataParallel* parallel) {
  return parallel != nullptr ? parallel->world_size() : 1;
}

c10::IValue read_value(torch::serialize::InputArchive& archive, const std::string& key,
                       const std::string& path) {
  c10::IValue value;
  if (!archive.try_read(key, value)) {
    throw UserError(path + ": not a shiftrec training state (no '" + key + "')");
  }
  return value;
}

TrainProgress read_progress(torch::serialize::InputArchive& archive, const TrainStateFile& file) {
  const int64_t format = read_value(archive, "format", file.path).toInt();
  if (format != kStateFormat) {
    throw UserError(file.path + ": training state format " + std::to_string(format) +
                    ", this shiftrec reads format " + std::to_string(kStateFormat));
  }
  const std::string stored = read_value(archive, "fingerprint", file.path).toStringRef();
  if (stored != file.fingerprint) {
    throw UserError(file.path + ": training state of another config or data (" + stored +
                    "; this run is " + file.fingerprint + ")");
  }
  TrainProgress p;
  p.epochs_done = read_value(archive, "epochs_done", file.path).toInt();
  p.best_epoch = read_value(archive, "best_epoch", file.path).toInt();
  p.best_value = read_value(archive, "best_value", file.path).toDouble();
  p.validations_without_improvement =
      read_value(archive, "validations_without_improvement", file.path).toInt();
  p.finished = read_value(archive, "finished", file.path).toBool();
  p.train_seconds = read_value(archive, "train_seconds", file.path).toDouble();
  for (int64_t epoch : read_value(archive, "resumed_after", file.path).toIntList()) {
    p.resumed_after.push_back(epoch);
  }
  return p;
}

// Loads `archive` from `source` (a file name or a stream of the file's bytes); errors name
// file.path.
template <typename Source>
void load_archive(torch::serialize::InputArchive& archive, const TrainStateFile& file,
                  Source& source, c10::Device device) {
  try {
    archive.load_from(source, device);
  } catch (const c10::Error& e) {
    throw UserError(file.path + ": unreadable training state (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
}

void open_archive(torch::serialize::InputArchive& archive, const TrainStateFile& file,
                  c10::Device device) {
  if (!std::filesystem::exists(file.path)) throw UserError(file.path + ": training state missing");
  load_archive(archive, file, file.path, device);
}

std::string read_bytes(const std::string& path) {
  auto bytes = read_whole_file(path);
  if (!bytes) throw UserError(path + ": cannot read the training state");
  return std::move(*bytes);
}

}  // namespace

void save_train_state(const TrainStateFile& file, const TrainProgress& progress,
                      TrainStateParts parts) {
  // Collectives first, on every rank; then rank 0 alone writes.
  const auto cpu_states = all_generator_states(c10::Device(c10::kCPU), parts.parallel);
  const auto cuda_states = parts.device.is_cuda()
                               ? all_generator_states(parts.device, parts.parallel)
                               : std::vector<at::Tensor>{};
  if (file.path.empty() || (parts.parallel != nullptr && parts.parallel->rank() != 0)) return;
  torch::serialize::OutputArchive archive;
  write_progress(archive, file, progress);
  archive.write("ranks", c10::IValue(world_size(parts.parallel)));
  torch::serialize::OutputArchive model, optimizer;
  parts.model.save(model);
  archive.write("model", model);
  for (size_t i = 0; i < parts.best.size(); ++i) {
    archive.write("best/" + std::to_string(i), parts.best[i]);
  }
  parts.optimizer.save(optimizer);
  archive.write("optimizer", optimizer);
  std::ostringstream batch_rng;
  batch_rng << parts.batch_rng;
  archive.write("rng/batches", c10::IValue(batch_rng.str()));
  for (size_t r = 0; r < cpu_states.size(); ++r) {
    archive.write(generator_key("rng/torch_cpu", static_cast<int64_t>(r)), cpu_states[r]);
  }
  for (size_t r = 0; r < cuda_states.size(); ++r) {
    archive.write(generator_key("rng/torch_cuda", static_cast<int64_t>(r)), cuda_states[r]);
  }
  write_archive_atomically(archive, file.path);
}

std::optional<TrainProgress> restore_train_state(const TrainStateFile& file,
                                                 TrainStateParts parts) {
  torch::serialize::InputArchive archive;
  if (parts.parallel == nullptr) {
    if (file.path.empty() || !std::filesystem::exists(file.path)) return std::nullopt;
    open_archive(archive, file, parts.device);
  } else {  // rank 0 reads its file and sends it to every rank ("": no state yet)
    const bool has_file =
        parts.parallel->rank() == 0 && !file.path.empty() && std::filesystem::exists(file.path);
    const std::string bytes =
        parts.parallel->bytes_from_rank0(has_file ? read_bytes(file.path) : "");
    if (bytes.empty()) return std::nullopt;
    std::istringstream in(bytes);
    load_archive(archive, file, in, parts.device);
  }
  TrainProgress progress = read_progress(archive, file);
  c10::IValue ranks_value;  // absent in single-process states
  const int64_t ranks = archive.try_read("ranks", ranks_value) ? ranks_value.toInt() : 1;
  if (ranks != world_size(parts.parallel)) {
    throw UserError(file.path + ": training state of a run on " + std::to_string(ranks) +
                    " data-parallel rank(s); resume it with WORLD_SIZE=" + std::to_string(ranks) +
                    " (this process has WORLD_SIZE=" + std::to_string(world_size(parts.parallel)) +
                    ")");
  }
  const int64_t rank = parts.parallel != nullptr ? parts.parallel->rank() : 0;
  try {
    torch::serialize::InputArchive model, optimizer;
    archive.read("model", model);
    parts.model.load(model);
    for (size_t i = 0; i < parts.best.size(); ++i) {
      archive.read("best/" + std::to_string(i), parts.best[i]);
    }
    archive.read("optimizer", optimizer);
    parts.optimizer.load(optimizer);
    c10::IValue batch_rng;
    archive.read("rng/batches", batch_rng);
    std::istringstream in(batch_rng.toStringRef());
    in >> parts.batch_rng;
    if (!in) throw UserError(file.path + ": unreadable batch-order generator state");
    read_generator(archive, generator_key("rng/torch_cpu", rank), c10::Device(c10::kCPU));
    if (parts.device.is_cuda()) {
      read_generator(archive, generator_key("rng/torch_cuda", rank), parts.device);
    }
  } catch (const c10::Error& e) {
    throw UserError(file.path + ": cannot restore this training state into the configured model (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
  return progress;
}

TrainProgress read_train_progress(const TrainStateFile& file) {
  torch::serialize::InputArchive archive;
  open_archive(archive, file, c10::Device(c10::kCPU));
  return read_progress(archive, file);
}

}  // namespace shiftrec
