#include "experiments/data_fetch.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "core/text.h"

namespace shiftrec {
namespace {

namespace fs = std::filesystem;

struct CatalogEntry {
  std::string url;
  std::string md5;      // empty: no published checksum
  std::string archive;  // "zip" or "gz"
};

std::map<std::string, CatalogEntry> builtin_catalog() {
  const std::string grouplens = "https://files.grouplens.org/datasets/movielens/";
  return {
      {"ml-100k", {grouplens + "ml-100k.zip", "0e33842e24a9c977be4e0107933c0723", "zip"}},
      {"ml-1m", {grouplens + "ml-1m.zip", "c4d9eecfca2ab87c1945afe126590906", "zip"}},
      {"ml-20m", {grouplens + "ml-20m.zip", "cd245b17a1ae2cc31bb14903e1204af3", "zip"}},
      {"gowalla", {"https://snap.stanford.edu/data/loc-gowalla_totalCheckins.txt.gz", "", "gz"}},
  };
}

// Single-quotes a path for /bin/sh.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

int run(const std::string& command) {
  log_debug(command);
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string md5_of(const std::string& path) {
  std::FILE* pipe = ::popen(("md5sum " + quoted(path)).c_str(), "r");
  if (pipe == nullptr) throw UserError("cannot run md5sum");
  char buffer[64] = {0};
  const size_t got = std::fread(buffer, 1, 32, pipe);
  ::pclose(pipe);
  if (got != 32) throw UserError("md5sum failed on " + path);
  return std::string(buffer, 32);
}

}  // namespace

std::string fetch_dataset(const std::string& name, const std::string& to_dir,
                          const FetchOptions& options) {
  std::map<std::string, CatalogEntry> catalog = builtin_catalog();
  if (!options.catalog_path.empty()) {
    catalog.clear();
    Config config = Config::from_file(options.catalog_path);
    ConfigSection entry = config.section(name);
    CatalogEntry e;
    e.url = entry.get_string("url", "", "download address (https://, file://)");
    e.md5 = entry.get_string("md5", "", "MD5 of the archive (empty: none published)");
    e.archive = entry.get_string("archive", "zip", "zip or gz", {"zip", "gz"});
    if (e.url.empty()) entry.fail("url", "missing: dataset \"" + name + "\" needs a url");
    catalog[name] = e;
  }
  auto it = catalog.find(name);
  if (it == catalog.end()) {
    std::vector<std::string> known;
    for (const auto& [known_name, entry] : builtin_catalog()) known.push_back(known_name);
    std::string message = "unknown dataset \"" + name + "\"";
    const std::string nearest = nearest_name(name, known);
    if (!nearest.empty()) message += " (did you mean \"" + nearest + "\"?)";
    throw UserError(message + "; known: " + join(known));
  }
  const CatalogEntry& entry = it->second;
  const fs::path target = fs::path(to_dir) / name;
  const fs::path partial = fs::path(to_dir) / ("." + name + ".partial");
  if (fs::exists(target))
    throw UserError(target.string() + " already exists; remove it to fetch again");
  std::error_code ec;
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  if (ec) throw UserError("cannot create " + partial.string() + ": " + ec.message());
  const std::string archive =
      (partial / (entry.archive == "zip" ? "download.zip" : "download.gz")).string();
  try {
    log_info("downloading " + entry.url);
    if (run("curl -fsSL --retry 2 -o " + quoted(archive) + " " + quoted(entry.url)) != 0) {
      throw UserError("download failed: " + entry.url);
    }
    const std::string md5 = md5_of(archive);
    if (entry.md5.empty()) {
      if (!options.accept_unverified) {
        throw UserError(name + " has no published checksum; its MD5 is " + md5 +
                        " — rerun with --accept-unverified to keep it");
      }
      log_warn(name + " unverified (no published checksum); MD5 " + md5);
    } else if (md5 != entry.md5) {
      throw UserError("checksum mismatch for " + entry.url + ": expected MD5 " + entry.md5 +
                      ", got " + md5);
    }
    const fs::path unpacked = partial / "content";
    fs::create_directories(unpacked);
    const int status =
        entry.archive == "zip"
            ? run("unzip -q " + quoted(archive) + " -d " + quoted(unpacked.string()))
            : run("gzip -dc " + quoted(archive) + " > " +
                  quoted(
                      (unpacked / fs::path(entry.url).filename().replace_extension("")).string()));
    if (status != 0) throw UserError("cannot unpack " + entry.url);
    fs::remove(archive);
    fs::rename(unpacked, target, ec);
    if (ec) throw UserError("cannot move the download to " + target.string() + ": " + ec.message());
    fs::remove_all(partial, ec);
  } catch (...) {
    fs::remove_all(partial, ec);
    throw;
  }
  log_info("fetched " + name + " into " + target.string());
  return target.string();
}

}  // namespace shiftrec
