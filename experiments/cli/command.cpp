#include "experiments/cli/command.h"

#include "core/config.h"

namespace shiftrec {

CommandRegistry& command_registry() { return CommandRegistry::instance("command"); }

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  Config config = Config::from_file(path);
  for (const auto& assignment : overrides) config.apply_override(assignment);
  return config;
}

}  // namespace shiftrec
