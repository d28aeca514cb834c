// Reader for the S3-Rec sequence format (Beauty.txt, Yelp.txt, LastFM.txt):
//   one line per user: "user item item ...", items in time order, ids are integers.
// There are no timestamps: an interaction's time is its position in the user's line.
// Original ids are kept; dense ids follow first appearance.
#pragma once

#include <string>

#include "datasets/interactions.h"

namespace shiftrec {

// Throws UserError naming the file and line for a missing file, an empty file, a
// non-numeric id or a user line without items.
Interactions read_s3rec_sequences(const std::string& path);

}  // namespace shiftrec
