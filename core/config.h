// Strict TOML configuration.
//
// A Config holds the parsed file plus command-line overrides. Components read their
// options through a ConfigSection, declaring each key once with its default, bounds and a
// one-line description. That single declaration
//   * parses and validates the value (wrong type or out of range -> ConfigError with the
//     file:line:col of the value),
//   * records the resolved value (defaults included) for `resolved_toml()`,
//   * records the option for listings (`options()`).
// After every component has read its options, `check_all_used()` rejects any key that
// nothing read, naming its location and the nearest known key.
//
// Precedence: defaults < TOML file < overrides (`apply_override("a.b=v")`, v parsed as
// a TOML value; a bare word such as `sasrec` is taken as a string).
//
// Example:
//   Config config = Config::from_file("quickstart.toml");
//   config.apply_override("model.d=64");
//   ConfigSection model = config.section("model");
//   int64_t d = model.get_int("d", 50, 1, 4096, "embedding size");
//   config.check_all_used();
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace shiftrec {

// One option as declared by the component that read it.
struct OptionInfo {
  std::string path;  // dotted, e.g. "model.d"
  std::string type;  // "integer", "float", "boolean", "string", "integer list", ...
  std::string default_value;
  std::string value;  // the resolved value
  std::string description;
};

class ConfigSection;

class Config {
 public:
  // Throws ConfigError naming the file (and line:col for syntax errors) when the file is
  // missing, unreadable or not valid TOML.
  static Config from_file(const std::string& path);
  static Config from_string(const std::string& text, const std::string& source_name);
  Config(Config&&) noexcept;
  Config& operator=(Config&&) noexcept;
  ~Config();

  // "a.b=v": sets key b of table a to the TOML value v, creating tables as needed.
  void apply_override(const std::string& assignment);

  ConfigSection root();
  // A dotted table path such as "data.synthetic"; marks every table on the way as read.
  ConfigSection section(const std::string& dotted_path);

  // Throws ConfigError for the first key (in file order) that no component read.
  void check_all_used() const;

  // Every option read so far, with its resolved value, as TOML text. Reading this text
  // back and reading the same options gives the same text.
  std::string resolved_toml() const;
  const std::vector<OptionInfo>& options() const;
  const std::string& source_name() const;

  struct Impl;  // opaque: keeps toml++ out of this header

 private:
  explicit Config(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A handle on one table of a Config. Cheap to copy; valid while its Config lives.
class ConfigSection {
 public:
  static constexpr int64_t kIntMin = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();

  int64_t get_int(const std::string& key, int64_t default_value, int64_t min_value,
                  int64_t max_value, const std::string& description);
  double get_double(const std::string& key, double default_value, double min_value,
                    double max_value, const std::string& description);
  bool get_bool(const std::string& key, bool default_value, const std::string& description);
  // `choices` empty = any string; otherwise the value must be one of them.
  std::string get_string(const std::string& key, const std::string& default_value,
                         const std::string& description,
                         const std::vector<std::string>& choices = {});
  std::vector<int64_t> get_int_list(const std::string& key,
                                    const std::vector<int64_t>& default_value, int64_t min_value,
                                    int64_t max_value, const std::string& description);
  std::vector<std::string> get_string_list(const std::string& key,
                                           const std::vector<std::string>& default_value,
                                           const std::string& description);

  ConfigSection sub(const std::string& name) const;
  bool has(const std::string& key) const;
  // "model.d" for key "d" in section "model".
  std::string path_of(const std::string& key) const;
  // "file:line:col" of the key's value, "--set ..." for an override, or "<file> (default)".
  std::string location_of(const std::string& key) const;
  // The options read so far in this section (and its sub-tables), as TOML text — e.g. to
  // key a cache by every option that shaped its content.
  std::string resolved_text() const;
  // Throws a ConfigError located at `key` — for cross-field checks in a validate().
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  friend class Config;
  ConfigSection(Config::Impl* impl, std::string path) : impl_(impl), path_(std::move(path)) {}
  Config::Impl* impl_;
  std::string path_;  // "" for the root table
};

}  // namespace shiftrec
