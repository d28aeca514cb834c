// A `shiftrec` subcommand: one class per file in experiments/cli/, declaring its options on
// its CLI11 subcommand and running when the command line names it. Each file ends with one
// registration line; experiments/main.cpp only dispatches. A name with a space ("data stats")
// is a subcommand of a group ("data").
//
//   class ModelsCommand : public Command {
//     void add_options(CLI::App&) override {}
//     int run() override { std::cout << describe_models(); return 0; }
//   };
//   SHIFTREC_REGISTER_COMMAND("models", "list the registered models", ModelsCommand);
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"

namespace CLI {
class App;
}

namespace shiftrec {

class Config;

class Command {
 public:
  virtual ~Command() = default;
  // Declares the command's options and arguments on its subcommand.
  virtual void add_options(CLI::App& command) = 0;
  // Runs after the command line was parsed; returns the exit status. User mistakes throw
  // UserError (main prints them as one line).
  virtual int run() = 0;
  // A command whose arguments come in two groups (`compare A1 A2 -- B1 B2`) returns true; main
  // then hands it the words after the first standalone `--` before parsing the rest (CLI11
  // drops the separator's position).
  virtual bool splits_at_separator() const { return false; }
  virtual void take_second_group(std::vector<std::string> words) { (void)words; }
};

using CommandFactory = std::function<std::unique_ptr<Command>()>;
using CommandRegistry = Registry<CommandFactory>;
CommandRegistry& command_registry();

// The config file with the --set overrides applied, in order.
Config load_config(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace shiftrec

#define SHIFTREC_REGISTER_COMMAND(name, description, Class) \
  SHIFTREC_REGISTER(                                        \
      ::shiftrec::command_registry, name, description,      \
      []() -> std::unique_ptr<::shiftrec::Command> { return std::make_unique<Class>(); })
