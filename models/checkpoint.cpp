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

// Module::load, except that shapes must match (LibTorch would take the file's), and a part
// holding no tensors (a head that only reranks) need not be in the archive: a finished run
// can be evaluated with such a part added.
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
    archive.read(buffer.key(), stored, /*is_buffer=*/true);
    assign(prefix + buffer.key(), stored, buffer.value());
  }
  for (auto& child : module.named_children()) {
    if (!child.value()->is_serializable()) continue;
    if (child.value()->parameters().empty() && child.value()->buffers().empty()) continue;
    torch::serialize::InputArchive child_archive;
    archive.read(child.key(), child_archive);
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
