// Original ids: numbers while every id is a canonical integer, text from the first other id on,
// with every earlier id kept as it was written.
#include <gtest/gtest.h>

#include "datasets/original_ids.h"

namespace shiftrec {
namespace {

TEST(OriginalIds, CanonicalIntegersOnly) {
  EXPECT_EQ(canonical_integer("0"), 0);
  EXPECT_EQ(canonical_integer("17"), 17);
  EXPECT_EQ(canonical_integer("9223372036854775807"), INT64_MAX);
  for (const char* text : {"", "017", "+17", "-17", "17 ", "1e3", "9223372036854775808",
                           "99999999999999999999", "A17"}) {
    EXPECT_FALSE(canonical_integer(text)) << text;
  }
}

TEST(OriginalIds, TheFirstTextIdTurnsTheColumnIntoTextKeepingEarlierNumbersAsWritten) {
  OriginalIds ids;
  ids.push_back(std::string_view("7"));
  ids.push_back(int64_t{12});
  EXPECT_FALSE(ids.is_text());
  EXPECT_EQ(ids.numbers(), (std::vector<int64_t>{7, 12}));
  ids.push_back(std::string_view("A2SUAM1J3GNN3B"));
  ids.push_back(std::string_view("007"));
  ids.push_back(int64_t{5});
  ASSERT_TRUE(ids.is_text());
  EXPECT_EQ(ids.texts(), (std::vector<std::string>{"7", "12", "A2SUAM1J3GNN3B", "007", "5"}));
  EXPECT_TRUE(ids.numbers().empty());
  EXPECT_EQ(ids.name(3), "007");
  EXPECT_EQ(OriginalIds::sequence(3).numbers(), (std::vector<int64_t>{0, 1, 2}));
}

TEST(OriginalIds, TheDictionaryFindsEachIdAsWrittenInEitherKind) {
  IdDictionary numbers;
  EXPECT_EQ(numbers.add(std::string_view("40")).index, 0);
  EXPECT_TRUE(numbers.add(int64_t{41}).added);
  EXPECT_FALSE(numbers.add(std::string_view("40")).added);
  EXPECT_EQ(numbers.find("41"), 1);
  EXPECT_FALSE(numbers.find("041"));  // another id, not 41
  EXPECT_FALSE(numbers.find("x"));

  // Switching to text keeps every index, and "7" and "007" stay two ids.
  IdDictionary mixed;
  mixed.add(int64_t{7});
  const auto text = mixed.add(std::string_view("N123"));
  EXPECT_TRUE(text.added);
  EXPECT_EQ(text.index, 1);
  EXPECT_EQ(mixed.add(std::string_view("007")).index, 2);
  EXPECT_EQ(mixed.add(int64_t{7}).index, 0);
  EXPECT_EQ(mixed.find("7"), 0);
  EXPECT_EQ(mixed.find("007"), 2);
  EXPECT_EQ(mixed.find("N123"), 1);
  const OriginalIds released = mixed.release();
  EXPECT_EQ(released.texts(), (std::vector<std::string>{"7", "N123", "007"}));

  // Built over existing ids (a run's), new ones are numbered after them.
  IdDictionary grown(OriginalIds::from_texts({"a", "b"}));
  EXPECT_EQ(grown.add(std::string_view("c")).index, 2);
  EXPECT_EQ(grown.find("b"), 1);
}

TEST(OriginalIds, CopiedRowByRowKeepsTheKind) {
  const OriginalIds texts = OriginalIds::from_texts({"x", "y", "z"});
  OriginalIds picked;
  picked.push_back_from(texts, 2);
  picked.push_back_from(texts, 0);
  EXPECT_EQ(picked, OriginalIds::from_texts({"z", "x"}));
  // A text id that reads as a number comes back numeric: the column holds only numbers.
  OriginalIds digits;
  digits.push_back_from(OriginalIds::from_texts({"12"}), 0);
  EXPECT_FALSE(digits.is_text());
}

}  // namespace
}  // namespace shiftrec
