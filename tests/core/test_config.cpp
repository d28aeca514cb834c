#include "core/config.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

// Reads the options a "model" component would declare.
struct ModelOptions {
  int64_t d;
  double dropout;
  std::string name;
  std::vector<int64_t> ks;
};

ModelOptions read_model(Config& config) {
  ConfigSection s = config.section("model");
  ModelOptions o;
  o.name = s.get_string("name", "sasrec", "model", {"sasrec", "popularity"});
  o.d = s.get_int("d", 50, 1, 4096, "embedding size");
  o.dropout = s.get_double("dropout", 0.2, 0.0, 0.99, "dropout");
  o.ks = s.get_int_list("ks", {10}, 1, 1000, "cut-offs");
  return o;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, UnknownKeyNamesLocationAndNearestKey) {
  Config config = Config::from_string("[model]\nd = 3\ndropuot = 0.1\n", "exp.toml");
  read_model(config);
  EXPECT_EQ(error_of([&] { config.check_all_used(); }),
            "exp.toml:3:1: unknown key 'model.dropuot' (did you mean 'model.dropout'?)");
}

TEST(Config, UnknownTableIsReported) {
  Config config = Config::from_string("[model]\nd = 3\n\n[trian]\nepochs = 1\n", "exp.toml");
  read_model(config);
  EXPECT_EQ(error_of([&] { config.check_all_used(); }),
            "exp.toml:4:2: unknown key 'trian' (known keys here: model)");
}

TEST(Config, WrongTypeNamesValueGivenAndExpected) {
  Config config = Config::from_string("[model]\nd = \"big\"\n", "exp.toml");
  EXPECT_EQ(error_of([&] { read_model(config); }),
            "exp.toml:2:5: model.d: expected an integer, got string \"big\"");
}

TEST(Config, OutOfRangeNamesBounds) {
  Config config = Config::from_string("[model]\ndropout = 1.5\n", "exp.toml");
  EXPECT_EQ(error_of([&] { read_model(config); }),
            "exp.toml:2:11: model.dropout: value 1.5 is out of range: expected 0 <= dropout "
            "<= 0.99");  // bounds as written, not 0.98999999999999999
}

TEST(Config, ListElementsAreChecked) {
  Config config = Config::from_string("[model]\nks = [10, \"x\"]\n", "exp.toml");
  EXPECT_NE(error_of([&] { read_model(config); })
                .find("exp.toml:2:6: model.ks: expected a list "
                      "of integers, found element string"),
            std::string::npos);
}

TEST(Config, UnknownChoiceSuggestsNearest) {
  Config config = Config::from_string("[model]\nname = \"sasrek\"\n", "exp.toml");
  EXPECT_EQ(error_of([&] { read_model(config); }),
            "exp.toml:2:8: model.name: unknown value \"sasrek\", expected one of: sasrec, "
            "popularity (did you mean \"sasrec\"?)");
}

TEST(Config, SyntaxErrorHasLocation) {
  const std::string message =
      error_of([] { Config::from_string("[model]\nd = = 3\n", "broken.toml"); });
  EXPECT_EQ(message.rfind("broken.toml:2:", 0), 0u) << message;
  EXPECT_NE(message.find("invalid TOML"), std::string::npos);
}

TEST(Config, MissingFileIsNamed) {
  EXPECT_EQ(error_of([] { Config::from_file("/nonexistent/exp.toml"); }),
            "/nonexistent/exp.toml: cannot open config file (missing or unreadable)");
}

TEST(Config, OverrideOrderDefaultsThenFileThenCommandLine) {
  Config config = Config::from_string("[model]\nd = 64\ndropout = 0.3\n", "exp.toml");
  config.apply_override("model.dropout=0.5");
  config.apply_override("model.name=popularity");  // a bare word is a string
  ModelOptions o = read_model(config);
  EXPECT_EQ(o.d, 64);                // file beats default
  EXPECT_DOUBLE_EQ(o.dropout, 0.5);  // --set beats file
  EXPECT_EQ(o.name, "popularity");
  EXPECT_EQ(o.ks, std::vector<int64_t>{10});  // default
  config.check_all_used();
}

TEST(Config, OverrideIsParsedAsTomlAndLocatedOnError) {
  Config config = Config::from_string("[model]\n", "exp.toml");
  config.apply_override("model.d=\"64\"");  // quoted: a string, so wrong type for d
  EXPECT_EQ(error_of([&] { read_model(config); }),
            "--set model.d=\"64\": model.d: expected an integer, got string \"64\"");
}

