#include "datasets/s3rec_reader.h"

#include <charconv>
#include <fstream>
#include <unordered_map>

#include "core/error.h"

namespace shiftrec {
namespace {

class IdMap {
 public:
  int32_t dense(int64_t original, std::vector<int64_t>& originals) {
    auto [it, inserted] = ids_.emplace(original, static_cast<int32_t>(originals.size()));
    if (inserted) originals.push_back(original);
    return it->second;
  }

 private:
  std::unordered_map<int64_t, int32_t> ids_;
};

}  // namespace

Interactions read_s3rec_sequences(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(path + ": cannot open (missing or unreadable)");
  Interactions data;
  IdMap users, items;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const char* p = line.data();
    const char* end = p + line.size();
    int64_t field = 0;
    int32_t user = -1;
    while (p < end) {
      while (p < end && (*p == ' ' || *p == '\t')) ++p;
      if (p == end) break;
      int64_t value = 0;
      auto [next, ec] = std::from_chars(p, end, value);
      if (ec != std::errc() || (next < end && *next != ' ' && *next != '\t')) {
        const char* token_end = p;
        while (token_end < end && *token_end != ' ' && *token_end != '\t') ++token_end;
        throw UserError(path + ":" + std::to_string(line_number) + ": field " +
                        std::to_string(field + 1) + " is \"" + std::string(p, token_end) +
                        "\", expected an integer id");
      }
      if (field == 0) {
        user = users.dense(value, data.user_original_ids);
      } else {
        data.user.push_back(user);
        data.item.push_back(items.dense(value, data.item_original_ids));
        data.time.push_back(field - 1);
      }
      ++field;
      p = next;
    }
    if (field < 2) {
      throw UserError(path + ":" + std::to_string(line_number) +
                      ": expected \"user item [item ...]\", found a user without items");
    }
  }
  if (in.bad()) throw UserError(path + ": read error");
  if (data.item.empty()) throw UserError(path + ": empty file, expected user sequences");
  data.n_users = static_cast<int64_t>(data.user_original_ids.size());
  data.n_items = static_cast<int64_t>(data.item_original_ids.size());
  data.sort_and_index();
  return data;
}

}  // namespace shiftrec
