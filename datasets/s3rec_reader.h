// Reader for the S3-Rec sequence format (Beauty.txt, Yelp.txt, LastFM.txt):
//   one line per user: "user item item ...", items in time order, ids are integers.
// There are no timestamps: an interaction's time is its position in the user's line.
// Optional `<name>_item2attributes.json` ({"item": [attr, ...]}) gives category sets.
// Original ids are kept; dense ids follow first appearance.
// Registered as data source "s3rec" (options: path, attributes_path, require_categories).
#pragma once

#include <string>

#include "datasets/interactions.h"

namespace shiftrec {

// Throws UserError naming the file and line (or JSON byte offset) for a missing or empty
// file, a non-numeric id, a user line without items, invalid JSON, or — when
// `attributes_path` is given and `require_categories` — an item without attributes.
Interactions read_s3rec_sequences(const std::string& path, const std::string& attributes_path = "",
                                  bool require_categories = true);

}  // namespace shiftrec
