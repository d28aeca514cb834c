// Name -> factory registry, one per family (models, losses, metrics, readers).
//
// Each implementation file defines one class and ends with one registration line:
//   SHIFTREC_REGISTER(ModelRegistry, "sasrec", "SASRec: causal self-attention ...", factory);
// Registration runs during static initialisation, so the registering object files must be
// linked directly (CMake OBJECT libraries), never pulled from a static archive, where the
// linker would drop them.
//
// An unknown name is a UserError listing the known names and the nearest one.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/text.h"

namespace shiftrec {

template <typename Factory>
class Registry {
 public:
  struct Entry {
    std::string description;
    Factory factory;
  };

  // `family` names the registry in messages: "model", "loss", "metric".
  static Registry& instance(const std::string& family) {
    static Registry registry(family);
    return registry;
  }

  bool add(const std::string& name, const std::string& description, Factory factory) {
    SHIFTREC_ASSERT(entries_.count(name) == 0, family_ + " '" + name + "' registered twice");
    entries_.emplace(name, Entry{description, std::move(factory)});
    return true;
  }

  const Factory& get(const std::string& name) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string message = "unknown " + family_ + " \"" + excerpt(name) + "\"";
      const std::string nearest = nearest_name(name, names());
      if (!nearest.empty()) message += " (did you mean \"" + nearest + "\"?)";
      message += "; known: " + join(names());
      throw UserError(message);
    }
    return it->second.factory;
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  // Sorted by name.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  const std::map<std::string, Entry>& entries() const { return entries_; }
  const std::string& family() const { return family_; }

 private:
  explicit Registry(std::string family) : family_(std::move(family)) {}
  std::string family_;
  std::map<std::string, Entry> entries_;
};

}  // namespace shiftrec

#define SHIFTREC_CONCAT_INNER(a, b) a##b
#define SHIFTREC_CONCAT(a, b) SHIFTREC_CONCAT_INNER(a, b)
// Registers `factory` under `name` in the registry returned by `registry_getter()`.
#define SHIFTREC_REGISTER(registry_getter, name, description, factory)                    \
  static const bool SHIFTREC_CONCAT(shiftrec_registered_, __COUNTER__) [[maybe_unused]] = \
      registry_getter().add(name, description, factory)
