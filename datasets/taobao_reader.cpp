// Taobao UserBehavior CSV, no header: user_id,item_id,category_id,behavior_type,timestamp
// behavior_type is one of pv, cart, fav, buy; `behaviours` selects which to keep. The category
// id is the item's category (the first one seen for an item is kept).
// Options: path, behaviours (default all four).
#include <unordered_set>

#include "core/config.h"
#include "core/text.h"
#include "datasets/interactions_builder.h"
#include "datasets/reader.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

const std::vector<std::string> kBehaviours = {"pv", "cart", "fav", "buy"};

class TaobaoReader : public DatasetReader {
 public:
  explicit TaobaoReader(ConfigSection s) {
    path_ = data_path(s, "path", "UserBehavior.csv", true);
    const auto keep =
        s.get_string_list("behaviours", kBehaviours, "behaviour types to keep: pv, cart, fav, buy");
    for (const auto& b : keep) {
      if (std::find(kBehaviours.begin(), kBehaviours.end(), b) == kBehaviours.end()) {
        s.fail("behaviours", "unknown behaviour \"" + b + "\", expected pv, cart, fav or buy");
      }
      keep_.insert(b);
    }
  }

  Interactions read() override {
    InteractionsBuilder builder;
    std::unordered_set<int64_t> categorised;
    TextFile file(path_);
    std::string line;
    while (file.next_line(line)) {
      if (line.empty()) continue;
      const auto fields = split_fields(line, ",");
      if (fields.size() != 5) {
        file.fail(
            "expected user_id,item_id,category_id,behavior_type,timestamp (5 fields), "
            "found " +
            std::to_string(fields.size()));
      }
      const int64_t user = file.parse_int(fields[0], "a user id");
      const int64_t item = file.parse_int(fields[1], "an item id");
      const int64_t category = file.parse_int(fields[2], "a category id");
      const std::string behaviour(fields[3]);
      if (std::find(kBehaviours.begin(), kBehaviours.end(), behaviour) == kBehaviours.end()) {
        file.fail("unknown behaviour type \"" + behaviour + "\", expected " + join(kBehaviours));
      }
      const int64_t time = file.parse_timestamp(fields[4]);
      if (keep_.count(behaviour) == 0) continue;
      if (categorised.insert(item).second) builder.set_categories(item, {std::to_string(category)});
      builder.add(user, item, time, file);
    }
    return builder.build(path_, true);
  }

  std::vector<std::string> files() const override { return {path_}; }

 private:
  std::string path_;
  std::unordered_set<std::string> keep_;
};

std::unique_ptr<DatasetReader> make_taobao(ConfigSection s) {
  return std::make_unique<TaobaoReader>(s);
}

}  // namespace

SHIFTREC_REGISTER_READER("taobao", "Taobao UserBehavior CSV (category per item, behaviour filter)",
                         make_taobao);

}  // namespace shiftrec
