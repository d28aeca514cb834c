#include "models/checkpoint.h"

#include <filesystem>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/utils.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/recommender.h"

namespace shiftrec {

void write_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::string bytes;
  try {
    archive.save_to([&bytes](const void* data, size_t size) {
      bytes.append(static_cast<const char*>(data), size);
      return size;
    });
  } catch (const c10::Error& e) {
    throw UserError("cannot write " + path + ": " + e.what_without_backtrace());
  }
  write_file_atomically(path, bytes);
}

void save_checkpoint(Recommender& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  model.save(archive);
  write_archive_atomically(archive, path);
}

namespace {

// `stored` read into `target` (a parameter or buffer), which must have its shape.
void assign(const std::string& key, const at::Tensor& stored, at::Tensor& target) {
  if (stored.sizes() != target.sizes()) {
    throw UserError(key + " has shape " + c10::str(stored.sizes()) +
                    " in the checkpoint, the configured model's is " + c10::str(target.sizes()));
  }
  target.copy_(stored);
}

bool is_fitted_state(const std::string& key) {
  const size_t dot = key.rfind('.');
  return key.compare(dot == std::string::npos ? 0 : dot + 1, 6, "fitted") == 0;
}

// A part whose every tensor is fitted state (a head that only reranks, or one that fits its
// laws from the data): it may be absent from a checkpoint.
bool holds_only_fitted_state(const torch::nn::Module& module) {
  if (!module.parameters().empty()) return false;
  for (const auto& buffer : module.named_buffers()) {
    if (!is_fitted_state(buffer.key())) return false;
  }
  return true;
}

// Module::load, except that shapes must match (LibTorch would take the file's), and fitted
// state (models/checkpoint.h) need not be in the archive: a finished run can be evaluated with
// a part added that holds nothing else, and that part then fits its state from the data.
void load_module(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                 const std::string& prefix) {
  torch::NoGradGuard no_grad;
  for (auto& parameter : module.named_parameters(/*recurse=*/false)) {
    at::Tensor stored;
    archive.read(parameter.key(), stored);
    assign(prefix + parameter.key(), stored, parameter.value());
  }
  for (auto& buffer : module.named_buffers(/*recurse=*/false)) {
    at::Tensor stored;
    if (is_fitted_state(buffer.key())) {
      if (archive.try_read(buffer.key(), stored, /*is_buffer=*/true))
        assign(prefix + buffer.key(), stored, buffer.value());
      continue;
    }
    archive.read(buffer.key(), stored, /*is_buffer=*/true);
    assign(prefix + buffer.key(), stored, buffer.value());
  }
  for (auto& child : module.named_children()) {
    if (!child.value()->is_serializable()) continue;
    torch::serialize::InputArchive child_archive;
    if (holds_only_fitted_state(*child.value())) {
      if (!archive.try_read(child.key(), child_archive)) continue;
    } else {
      archive.read(child.key(), child_archive);
    }
    load_module(*child.value(), child_archive, prefix + child.key() + ".");
  }
}

}  // namespace

void load_checkpoint(Recommender& model, const std::string& path) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": checkpoint missing");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    load_module(model, archive, "");
  } catch (const c10::Error& e) {
    throw UserError(path + ": cannot load this checkpoint into the configured model (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  } catch (const UserError& e) {
    throw UserError(path + ": cannot load this checkpoint into the configured model (" +
                    e.what() + ")");
  }
}

}  // namespace shiftrec
