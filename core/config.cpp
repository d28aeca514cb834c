#include "core/config.h"

#include <filesystem>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/error.h"
#include "core/read_file.h"
#include "core/text.h"

namespace shiftrec {

struct Config::Impl {
  toml::table table;     // the file with overrides applied
  toml::table resolved;  // every option read, defaults included
  std::string source;
  std::map<std::string, std::string> override_origin;     // dotted key -> "--set a=b"
  std::map<std::string, std::set<std::string>> accessed;  // table path -> keys read there
  std::vector<OptionInfo> options;
};

namespace {

std::string join_path(const std::string& table_path, const std::string& key) {
  return table_path.empty() ? key : table_path + "." + key;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    default:
      return "date/time";
  }
}

std::string describe(const toml::node& node) {
  std::ostringstream os;
  if (const auto* text_node = node.as_string()) {
    os << '"' << text_node->get() << '"';
  } else {
    node.visit([&os](const auto& n) { os << n; });
  }
  std::string text = os.str();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return type_name(node) + " " + text;
}

template <typename T>
std::string format_value(const T& value) {
  std::ostringstream os;
  os << toml::value<T>(value);
  return os.str();
}

template <typename T>
std::string format_list(const std::vector<T>& values) {
  toml::array array;
  for (const auto& v : values) array.push_back(v);
  std::ostringstream os;
  os << array;
  return os.str();
}

// The table at `parts` inside `root`, created where missing. Throws if a non-table is in
// the way (only possible for overrides such as "a=1" followed by "a.b=2").
toml::table& table_at(toml::table& root, const std::vector<std::string>& parts,
                      const std::string& origin) {
  toml::table* current = &root;
  for (const auto& part : parts) {
    toml::node* child = current->get(part);
    if (child == nullptr) {
      current->insert(part, toml::table{});
      child = current->get(part);
    }
    if (!child->is_table()) {
      throw ConfigError(origin, "'" + part + "' is a " + type_name(*child) +
                                    ", expected a table to hold the key");
    }
    current = child->as_table();
  }
  return *current;
}

std::vector<std::string> path_parts(const std::string& dotted) {
  if (dotted.empty()) return {};
  return split(dotted, '.');
}

// toml++ 3.3 (Debian 12) reaches __builtin_unreachable — undefined behaviour, found by fuzzing
// — when its whitespace test meets a code point of three blocks, U+00A1..U+0499,
// U+2C5E..U+3057 and U+FB26..U+FEFE (é, Cyrillic, kana, ...), wherever its scanner happens to
// test one: `café = 1`, `[é]`, a bare value scanned into a quoted "é", odd quoting. Guessing
// where toml++ looks is a losing game (fuzzing beat a string-aware guess), so it never sees such
// a code point: each is moved to a private-use code point before parsing (U+E000.., which the
// test handles) and moved back in every key, string and message after. Text that itself holds
// U+E000..U+EBFF would come back changed; nothing in a config does.
constexpr uint32_t kShelter = 0xE000;
constexpr uint32_t kBlock = 0x3FA;  // toml++'s bucket width, counted from U+00A0
constexpr uint32_t kTrippingBlocks[] = {0, 11, 63};

bool trips_toml_whitespace_test(uint32_t c) {
  if (c < 0xA0 || c > 0xFEFF || c == 0xA0 || c == 0x3000 || c == 0xFEFF) return false;
  const uint32_t block = (c - 0xA0) / kBlock;
  return block == 0 || block == 11 || block == 63;
}

void append_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Rewrites every valid UTF-8 sequence of 2 or 3 bytes through `map` (0: keep it); everything
// else — ASCII, invalid bytes, 4-byte sequences — is copied as it is.
template <typename Map>
std::string remap_code_points(const std::string& text, Map map) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t length = c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC0 && c < 0xE0 ? 2 : 0;
    bool valid = length > 0 && i + length <= text.size();
    uint32_t code = length == 3 ? c & 0x0Fu : c & 0x1Fu;
    for (size_t k = 1; valid && k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3Fu);
    }
    const uint32_t mapped = valid ? map(code) : 0;
    if (mapped == 0) {
      out += static_cast<char>(c);
      continue;
    }
    append_utf8(out, mapped);
    i += length - 1;
  }
  return out;
}

