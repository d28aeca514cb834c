// Every data reader over one file of arbitrary bytes: the first byte picks the reader (and
// options), the rest is the file. Readers with a second file (categories, a test split, an
// attribute JSON) get a small valid one, so the fuzzed file is the one under test.
#include <string>

#include "core/config.h"
#include "datasets/reader.h"
#include "fuzz/fuzz_target.h"

namespace shiftrec::fuzz {

int fuzz_reader(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t choice = data[0] % 8;
  const std::string file = scratch_file("data", data + 1, size - 1);
  const std::string side_text[] = {"0 1\n", "1::T::Drama|Comedy\n", "{\"1\": [1, 2]}"};
  const std::string test_file = scratch_file(
      "test", reinterpret_cast<const uint8_t*>(side_text[0].data()), side_text[0].size());
  const std::string movies = scratch_file(
      "movies", reinterpret_cast<const uint8_t*>(side_text[1].data()), side_text[1].size());
  const std::string attributes = scratch_file(
      "attributes", reinterpret_cast<const uint8_t*>(side_text[2].data()), side_text[2].size());
  const std::string path = "path = \"" + file + "\"\n";
  const std::string configs[] = {
      "source = \"csv\"\n" + path +
          "user_column = \"0\"\nitem_column = \"1\"\ntime_column = \"2\"\n",
      "source = \"csv\"\n" + path +
          "header = false\ndelimiter = \"\\t\"\nuser_column = \"0\"\n"
          "item_column = \"1\"\ncategory_column = \"2\"\nrating_column = \"3\"\nmin_rating = 1.0\n",
      "source = \"movielens\"\n" + path + "items_path = \"" + movies + "\"\n",
      "source = \"movielens\"\n" + path,
      "source = \"recbole\"\n" + path,
      "source = \"taobao\"\n" + path,
      "source = \"s3rec\"\n" + path + "attributes_path = \"" + attributes + "\"\n",
      "source = \"lightgcn\"\n" + path + "test_path = \"" + test_file + "\"\n",
  };
  return handled([&] {
    Config config = Config::from_string("[data]\n" + configs[choice], "fuzz.toml");
    ConfigSection section = config.section("data");
    const std::string source = section.get_string("source", "csv", "source");
    auto reader = reader_registry().get(source)(section);
    reader->read().validate();
  });
}

// The attribute JSON (S3-Rec's item2attributes) as the fuzzed file.
int fuzz_attributes(const uint8_t* data, size_t size) {
  const std::string attributes = scratch_file("attributes", data, size);
  const std::string sequences_text = "1 1 2 3\n2 2 3\n";
  const std::string sequences = scratch_file(
      "sequences", reinterpret_cast<const uint8_t*>(sequences_text.data()), sequences_text.size());
  return handled([&] {
    Config config = Config::from_string("[data]\nsource = \"s3rec\"\npath = \"" + sequences +
                                            "\"\nattributes_path = \"" + attributes + "\"\n",
                                        "fuzz.toml");
    ConfigSection section = config.section("data");
    section.get_string("source", "s3rec", "source");
    reader_registry().get("s3rec")(section)->read().validate();
  });
}

}  // namespace shiftrec::fuzz

#ifdef SHIFTREC_FUZZ_ATTRIBUTES
SHIFTREC_FUZZ_TARGET(shiftrec::fuzz::fuzz_attributes)
#else
SHIFTREC_FUZZ_TARGET(shiftrec::fuzz::fuzz_reader)
#endif
