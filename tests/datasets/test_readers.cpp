// Every registered reader on small files made here: what it reads, and a corpus of broken
// files, each of which must end in one error naming the file and line (or JSON offset).
#include <gtest/gtest.h>

#include <cstdlib>

#include <zlib.h>

#include <map>

#include "core/config.h"
#include "core/error.h"
#include "datasets/reader.h"
#include "datasets/split.h"
#include "tests/datasets/hand_labelled.h"
#include "tests/fixtures.h"

namespace shiftrec {
namespace {

struct Files {
  testing::TempDir dir;
  Files& add(const std::string& name, const std::string& text) {
    testing::write_text(dir.file(name), text);
    return *this;
  }
  Files& add_gzip(const std::string& name, const std::string& text, size_t keep_bytes = 0) {
    const std::string path = dir.file(name);
    gzFile gz = gzopen(path.c_str(), "wb");
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    if (keep_bytes > 0) {  // truncate the compressed stream
      const std::string bytes = testing::read_text(path);
      testing::write_text(path, bytes.substr(0, keep_bytes));
    }
    return *this;
  }
};

// `data_toml` is the body of the [data] table; root points at the files' folder.
Interactions read(const Files& files, const std::string& data_toml) {
  Config config =
      Config::from_string("[data]\nroot = \"" + files.dir.path() + "\"\n" + data_toml, "test.toml");
  ConfigSection data = config.section("data");
  const std::string source = data.get_string("source", "", "reader");
  auto reader = reader_registry().get(source)(data);
  config.check_all_used();
  return reader->read();
}

std::string error_of(const Files& files, const std::string& data_toml) {
  try {
    read(files, data_toml);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

// A relative path with neither data.root nor $SHIFTREC_DATA set, and no such file here: the
// error names the key and says where relative paths start from.
TEST(Readers, ARelativePathWithoutADataRootNamesTheKeyAndTheVariable) {
  const char* saved = std::getenv("SHIFTREC_DATA");
  const std::string previous = saved != nullptr ? saved : "";
  ::unsetenv("SHIFTREC_DATA");
  Config config = Config::from_string(
      "[data]\nsource = \"s3rec\"\npath = \"no-such-folder/Beauty.txt\"\n", "test.toml");
  ConfigSection data = config.section("data");
  std::string message = "no error";
  try {
    reader_registry().get("s3rec")(data)->read();
  } catch (const UserError& e) {
    message = e.what();
  }
  if (saved != nullptr) ::setenv("SHIFTREC_DATA", previous.c_str(), 1);
  EXPECT_NE(message.find("data.path"), std::string::npos) << message;
  EXPECT_NE(message.find("$SHIFTREC_DATA"), std::string::npos) << message;
  EXPECT_NE(message.find("no-such-folder/Beauty.txt"), std::string::npos) << message;
}

TEST(Readers, ExpectedReadersAreRegistered) {
  for (const char* name : {"csv", "lightgcn", "movielens", "recbole", "s3rec", "taobao"}) {
    EXPECT_TRUE(reader_registry().contains(name)) << name;
  }
}

std::vector<std::string> categories_of(const Interactions& d, int64_t original_item) {
  for (int64_t i = 0; i < d.n_items; ++i) {
    if (d.item_original_ids.numbers()[i] != original_item) continue;
    std::vector<std::string> out;
    for (int64_t k = d.category_offsets[i]; k < d.category_offsets[i + 1]; ++k) {
      out.push_back(d.category_names[d.category_ids[k]]);
    }
    return out;
  }
  return {"<no such item>"};
}

TEST(Readers, MovieLensWithGenresGzipAndRatingFilter) {
  Files f;
  f.add_gzip("ratings.dat.gz", "1::10::5::300\n1::20::2::100\n2::10::4::50\n1::30::4::200\n");
  f.add("movies.dat", "10::A (1995)::Action|Comedy\n20::B (1996)::Drama\n30::C (1997)::Drama\n");
  const Interactions d = read(f,
                              "source = \"movielens\"\npath = \"ratings.dat.gz\"\n"
                              "items_path = \"movies.dat\"\nmin_rating = 4.0\n");
  EXPECT_EQ(d.n_users, 2);
  EXPECT_EQ(d.size(), 3);   // the rating of 2 is dropped
  EXPECT_EQ(d.n_items, 2);  // item 20 had only that rating
  EXPECT_EQ(d.user_original_ids.numbers(), (std::vector<int64_t>{1, 2}));
  // User 1 in time order: 30 (t=200) then 10 (t=300).
  EXPECT_EQ(d.item_original_ids.numbers()[d.item[0]], 30);
  EXPECT_EQ(d.item_original_ids.numbers()[d.item[1]], 10);
  EXPECT_EQ(d.time[0], 200);
  EXPECT_EQ(categories_of(d, 10), (std::vector<std::string>{"Action", "Comedy"}));
  EXPECT_EQ(categories_of(d, 30), (std::vector<std::string>{"Drama"}));
}

TEST(Readers, RecBoleAtomicFiles) {
  Files f;
  f.add("x.inter",
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        "7\t1\t5\t20\n7\t2\t3\t10\n8\t2\t4\t5\n");
  f.add("x.item",
        "item_id:token\tmovie_title:token_seq\tclass:token_seq\n"
        "1\tToy\tAnimation Comedy\n2\tHeat\tAction\n");
  const Interactions d =
      read(f, "source = \"recbole\"\npath = \"x.inter\"\nitems_path = \"x.item\"\n");
  EXPECT_EQ(d.size(), 3);
  EXPECT_EQ(d.item_original_ids.numbers()[d.item[0]], 2);  // user 7's earliest
  EXPECT_EQ(categories_of(d, 1), (std::vector<std::string>{"Animation", "Comedy"}));
}

TEST(Readers, TaobaoWithBehaviourFilter) {
  Files f;
  f.add("ub.csv", "1,100,5,pv,10\n1,101,6,buy,20\n2,100,5,cart,15\n");
  const Interactions d =
      read(f, "source = \"taobao\"\npath = \"ub.csv\"\nbehaviours = [\"pv\", \"buy\"]\n");
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.n_users, 1);
  EXPECT_EQ(categories_of(d, 101), (std::vector<std::string>{"6"}));
}

TEST(Readers, S3RecWithAttributes) {
  Files f;
  f.add("seq.txt", "7 10 20 10\n3 20 30\n");
  f.add("attr.json", R"({"10": [1, 2], "20": [2], "30": [3]})");
  const Interactions d =
      read(f, "source = \"s3rec\"\npath = \"seq.txt\"\nattributes_path = \"attr.json\"\n");
  EXPECT_EQ(d.n_users, 2);
  EXPECT_EQ(d.n_items, 3);
  EXPECT_EQ(d.user_original_ids.numbers(), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(d.item_original_ids.numbers(), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(d.item, (std::vector<int32_t>{0, 1, 0, 1, 2}));
  EXPECT_EQ(d.time, (std::vector<int64_t>{0, 1, 2, 0, 1}));
  EXPECT_EQ(categories_of(d, 10), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(d.n_categories, 3);
}

TEST(Readers, AnItemListingACategoryTwiceCarriesItOnce) {
  // S3-Rec's LastFM lists an artist's tags once per tagging (tag 49 appears 6,473 times over
  // 1,433 items): counted per listing, the common-category rule saw tags "on 177% of items"
  // and dropped them from the shift labels.
  Files f;
  f.add("seq.txt", "7 10 20\n3 20 30\n");
  f.add("attr.json", R"({"10": [1, 2, 1, 1], "20": [2, 2], "30": [3, 1, 3]})");
  const Interactions d =
      read(f, "source = \"s3rec\"\npath = \"seq.txt\"\nattributes_path = \"attr.json\"\n");
  EXPECT_EQ(categories_of(d, 10), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(categories_of(d, 20), (std::vector<std::string>{"2"}));
  EXPECT_EQ(categories_of(d, 30), (std::vector<std::string>{"3", "1"}));
  EXPECT_EQ(d.category_ids.size(), 5u);
  // The same rule for a CSV category column.
  Files g;
  g.add("d.csv", "u,i,t,cats\n5,9,1,a|b|a\n");
  const Interactions e = read(g,
                              "source = \"csv\"\npath = \"d.csv\"\nuser_column = \"u\"\n"
                              "item_column = \"i\"\ntime_column = \"t\"\n"
                              "category_column = \"cats\"\n");
  EXPECT_EQ(categories_of(e, 9), (std::vector<std::string>{"a", "b"}));
}

TEST(Interactions, AnItemListingACategoryTwiceIsAViolation) {
  Interactions d = testing::hand_labelled();
  d.category_ids[1] = d.category_ids[0];  // i0 {A, A}
  EXPECT_EQ(d.first_violation(), "an item lists a category twice");
}

TEST(Readers, CsvWithNamedColumnsAndCategories) {
  Files f;
  f.add("d.tsv", "uid\tiid\tts\tcats\n5\t9\t3\ta|b\n5\t8\t1\tc\n");
  const Interactions d = read(f,
                              "source = \"csv\"\npath = \"d.tsv\"\ndelimiter = \"\\t\"\n"
                              "user_column = \"uid\"\nitem_column = \"iid\"\n"
                              "time_column = \"ts\"\ncategory_column = \"cats\"\n");
  EXPECT_EQ(d.item_original_ids.numbers()[d.item[0]], 8);
  EXPECT_EQ(categories_of(d, 9), (std::vector<std::string>{"a", "b"}));
  // Without a header, columns are 0-based indices and time is the row order.
  Files g;
  g.add("d.csv", "5,9\n5,8\n");
  const Interactions e = read(g,
                              "source = \"csv\"\npath = \"d.csv\"\nheader = false\n"
                              "user_column = \"0\"\nitem_column = \"1\"\n");
  EXPECT_EQ(e.item_original_ids.numbers()[e.item[0]], 9);
}

// Ids as real exports write them (Amazon ASINs, "N12345"), quoted fields with the delimiter
// inside, CRLF, and categories from an item file joined by id.
TEST(Readers, CsvWithTextIdsQuotingAndAnItemFile) {
  Files f;
  f.add("inter.csv",
        "\xEF\xBB\xBFuser,item,ts,review\r\n"
        "A2SUAM1J3GNN3B,B000X,5,\"good, \"\"really\"\"\"\r\n"
        "A2SUAM1J3GNN3B,17,3,\"two\r\nlines\"\r\n"
        "U9,017,4,\r\n");
  f.add("items.csv",
        "item,category\n17,\"Books, old\"\nB000X,Café|Toys\n017,Toys\nunused,Garden\n");
  const std::string csv =
      "source = \"csv\"\npath = \"inter.csv\"\nuser_column = \"user\"\n"
      "item_column = \"item\"\ntime_column = \"ts\"\n";
  const Interactions d = read(f, csv + "item_file = \"items.csv\"\n");
  ASSERT_TRUE(d.user_original_ids.is_text());
  EXPECT_EQ(d.user_original_ids.texts(), (std::vector<std::string>{"A2SUAM1J3GNN3B", "U9"}));
  // "17" and "017" are two items; the column is text, each id as written.
  EXPECT_EQ(d.item_original_ids.texts(), (std::vector<std::string>{"B000X", "17", "017"}));
  EXPECT_EQ(d.item, (std::vector<int32_t>{1, 0, 2}));  // user A…'s rows in time order
  const auto names_of = [&](int32_t item) {
    std::vector<std::string> out;
    for (int64_t k = d.category_offsets[item]; k < d.category_offsets[item + 1]; ++k) {
      out.push_back(d.category_names[d.category_ids[k]]);
    }
    return out;
  };
  EXPECT_EQ(names_of(0), (std::vector<std::string>{"Café", "Toys"}));
  EXPECT_EQ(names_of(1), (std::vector<std::string>{"Books, old"}));
  EXPECT_EQ(names_of(2), (std::vector<std::string>{"Toys"}));
  EXPECT_EQ(d.n_categories, 4);  // "Garden" is read, its item has no interaction

  // An item file that does not cover the interactions names the first uncovered interaction.
  Files g;
  g.add("inter.csv", "user,item,ts\nu1,i1,1\nu1,i2,2\n");
  g.add("items.csv", "item,category\ni1,a\n");
  const std::string g_csv =
      "source = \"csv\"\npath = \"inter.csv\"\nuser_column = \"user\"\n"
      "item_column = \"item\"\ntime_column = \"ts\"\nitem_file = \"items.csv\"\n";
  EXPECT_EQ(error_of(g, g_csv), g.dir.file("inter.csv") + ":3: item i2 is not in the item file " +
                                    g.dir.file("items.csv") +
                                    "; every interaction's item needs its categories there");
  g.add("items.csv", "item,category\n1,a\n2,b\n");  // numeric ids vs text ids
  EXPECT_EQ(error_of(g, g_csv), g.dir.file("inter.csv") + ":2: item i1 is not in the item file " +
                                    g.dir.file("items.csv") +
                                    "; every interaction's item needs its categories there");
  g.add("items.csv", "id,cat\ni1,a\n");
  EXPECT_EQ(error_of(g, g_csv),
            "test.toml (default for data.item_file_id_column): data.item_file_id_column: column "
            "\"item\" is not in the header of " +
                g.dir.file("items.csv"));
}

TEST(Readers, LightGcnGivenSplit) {
  Files f;
  f.add_gzip("train.txt.gz", "0 5 6\n1 6\n");
  f.add("test.txt", "0 7\n1 5 8\n");
  const Interactions d = read(f,
                              "source = \"lightgcn\"\npath = \"train.txt.gz\"\n"
                              "test_path = \"test.txt\"\n");
  EXPECT_EQ(d.size(), 6);
  EXPECT_EQ(d.given_split, (std::vector<int8_t>{0, 0, 2, 0, 2, 2}));
  const Split s = given_split(d);
  EXPECT_EQ(s.train_length, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(s.test.size(), 3);
  EXPECT_EQ(s.test.history_length, (std::vector<int32_t>{2, 1, 1}));
  // Both test items of user 1 are ranked from the same history: its training item only.
  EXPECT_EQ(d.item_original_ids.numbers()[s.test.item[1]], 5);
  EXPECT_EQ(d.item_original_ids.numbers()[s.test.item[2]], 8);
  Interactions no_split = d;
  no_split.given_split.clear();
  EXPECT_THROW(given_split(no_split), UserError);
}

struct Broken {
  std::string name;
  std::map<std::string, std::string> files;  // name -> content
  std::string data_toml;
  std::string expected;  // with {dir} for the folder
};

TEST(Readers, BrokenFileCorpusGivesOneLocatedError) {
  const std::string ml = "source = \"movielens\"\npath = \"r.dat\"\n";
  const std::string ml_genres = ml + "items_path = \"m.dat\"\n";
  const std::string rb = "source = \"recbole\"\npath = \"x.inter\"\n";
  const std::string tb = "source = \"taobao\"\npath = \"u.csv\"\n";
  const std::string s3 = "source = \"s3rec\"\npath = \"s.txt\"\nattributes_path = \"a.json\"\n";
  const std::string csv = "source = \"csv\"\npath = \"c.csv\"\ntime_column = \"ts\"\n";
  const std::string header = "user_id:token\titem_id:token\ttimestamp:float\n";
  const std::string lg = "source = \"lightgcn\"\npath = \"train.txt\"\ntest_path = \"test.txt\"\n";
  const std::vector<Broken> corpus = {
      {"truncated line",
       {{"r.dat", "1::2::5::9\n1::3::4\n"}},
       ml,
       "{dir}/r.dat:2: expected UserID::MovieID::Rating::Timestamp (4 fields), found 3"},
      {"non-numeric user",
       {{"r.dat", "u1::2::5::9\n"}},
       ml,
       "{dir}/r.dat:1: \"u1\" is not a user id (expected an integer)"},
      {"non-numeric time",
       {{"r.dat", "1::2::5::9\n1::2::5::soon\n"}},
       ml,
       "{dir}/r.dat:2: \"soon\" is not a timestamp (expected a number)"},
      {"empty file",
       {{"r.dat", ""}},
       ml,
       "{dir}/r.dat: no interactions (empty file or all filtered)"},
      {"missing file", {}, ml, "{dir}/r.dat: cannot open (missing or unreadable)"},
      {"item without genre",
       {{"r.dat", "1::2::5::9\n1::3::5::9\n"}, {"m.dat", "2::A::Drama\n"}},
       ml_genres,
       "{dir}/r.dat:2: item 3 has no category, and categories are required"},
      {"bad movies line",
       {{"r.dat", "1::2::5::9\n"}, {"m.dat", "2::A\n"}},
       ml_genres,
       "{dir}/m.dat:1: expected MovieID::Title::Genres (3 fields), found 2"},
      {"wrong column count",
       {{"x.inter", header + "1\t2\t3\n1\t2\n"}},
       rb,
       "{dir}/x.inter:3: expected 3 tab-separated fields, found 2"},
      {"missing header column",
       {{"x.inter", "user_id:token\tts:float\n1\t2\n"}},
       rb,
       "{dir}/x.inter:1: header needs user_id and item_id columns"},
      {"non-numeric timestamp",
       {{"x.inter", header + "1\t2\tx\n"}},
       rb,
       "{dir}/x.inter:2: \"x\" is not a timestamp (expected a number)"},
      {"unknown behaviour",
       {{"u.csv", "1,2,3,pv,10\n1,2,3,click,11\n"}},
       tb,
       "{dir}/u.csv:2: unknown behaviour type \"click\", expected pv, cart, fav, buy"},
      {"taobao column count",
       {{"u.csv", "1,2,3,pv\n"}},
       tb,
       "{dir}/u.csv:1: expected user_id,item_id,category_id,behavior_type,timestamp (5 fields), "
       "found 4"},
      {"invalid json",
       {{"s.txt", "1 2 3\n"}, {"a.json", "{\"2\": [1, }"}},
       s3,
       "{dir}/a.json: invalid JSON at byte 11"},
      {"json item key",
       {{"s.txt", "1 2 3\n"}, {"a.json", "{\"two\": [1]}"}},
       s3,
       "{dir}/a.json: key \"two\" is not an integer item id"},
      {"item without attributes",
       {{"s.txt", "1 2 3\n"}, {"a.json", "{\"2\": [1]}"}},
       s3,
       "{dir}/s.txt:1: item 3 has no category, and categories are required"},
      {"user without items",
       {{"s.txt", "1 2 3\n4\n"}, {"a.json", "{}"}},
       s3,
       "{dir}/s.txt:2: expected \"user item [item ...]\", found a user without items"},
      {"lightgcn non-numeric item",
       {{"train.txt", "0 1 2\n1 3 x\n"}, {"test.txt", "0 3\n"}},
       lg,
       "{dir}/train.txt:2: \"x\" is not an item id (expected an integer)"},
      {"lightgcn missing test file",
       {{"train.txt", "0 1 2\n"}},
       lg,
       "{dir}/test.txt: cannot open (missing or unreadable)"},
      {"csv column count",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n1,2\n"}},
       csv,
       "{dir}/c.csv:3: expected 3 fields, found 2"},
      {"csv unknown column",
       {{"c.csv", "user,item_id,ts\n1,2,3\n"}},
       csv,
       "test.toml (default for data.user_column): data.user_column: column \"user_id\" is not in "
       "the header of {dir}/c.csv"},

      // Issue 17's classes: each used to pass silently, hang or crash.
      {"NulBytesMergeLines: a NUL byte inside a line",
       {{"c.csv", std::string("user_id,item_id,ts\n1,2,3\n1,3\0\n4,4,5\n", 32)}},
       csv,
       "{dir}/c.csv:3: a NUL byte at column 4 (a binary file, or text damaged by NUL bytes)"},
      {"NulBytesMergeLines: a file followed by a run of NUL bytes",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n" + std::string(100000, '\0')}},
       csv,
       "{dir}/c.csv:3: a NUL byte at column 1"},
      {"TimestampsBeyondInt64: 1e300",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n1,3,1e300\n"}},
       csv,
       "{dir}/c.csv:3: timestamp \"1e300\" is beyond the int64 range"},
      {"TimestampsBeyondInt64: 20 digits",
       {{"r.dat", "1::2::5::9\n1::2::5::99999999999999999999\n"}},
       ml,
       "{dir}/r.dat:2: timestamp \"99999999999999999999\" is beyond the int64 range"},
      {"EchoedValuesAreBounded: a 10 kB field",
       {{"r.dat", "1::2::5::9\n" + std::string(10000, '7') + "x::2::5::9\n"}},
       ml,
       "{dir}/r.dat:2: \"" + std::string(60, '7') + "...\" is not a user id"},
      {"DeepJsonCrashes: nesting 100,000 levels deep",
       {{"s.txt", "1 2 3\n"},
        {"a.json", "{\"2\": " + std::string(100000, '[') + std::string(100000, ']') + "}"}},
       s3,
       "{dir}/a.json: JSON nested deeper than 64 levels"},
      {"EchoedValuesAreBounded: a nested attribute",
       {{"s.txt", "1 2 3\n"}, {"a.json", "{\"2\": [[[1, 2, 3]]]}"}},
       s3,
       "{dir}/a.json: item 2: attribute a list of 1 element(s) is not an integer"},
      {"SilentAccepts: a negative item id",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n1,-2,4\n"}},
       csv,
       "{dir}/c.csv:3: item id -2 is negative"},
      {"SilentAccepts: one column as user and item",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n"}},
       csv + "item_column = \"user_id\"\n",
       "test.toml:6:15: data.item_column: column 0 is also data.user_column"},
      {"SilentAccepts: min_rating without a rating column",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n"}},
       csv + "min_rating = 4.0\n",
       "test.toml:6:14: data.min_rating: set, but there is no data.rating_column"},
      {"SilentAccepts: an empty LightGCN train file",
       {{"train.txt", "\n"}, {"test.txt", "0 3\n"}},
       lg,
       "{dir}/train.txt: no training interactions (empty train file)"},
      {"Csv: an unterminated quote",
       {{"c.csv", "user_id,item_id,ts\n1,2,3\n1,\"2,4\n1,3,5\n"}},
       csv,
       "{dir}/c.csv:3: a quoted field opened on this line is never closed"},
      {"Csv: a category name that is not UTF-8",
       {{"c.csv", "user_id,item_id,ts,c\n1,2,3,ok\n1,3,4,caf\xE9\n"}},
       csv + "category_column = \"c\"\n",
       "{dir}/c.csv:3: the category name \"caf\" is followed by a byte that is not UTF-8"},
      {"Csv: an id that is not UTF-8",
       {{"c.csv", "user_id,item_id,ts\n\xFFu,2,3\n"}},
       csv,
       "{dir}/c.csv:2: the user id \"\" is followed by a byte that is not UTF-8"},
      {"Csv: an id with a line break inside",
       {{"c.csv", "user_id,item_id,ts\n1,\"a\nb\",3\n"}},
       csv,
       "{dir}/c.csv:3: the item id \"a...\" holds a space or a control character"},
      {"Csv: an empty id",
       {{"c.csv", "user_id,item_id,ts\n1,,3\n"}},
       csv,
       "{dir}/c.csv:2: empty item id"},
      {"EmptySeparatorsHang: an empty category separator",
       {{"c.csv", "user_id,item_id,ts,c\n1,2,3,a\n"}},
       csv + "category_column = \"c\"\ncategory_separator = \"\"\n",
       "test.toml:7:22: data.category_separator: empty: expected at least one character"},
      {"EmptySeparatorsHang: the separator is the delimiter",
       {{"c.csv", "user_id,item_id,ts,c\n1,2,3,a\n"}},
       csv + "category_column = \"c\"\ncategory_separator = \",\"\n",
       "test.toml:7:22: data.category_separator: \",\" is also data.delimiter"},
  };
  for (const auto& c : corpus) {
    SCOPED_TRACE(c.name);
    Files f;
    for (const auto& [name, text] : c.files) f.add(name, text);
    std::string expected = c.expected;
    if (const size_t at = expected.find("{dir}"); at != std::string::npos) {
      expected.replace(at, 5, f.dir.path());
    }
    const std::string message = error_of(f, c.data_toml);
    EXPECT_EQ(message.rfind(expected, 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;  // one line
  }
}

TEST(Readers, TruncatedGzipIsAnError) {
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += "1::" + std::to_string(i) + "::5::" + std::to_string(i) + "\n";
  Files f;
  f.add_gzip("r.dat.gz", text, /*keep_bytes=*/2000);
  const std::string message = error_of(f, "source = \"movielens\"\npath = \"r.dat.gz\"\n");
  EXPECT_EQ(message.rfind(f.dir.file("r.dat.gz") + ":", 0), 0u) << message;
  EXPECT_NE(message.find("corrupt or truncated"), std::string::npos) << message;
}

}  // namespace
}  // namespace shiftrec