std::string shelter(const std::string& text) {
  return remap_code_points(text, [](uint32_t c) -> uint32_t {
    if (!trips_toml_whitespace_test(c)) return 0;
    const uint32_t block = (c - 0xA0) / kBlock;
    const uint32_t slot = block == 0 ? 0 : block == 11 ? 1 : 2;
    return kShelter + slot * 0x400 + (c - 0xA0 - block * kBlock);
  });
}

std::string unshelter(const std::string& text) {
  return remap_code_points(text, [](uint32_t c) -> uint32_t {
    if (c < kShelter || c >= kShelter + 3 * 0x400 || (c - kShelter) % 0x400 >= kBlock) return 0;
    const uint32_t slot = (c - kShelter) / 0x400;
    return 0xA0 + kTrippingBlocks[slot] * kBlock + (c - kShelter) % 0x400;
  });
}

bool has_non_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return true;
  }
  return false;
}

// Moves sheltered code points back in every key and string under `node`.
void unshelter_node(toml::node& node) {
  if (toml::table* table = node.as_table()) {
    std::vector<std::string> renamed;
    for (auto&& [key, child] : *table) {
      unshelter_node(child);
      if (has_non_ascii(key.str())) renamed.emplace_back(key.str());
    }
    for (const std::string& key : renamed) {
      auto it = table->find(key);
      it->second.visit([&](auto& value) {  // a table, an array or a value: copied under the key
        auto copy = value;
        table->erase(it);
        table->insert_or_assign(unshelter(key), std::move(copy));
      });
    }
  } else if (toml::array* array = node.as_array()) {
    for (auto& child : *array) unshelter_node(child);
  } else if (auto* text = node.as_string()) {
    if (has_non_ascii(text->get())) *text = unshelter(text->get());
  }
}

}  // namespace

Config::Config(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;
Config::~Config() = default;

Config Config::from_string(const std::string& text, const std::string& source_name) {
  auto impl = std::make_unique<Impl>();
  impl->source = source_name;
  try {
    impl->table = toml::parse(shelter(text), source_name);
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    throw ConfigError(
        source_name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column),
        "invalid TOML: " + unshelter(std::string(e.description())));
  }
  unshelter_node(impl->table);
  return Config(std::move(impl));
}

Config Config::from_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, "is a directory, not a TOML config file");
  }
  const auto text = read_whole_file(path);
  if (!text) throw ConfigError(path, "cannot open config file (missing or unreadable)");
  return from_string(*text, path);
}

void Config::apply_override(const std::string& assignment) {
  const std::string origin = "--set " + assignment;
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError(origin, "expected key=value, e.g. model.d=64");
  }
  const std::string dotted = assignment.substr(0, eq);
  const std::string value_text = assignment.substr(eq + 1);
  std::vector<std::string> parts = path_parts(dotted);
  for (const auto& part : parts) {
    if (part.empty()) throw ConfigError(origin, "empty key part in '" + dotted + "'");
  }
  toml::table parsed;
  try {
    parsed = toml::parse(shelter("value = " + value_text), origin);
    unshelter_node(parsed);
  } catch (const toml::parse_error&) {
    // Not a TOML value: take the text as a bare string (model.name=sasrec).
    parsed.insert("value", value_text);
  }
  const std::string key = parts.back();
  parts.pop_back();
  toml::table& target = table_at(impl_->table, parts, origin);
  target.insert_or_assign(key, std::move(*parsed.get("value")));
  impl_->override_origin[dotted] = origin;
}

ConfigSection Config::root() { return ConfigSection(impl_.get(), ""); }

ConfigSection Config::section(const std::string& dotted_path) {
  ConfigSection current = root();
  for (const auto& part : path_parts(dotted_path)) current = current.sub(part);
  return current;
}

const std::string& Config::source_name() const { return impl_->source; }
const std::vector<OptionInfo>& Config::options() const { return impl_->options; }

std::string Config::resolved_toml() const {
  std::ostringstream os;
  os << impl_->resolved << "\n";
  return os.str();
}

