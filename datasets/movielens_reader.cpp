// MovieLens .dat files (GroupLens ml-1m style, "::"-separated):
//   ratings.dat (or .gz)  UserID::MovieID::Rating::Timestamp
//   movies.dat            MovieID::Title::Genre|Genre|...   -> genres as categories
// Options: path, items_path (optional), min_rating (keep ratings >= it; 0 keeps all).
#include "core/config.h"
#include "datasets/interactions_builder.h"
#include "datasets/reader.h"
#include "datasets/text_file.h"

namespace shiftrec {
namespace {

class MovieLensReader : public DatasetReader {
 public:
  explicit MovieLensReader(ConfigSection s) {
    ratings_ = data_path(s, "path", "ratings.dat (plain or gzip)", true);
    movies_ = data_path(s, "items_path", "movies.dat with genres (optional)", false);
    min_rating_ = s.get_double("min_rating", 0.0, 0.0, 1e9, "keep ratings >= this");
    require_categories_ = s.get_bool("require_categories", !movies_.empty(),
                                     "every item must have a genre in items_path");
  }

  Interactions read() override {
    InteractionsBuilder builder;
    if (!movies_.empty()) {
      TextFile file(movies_);
      std::string line;
      while (file.next_line(line)) {
        if (line.empty()) continue;
        const auto fields = split_fields(line, "::");
        if (fields.size() != 3) {
          file.fail("expected MovieID::Title::Genres (3 fields), found " +
                    std::to_string(fields.size()));
        }
        builder.set_categories(file.parse_int(fields[0], "a movie id"),
                               split_categories(std::string(fields[2]), "|"), &file);
      }
    }
    TextFile file(ratings_);
    std::string line;
    while (file.next_line(line)) {
      if (line.empty()) continue;
      const auto fields = split_fields(line, "::");
      if (fields.size() != 4) {
        file.fail("expected UserID::MovieID::Rating::Timestamp (4 fields), found " +
                  std::to_string(fields.size()));
      }
      const int64_t user = file.parse_int(fields[0], "a user id");
      const int64_t item = file.parse_int(fields[1], "a movie id");
      const double rating = file.parse_double(fields[2], "a rating");
      const int64_t time = file.parse_timestamp(fields[3]);
      if (rating >= min_rating_) builder.add(user, item, time, file);
    }
    return builder.build(ratings_, require_categories_ && builder.has_categories());
  }

  std::vector<std::string> files() const override {
    return movies_.empty() ? std::vector<std::string>{ratings_}
                           : std::vector<std::string>{ratings_, movies_};
  }

 private:
  std::string ratings_, movies_;
  double min_rating_ = 0.0;
  bool require_categories_ = false;
};

std::unique_ptr<DatasetReader> make_movielens(ConfigSection s) {
  return std::make_unique<MovieLensReader>(s);
}

}  // namespace

SHIFTREC_REGISTER_READER("movielens", "MovieLens ratings.dat (+ movies.dat genres)",
                         make_movielens);

}  // namespace shiftrec
