// The TOML config loader with --set overrides: the input's first line is the TOML text's
// source; lines starting "--set " after a "\n--\n" separator are overrides. Every option type
// is read, then unknown keys are checked, as `train` does.
#include <string>

#include "core/config.h"
#include "fuzz/fuzz_target.h"

namespace shiftrec::fuzz {

int fuzz_config(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find("\n--\n");
  const std::string toml = input.substr(0, cut);
  return handled([&] {
    Config config = Config::from_string(toml, "fuzz.toml");
    for (size_t at = cut == std::string::npos ? cut : cut + 4; at < input.size();) {
      const size_t end = std::min(input.find('\n', at), input.size());
      config.apply_override(input.substr(at, end - at));
      at = end + 1;
    }
    ConfigSection model = config.section("model");
    model.get_int("d", 64, 1, 4096, "d");
    model.get_double("dropout", 0.2, 0.0, 0.99, "dropout");
    model.get_bool("time_gaps", false, "gaps");
    model.get_string("name", "sasrec", "name", {"sasrec", "bert4rec"});
    model.get_int_list("ks", {10}, 1, 1000, "ks");
    model.get_string_list("heads", {}, "heads");
    config.section("model.sasrec").get_int("blocks", 2, 1, 16, "blocks");
    config.section("data").get_string("source", "synthetic", "source");
    config.root().get_int("seed", 42, 0, ConfigSection::kIntMax, "seed");
    config.check_all_used();
    Config::from_string(config.resolved_toml(), "resolved.toml");  // round trip
  });
}

}  // namespace shiftrec::fuzz

SHIFTREC_FUZZ_TARGET(shiftrec::fuzz::fuzz_config)
