// RFC 4180 records over TextFile, on a corpus of files as spreadsheets and exporters write
// them: quoted delimiters, doubled quotes, line breaks inside fields, CRLF, a byte-order mark,
// multi-character delimiters; and broken quoting, which must name the line.
#include <gtest/gtest.h>

#include "core/error.h"
#include "datasets/csv_records.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

using Records = std::vector<std::vector<std::string>>;

Records read_all(const std::string& text, const std::string& delimiter = ",") {
  testing::TempDir dir;
  testing::write_text(dir.file("f.csv"), text);
  TextFile file(dir.file("f.csv"));
  CsvRecords records(file, delimiter);
  std::vector<std::string_view> fields;
  Records out;
  while (records.next(fields)) out.emplace_back(fields.begin(), fields.end());
  return out;
}

std::string error_of(const std::string& text) {
  testing::TempDir dir;
  testing::write_text(dir.file("f.csv"), text);
  try {
    read_all(text);
  } catch (const UserError& e) {
    const std::string message = e.what();
    const size_t at = message.find("f.csv:");
    return at == std::string::npos ? message : message.substr(at);
  }
  return "no error";
}

TEST(CsvRecords, ReadsTheCorpusAsTheStandardDefinesIt) {
  struct Case {
    const char* name;
    std::string text;
    Records expected;
  };
  const std::vector<Case> corpus = {
      {"plain", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}},
      {"empty fields", ",x,\n", {{"", "x", ""}}},
      {"quoted delimiter", "1,\"Books, old\",3\n", {{"1", "Books, old", "3"}}},
      {"doubled quotes", "\"say \"\"hi\"\"\",2\n", {{"say \"hi\"", "2"}}},
      {"an empty quoted field", "\"\",1\n", {{"", "1"}}},
      {"line break inside a field",
       "1,\"two\nlines\",3\n4,5,6\n",
       {{"1", "two\nlines", "3"}, {"4", "5", "6"}}},
      {"CRLF and a CRLF inside a field", "a,\"x\r\ny\"\r\nb,c\r\n", {{"a", "x\ny"}, {"b", "c"}}},
      {"byte-order mark", "\xEF\xBB\xBFuser,item\n1,2\n", {{"user", "item"}, {"1", "2"}}},
      {"blank lines between records", "1,2\n\n\n3,4\n", {{"1", "2"}, {"3", "4"}}},
      {"a quote inside an unquoted field is a character", "5\" screen,2\n", {{"5\" screen", "2"}}},
      {"no final line break", "1,\"a\"", {{"1", "a"}}},
      {"quoted last field then an empty one", "\"a\",\n", {{"a", ""}}},
      {"UTF-8", "Café,\"Ünïcödé, ok\"\n", {{"Café", "Ünïcödé, ok"}}},
  };
  for (const auto& c : corpus) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(read_all(c.text), c.expected);
  }
  EXPECT_EQ(read_all("1::\"a::b\"::3\n", "::"), (Records{{"1", "a::b", "3"}}));
  EXPECT_EQ(read_all("1\t\"a\tb\"\n", "\t"), (Records{{"1", "a\tb"}}));
}

TEST(CsvRecords, BrokenQuotingNamesTheLine) {
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n4,5\n"),
            "f.csv:2: a quoted field opened on this line is never closed (an unmatched \" in "
            "the file)");
  EXPECT_EQ(error_of("a,b\n\"x\"y,2\n"),
            "f.csv:2: text after the closing quote of field 1 (a quote inside a quoted field is "
            "written twice: \"\")");
}

}  // namespace
}  // namespace shiftrec