TEST(Config, OverrideCreatesTablesAndUnknownOverrideIsLocated) {
  Config config = Config::from_string("", "exp.toml");
  config.apply_override("model.ks=[5, 7]");
  config.apply_override("model.dropuot=0.1");
  EXPECT_EQ(read_model(config).ks, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(error_of([&] { config.check_all_used(); }),
            "--set model.dropuot=0.1: unknown key 'model.dropuot' (did you mean "
            "'model.dropout'?)");
}

// MessagesThatFailTheUser: a table that only an override made is blamed on that override
// (it was "file:0:0"); a huge value is echoed as an excerpt.
TEST(Config, AnUnknownTableFromAnOverrideIsBlamedOnTheOverride) {
  Config config = Config::from_string("[model]\nd = 8\n", "exp.toml");
  config.apply_override("modle.d=3");
  read_model(config);
  const std::string message = error_of([&] { config.check_all_used(); });
  EXPECT_EQ(message.rfind("--set modle.d=3: unknown key 'modle'", 0), 0u) << message;
}

TEST(Config, AHugeValueIsEchoedAsAnExcerpt) {
  Config config =
      Config::from_string("[model]\nname = \"" + std::string(1000000, 'x') + "\"\n", "exp.toml");
  const std::string message = error_of([&] {
    config.section("model").get_string("name", "sasrec", "model", {"sasrec", "bert4rec"});
  });
  EXPECT_LT(message.size(), 300u);
  EXPECT_NE(message.find("unknown value \"" + std::string(60, 'x') + "...\""), std::string::npos);
}

// Found by fuzzing: toml++ 3.3 reaches __builtin_unreachable on many non-ASCII characters
// (é, Cyrillic, kana, ...) wherever its scanner tests them for whitespace. It never sees them:
// they are sheltered before parsing and restored after, so errors stay located parse errors
// and strings, quoted keys and comments keep their text exactly.
TEST(Config, NonAsciiThatTripsTomlPlusPlusNeverReachesIt) {
  EXPECT_EQ(error_of([] {
              Config::from_string("[model]\ncaf\xc3\xa9 = 1\n", "exp.toml");
            }).rfind("exp.toml:2:4: invalid TOML: ", 0),
            0u);
  EXPECT_EQ(error_of([] {
              Config::from_string("[\xd2\x83]\n", "exp.toml");
            }).rfind("exp.toml:1:2: invalid TOML: ", 0),
            0u);
  EXPECT_EQ(error_of([] {
              Config::from_string("a = 0=\"\xc3\xa9\"\n", "exp.toml");
            }).rfind("exp.toml:1:", 0),
            0u);
  Config config = Config::from_string(
      "# caf\xc3\xa9\n[model]\nname = \"caf\xc3\xa9 \xe4\xb8\xad \xe3\x81\x82\" # \xc3\xa9\n"
      "note = '\xd0\x96'\nlist = [\"\xc3\xa0\"]\n[\"caf\xc3\xa9\"]\nk = 1\n",
      "exp.toml");
  EXPECT_EQ(config.section("model").get_string("name", "", "name"),
            "caf\xc3\xa9 \xe4\xb8\xad \xe3\x81\x82");
  EXPECT_EQ(config.section("model").get_string("note", "", "note"), "\xd0\x96");
  EXPECT_EQ(config.section("model").get_string_list("list", {}, "list"),
            std::vector<std::string>{"\xc3\xa0"});
  EXPECT_EQ(config.section("caf\xc3\xa9").get_int("k", 0, 0, 9, "k"), 1);
  config.apply_override("model.name=d\xc3\xa9j\xc3\xa0");  // a bare non-ASCII word: a string
  EXPECT_EQ(config.section("model").get_string("name", "", "name"), "d\xc3\xa9j\xc3\xa0");
  config.apply_override("model.name=\"\xd0\x96\"");
  EXPECT_EQ(config.section("model").get_string("name", "", "name"), "\xd0\x96");
}

TEST(Config, MalformedOverride) {
  Config config = Config::from_string("", "exp.toml");
  EXPECT_EQ(error_of([&] { config.apply_override("model.d"); }),
            "--set model.d: expected key=value, e.g. model.d=64");
  EXPECT_EQ(error_of([&] { config.apply_override("model..d=3"); }),
            "--set model..d=3: empty key part in 'model..d'");
}

TEST(Config, ResolvedConfigRoundTrips) {
  Config first = Config::from_string("[model]\nd = 64\n", "exp.toml");
  first.apply_override("model.dropout=0.25");
  const ModelOptions a = read_model(first);
  const std::string resolved = first.resolved_toml();

  Config second = Config::from_string(resolved, "resolved.toml");
  const ModelOptions b = read_model(second);
  second.check_all_used();  // the resolved file holds nothing that nobody reads
  EXPECT_EQ(second.resolved_toml(), resolved);
  EXPECT_EQ(a.d, b.d);
  EXPECT_EQ(a.dropout, b.dropout);  // exact: doubles are written with full precision
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.ks, b.ks);
}

TEST(Config, OptionsAreListedWithDescriptions) {
  Config config = Config::from_string("[model]\nd = 8\n", "exp.toml");
  read_model(config);
  const auto& options = config.options();
  ASSERT_EQ(options.size(), 4u);
  EXPECT_EQ(options[1].path, "model.d");
  EXPECT_EQ(options[1].value, "8");
  EXPECT_EQ(options[1].default_value, "50");
  EXPECT_EQ(options[1].description, "embedding size");
}

TEST(Config, CrossFieldFailureIsLocated) {
  Config config = Config::from_string("[model]\nd = 10\n", "exp.toml");
  ConfigSection s = config.section("model");
  s.get_int("d", 50, 1, 100, "size");
  EXPECT_EQ(error_of([&] { s.fail("d", "not a multiple of heads = 3"); }),
            "exp.toml:2:5: model.d: not a multiple of heads = 3");
  EXPECT_EQ(error_of([&] { s.fail("heads", "bad"); }),
            "exp.toml (default for model.heads): model.heads: bad");
}

}  // namespace
}  // namespace shiftrec