void Config::check_all_used() const {
  // Walks the given tables in file order; the first key nothing read is the error.
  struct Walker {
    const Impl& impl;
    void walk(const toml::table& table, const std::string& path) const {
      std::vector<std::pair<const toml::key*, const toml::node*>> entries;
      for (const auto& [key, node] : table) entries.emplace_back(&key, &node);
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto& pa = a.first->source().begin;
        const auto& pb = b.first->source().begin;
        return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
      });
      auto it = impl.accessed.find(path);
      for (const auto& [key, node] : entries) {
        const std::string name(key->str());
        const std::string full = join_path(path, name);
        const bool used = it != impl.accessed.end() && it->second.count(name) > 0;
        if (!used) {
          std::vector<std::string> known;
          if (it != impl.accessed.end()) known.assign(it->second.begin(), it->second.end());
          std::string message = "unknown key '" + full + "'";
          const std::string nearest = nearest_name(name, known);
          if (!nearest.empty()) {
            message += " (did you mean '" + join_path(path, nearest) + "'?)";
          } else if (!known.empty()) {
            message += " (known keys here: " + join(known) + ")";
          } else {
            message += " (nothing reads this table)";
          }
          std::string location;
          // An override that made the key (or a table on its path) is where the key came from.
          auto origin = impl.override_origin.find(full);
          for (auto o = impl.override_origin.begin();
               origin == impl.override_origin.end() && o != impl.override_origin.end(); ++o) {
            if (o->first.rfind(full + ".", 0) == 0) origin = o;
          }
          if (origin != impl.override_origin.end()) {
            location = origin->second;
          } else {
            const auto& begin = key->source().begin;
            location =
                impl.source + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column);
          }
          throw ConfigError(location, message);
        }
        if (const toml::table* child = node->as_table()) walk(*child, full);
      }
    }
  };
  Walker{*impl_}.walk(impl_->table, "");
}

// ---------------------------------------------------------------------------------------
// ConfigSection

namespace {

const toml::node* find_node(const toml::table& root, const std::string& table_path,
                            const std::string& key) {
  const toml::table* table = &root;
  for (const auto& part : path_parts(table_path)) {
    const toml::node* child = table->get(part);
    if (child == nullptr || !child->is_table()) return nullptr;
    table = child->as_table();
  }
  return table->get(key);
}

}  // namespace

bool ConfigSection::has(const std::string& key) const {
  return find_node(impl_->table, path_, key) != nullptr;
}

std::string ConfigSection::path_of(const std::string& key) const { return join_path(path_, key); }

std::string ConfigSection::location_of(const std::string& key) const {
  const std::string full = path_of(key);
  auto origin = impl_->override_origin.find(full);
  if (origin != impl_->override_origin.end()) return origin->second;
  const toml::node* node = find_node(impl_->table, path_, key);
  if (node == nullptr) return impl_->source + " (default for " + full + ")";
  const auto& begin = node->source().begin;
  return impl_->source + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column);
}

void ConfigSection::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(location_of(key), path_of(key) + ": " + message);
}

std::string ConfigSection::resolved_text() const {
  const toml::table* table = &impl_->resolved;
  for (const auto& part : path_parts(path_)) {
    const toml::node* child = table->get(part);
    if (child == nullptr || !child->is_table()) return "";
    table = child->as_table();
  }
  std::ostringstream os;
  os << *table;
  return os.str();
}

ConfigSection ConfigSection::sub(const std::string& name) const {
  impl_->accessed[path_].insert(name);
  const toml::node* node = find_node(impl_->table, path_, name);
  if (node != nullptr && !node->is_table()) {
    fail(name, "expected a table, got " + describe(*node));
  }
  return ConfigSection(impl_, join_path(path_, name));
}

