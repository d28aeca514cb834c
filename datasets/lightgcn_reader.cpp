// The LightGCN / NGCF train-test format, a given split: one line per user in each file,
// "user item item ...", 0-based remapped ids, plain or gzip. There are no timestamps: a
// user's training items come first in file order, then the test items.
// Options: path (train file), test_path. Use with [split] protocol = "given".
#include <unordered_map>

#include "core/config.h"
#include "datasets/interactions_builder.h"
#include "datasets/reader.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

class LightGcnReader : public DatasetReader {
 public:
  explicit LightGcnReader(ConfigSection s) {
    train_ = data_path(s, "path", "train file, e.g. gowalla-lightgcn/train.derived.txt.gz", true);
    test_ = data_path(s, "test_path", "test file, e.g. gowalla-lightgcn/test.txt", true);
  }

  Interactions read() override {
    InteractionsBuilder builder;
    std::unordered_map<int64_t, int64_t> next_time;  // per user: time of its next item
    std::vector<int8_t> tags;
    for (const auto& [path, tag] : {std::pair<std::string, int8_t>{train_, 0}, {test_, 2}}) {
      TextFile file(path);
      std::string line;
      const size_t rows_before = tags.size();
      while (file.next_line(line)) {
        const auto fields = split_whitespace(line);
        if (fields.empty()) continue;
        const int64_t user = file.parse_int(fields[0], "a user id");
        int64_t& time = next_time[user];
        for (size_t k = 1; k < fields.size(); ++k) {
          builder.add(user, file.parse_int(fields[k], "an item id"), time++, file);
          tags.push_back(tag);
        }
      }
      if (tag == 0 && tags.size() == rows_before) {  // a model trained on nothing is no result
        throw UserError(path + ": no training interactions (empty train file)");
      }
    }
    builder.set_row_tags(std::move(tags));
    return builder.build(train_, false);
  }

  std::vector<std::string> files() const override { return {train_, test_}; }

 private:
  std::string train_, test_;
};

std::unique_ptr<DatasetReader> make_lightgcn(ConfigSection s) {
  return std::make_unique<LightGcnReader>(s);
}

}  // namespace

SHIFTREC_REGISTER_READER("lightgcn", "LightGCN/NGCF train.txt + test.txt (a given split)",
                         make_lightgcn);

}  // namespace shiftrec
