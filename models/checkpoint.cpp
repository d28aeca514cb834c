#include "models/checkpoint.h"

#include <filesystem>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

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

void load_checkpoint(Recommender& model, const std::string& path) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": checkpoint missing");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    model.load(archive);
  } catch (const c10::Error& e) {
    throw UserError(path + ": cannot load this checkpoint into the configured model (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
}

}  // namespace shiftrec
