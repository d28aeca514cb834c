#include "datasets/interactions_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/config.h"
#include "core/error.h"
#include "datasets/dataset_loader.h"
#include "datasets/synthetic.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

void expect_same(const Interactions& a, const Interactions& b) {
  EXPECT_EQ(a.n_users, b.n_users);
  EXPECT_EQ(a.n_items, b.n_items);
  EXPECT_EQ(a.n_categories, b.n_categories);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.item, b.item);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.user_offsets, b.user_offsets);
  EXPECT_EQ(a.category_offsets, b.category_offsets);
  EXPECT_EQ(a.category_ids, b.category_ids);
  EXPECT_EQ(a.category_names, b.category_names);
  EXPECT_EQ(a.user_original_ids, b.user_original_ids);
  EXPECT_EQ(a.item_original_ids, b.item_original_ids);
}

TEST(InteractionsCache, RoundTripAndCorruptFilesAreMisses) {
  testing::TempDir dir;
  Interactions data = generate_synthetic(testing::tiny_synthetic_options()).interactions;
  data.category_names = {"a", "b", "c", "d", "e"};
  EXPECT_FALSE(load_cached(dir.path(), "k1").has_value());
  store_cached(dir.path(), "k1", data);
  const auto loaded = load_cached(dir.path(), "k1");
  ASSERT_TRUE(loaded.has_value());
  expect_same(*loaded, data);
  // A damaged file is ignored (and would be rebuilt), never served.
  const std::string bytes = testing::read_text(dir.file("k1.h5"));
  testing::write_text(dir.file("k1.h5"), bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(load_cached(dir.path(), "k1").has_value());
  // One flipped byte anywhere, metadata included, fails the seal before HDF5 parses the file.
  std::string flipped = bytes;
  flipped[flipped.size() / 3] ^= 0x40;
  testing::write_text(dir.file("k1.h5"), flipped);
  EXPECT_FALSE(load_cached(dir.path(), "k1").has_value());
  // The intact file without its seal (an older shiftrec's cache) is rebuilt, not trusted.
  testing::write_text(dir.file("k1.h5"), bytes);
  ASSERT_TRUE(load_cached(dir.path(), "k1").has_value());
  std::filesystem::remove(dir.file("k1.h5.sum"));
  EXPECT_FALSE(load_cached(dir.path(), "k1").has_value());

  // Text ids and names with separators in them round-trip as they were.
  data.user_original_ids = OriginalIds::from_texts([&] {
    std::vector<std::string> texts;
    for (int64_t u = 0; u < data.n_users; ++u) texts.push_back("U-" + std::to_string(u) + "\u00e9");
    return texts;
  }());
  data.category_names = {"a\nb", "Books, old", "", "d", "e"};
  store_cached(dir.path(), "k2", data);
  const auto text = load_cached(dir.path(), "k2");
  ASSERT_TRUE(text.has_value());
  EXPECT_TRUE(text->user_original_ids.is_text());
  expect_same(*text, data);
}

Dataset load(const testing::TempDir& dir) {
  Config config =
      Config::from_string("[data]\nsource = \"csv\"\nroot = \"" + dir.path() +
                              "\"\npath = \"d.csv\"\ncache_dir = \"" + dir.file("cache") + "\"\n",
                          "test.toml");
  return load_dataset(config.section("data"));
}

TEST(InteractionsCache, ServesHitsAndNeverAStaleEntry) {
  testing::TempDir dir;
  testing::write_text(dir.file("d.csv"), "user_id,item_id\n1,10\n1,11\n2,10\n");
  const Dataset first = load(dir);
  EXPECT_EQ(first.interactions.size(), 3);
  ASSERT_TRUE(std::filesystem::exists(dir.file("cache/" + first.fingerprint + ".h5")));
  // Prove the second load comes from the cache: plant a different store under its key.
  Interactions planted = first.interactions;
  planted.time = {7, 8, 9};
  store_cached(dir.file("cache"), first.fingerprint, planted);
  EXPECT_EQ(load(dir).interactions.time, (std::vector<int64_t>{7, 8, 9}));
  // One changed byte in the source: a new key, a fresh parse.
  testing::write_text(dir.file("d.csv"), "user_id,item_id\n1,10\n1,11\n2,12\n");
  const Dataset changed = load(dir);
  EXPECT_NE(changed.fingerprint, first.fingerprint);
  EXPECT_EQ(changed.interactions.n_items, 3);
}

TEST(InteractionsCache, NothingHalfBuiltIsCached) {
  testing::TempDir dir;
  testing::write_text(dir.file("d.csv"), "user_id,item_id\n1,10\n1\n");
  EXPECT_THROW(load(dir), UserError);
  EXPECT_FALSE(std::filesystem::exists(dir.file("cache")) &&
               !std::filesystem::is_empty(dir.file("cache")));
}

}  // namespace
}  // namespace shiftrec
