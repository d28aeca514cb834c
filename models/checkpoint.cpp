#include "models/checkpoint.h"

#include <filesystem>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/recommender.h"

namespace shiftrec {

void save_checkpoint(Recommender& model, const std::string& path) {
  AtomicWriter out(path);
  try {
    torch::serialize::OutputArchive archive;
    model.save(archive);
    archive.save_to(out.stream());
  } catch (const c10::Error& e) {
    throw UserError("cannot write checkpoint " + path + ": " + e.what_without_backtrace());
  }
  out.commit();
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