namespace {

template <typename T>
void record(Config::Impl& impl, const std::string& table_path, const std::string& key, T value,
            const std::string& type, const std::string& default_text, const std::string& value_text,
            const std::string& description) {
  impl.accessed[table_path].insert(key);
  toml::table& table = table_at(impl.resolved, path_parts(table_path), impl.source);
  table.insert_or_assign(key, std::move(value));
  const std::string full = join_path(table_path, key);
  for (auto& option : impl.options) {
    if (option.path == full) {
      option.value = value_text;
      return;
    }
  }
  impl.options.push_back({full, type, default_text, value_text, description});
}

// The shortest text that reads back as `value` (1e-12, not 9.9999999999999998e-13).
std::string shortest(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string range_text(const std::string& key, const std::string& lo, const std::string& hi) {
  return "expected " + lo + " <= " + key + " <= " + hi;
}

}  // namespace

int64_t ConfigSection::get_int(const std::string& key, int64_t default_value, int64_t min_value,
                               int64_t max_value, const std::string& description) {
  SHIFTREC_ASSERT(min_value <= default_value && default_value <= max_value,
                  "default of " + path_of(key) + " outside its own bounds");
  int64_t value = default_value;
  if (const toml::node* node = find_node(impl_->table, path_, key)) {
    if (!node->is_integer()) fail(key, "expected an integer, got " + describe(*node));
    value = node->as_integer()->get();
    if (value < min_value || value > max_value) {
      fail(key, "value " + std::to_string(value) + " is out of range: " +
                    range_text(key, std::to_string(min_value), std::to_string(max_value)));
    }
  }
  record(*impl_, path_, key, value, "integer", std::to_string(default_value), std::to_string(value),
         description);
  return value;
}

double ConfigSection::get_double(const std::string& key, double default_value, double min_value,
                                 double max_value, const std::string& description) {
  SHIFTREC_ASSERT(min_value <= default_value && default_value <= max_value,
                  "default of " + path_of(key) + " outside its own bounds");
  double value = default_value;
  if (const toml::node* node = find_node(impl_->table, path_, key)) {
    if (node->is_integer()) {
      value = static_cast<double>(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      value = node->as_floating_point()->get();
    } else {
      fail(key, "expected a number, got " + describe(*node));
    }
    if (!(value >= min_value && value <= max_value)) {  // also rejects nan
      fail(key, "value " + shortest(value) + " is out of range: " +
                    range_text(key, shortest(min_value), shortest(max_value)));
    }
  }
  record(*impl_, path_, key, value, "float", format_value(default_value), format_value(value),
         description);
  return value;
}

bool ConfigSection::get_bool(const std::string& key, bool default_value,
                             const std::string& description) {
  bool value = default_value;
  if (const toml::node* node = find_node(impl_->table, path_, key)) {
    if (!node->is_boolean()) fail(key, "expected true or false, got " + describe(*node));
    value = node->as_boolean()->get();
  }
  record(*impl_, path_, key, value, "boolean", default_value ? "true" : "false",
         value ? "true" : "false", description);
  return value;
}

std::string ConfigSection::get_string(const std::string& key, const std::string& default_value,
                                      const std::string& description,
                                      const std::vector<std::string>& choices) {
  std::string value = default_value;
  if (const toml::node* node = find_node(impl_->table, path_, key)) {
    if (!node->is_string()) fail(key, "expected a string, got " + describe(*node));
    value = node->as_string()->get();
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
      std::string message =
          "unknown value \"" + excerpt(value) + "\", expected one of: " + join(choices);
      const std::string nearest = nearest_name(value, choices);
      if (!nearest.empty()) message += " (did you mean \"" + nearest + "\"?)";
      fail(key, message);
    }
  }
  record(*impl_, path_, key, value, "string", format_value(default_value), format_value(value),
         description);
  return value;
}

namespace {

// A list of TOML values of type T (int64_t or std::string), each passed to `check`.
template <typename T, typename Check>
std::vector<T> read_list(ConfigSection& section, Config::Impl& impl, const std::string& path,
                         const std::string& key, const std::vector<T>& default_value,
                         const std::string& element_word, const std::string& description,
                         Check check) {
  std::vector<T> values = default_value;
  if (const toml::node* node = find_node(impl.table, path, key)) {
    const toml::array* array = node->as_array();
    const std::string expected = "expected a list of " + element_word + "s";
    if (array == nullptr) section.fail(key, expected + ", got " + describe(*node));
    values.clear();
    for (const toml::node& element : *array) {
      const auto* typed = element.as<T>();
      if (typed == nullptr) section.fail(key, expected + ", found element " + describe(element));
      check(typed->get());
      values.push_back(typed->get());
    }
  }
  toml::array resolved;
  for (const auto& v : values) resolved.push_back(v);
  record(impl, path, key, std::move(resolved), element_word + " list", format_list(default_value),
         format_list(values), description);
  return values;
}

}  // namespace

std::vector<int64_t> ConfigSection::get_int_list(const std::string& key,
                                                 const std::vector<int64_t>& default_value,
                                                 int64_t min_value, int64_t max_value,
                                                 const std::string& description) {
  return read_list<int64_t>(
      *this, *impl_, path_, key, default_value, "integer", description, [&](int64_t v) {
        if (v < min_value || v > max_value) {
          fail(key,
               "element " + std::to_string(v) + " is out of range: " +
                   range_text(key + "[i]", std::to_string(min_value), std::to_string(max_value)));
        }
      });
}

std::vector<std::string> ConfigSection::get_string_list(
    const std::string& key, const std::vector<std::string>& default_value,
    const std::string& description) {
  return read_list<std::string>(*this, *impl_, path_, key, default_value, "string", description,
                                [](const std::string&) {});
}

}  // namespace shiftrec
