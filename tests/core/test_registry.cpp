#include "core/registry.h"

#include <gtest/gtest.h>

#include "core/text.h"

namespace shiftrec {
namespace {

using IntFactory = std::function<int()>;
struct TestTag {};

TEST(Registry, UnknownNameListsKnownNamesAndNearest) {
  auto& registry = Registry<IntFactory>::instance("widget");
  registry.add("alpha", "first", [] { return 1; });
  registry.add("beta", "second", [] { return 2; });
  EXPECT_EQ(registry.get("beta")(), 2);
  try {
    registry.get("alpah");
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown widget \"alpah\" (did you mean \"alpha\"?); known: alpha, beta");
  }
  EXPECT_THROW(registry.add("alpha", "again", [] { return 3; }), InternalError);
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"alpha", "beta"}));
}

TEST(Text, EditDistanceAndNearest) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("dropout", "dropuot"), 2u);
  EXPECT_EQ(nearest_name("ndgc", {"recall", "ndcg", "mrr"}), "ndcg");
  EXPECT_EQ(nearest_name("zzzzzz", {"recall", "ndcg"}), "");
  EXPECT_EQ(split("a..b", '.'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(fnv1a_hex(""), "cbf29ce484222325");  // the FNV-1a 64 offset basis
}

}  // namespace
}  // namespace shiftrec
