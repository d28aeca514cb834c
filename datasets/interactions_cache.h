// Binary cache of loaded (and filtered) interaction stores, in HDF5: columnar, chunked,
// Fletcher-32 checksummed, and readable with h5py for users' own tools. Not compressed:
// with deflate (and shuffle) a cache hit was only 5.6x faster than parsing ml-1m-pos4,
// without them 18x (bench/README.md).
//
// A cache file is named by a key computed from the source files' contents and every loading
// option, so a changed byte or option never hits a stale entry. Files are written to a
// temporary name and renamed; a cache file that fails to read (checksum, truncation) is
// ignored and rebuilt.
//
// Layout of <dir>/<key>.h5: datasets user, item (int32), given_split (int8), time, user_offsets,
// category_offsets (int64), category_ids (int32), category_names (UTF-8 strings);
// user_original_ids, item_original_ids (int64) with user_original_ids_text,
// item_original_ids_text (UTF-8 strings; exactly one of each pair is non-empty); root
// attributes n_users, n_items,
// n_categories, format_version, key (string).
#pragma once

#include <optional>
#include <string>

#include "datasets/interactions.h"

namespace shiftrec {

// `$SHIFTREC_CACHE`, else `$XDG_CACHE_HOME/shiftrec`, else `$HOME/.cache/shiftrec`.
std::string default_cache_dir();

// The cached store for `key`, or nothing when absent or unreadable.
std::optional<Interactions> load_cached(const std::string& dir, const std::string& key);

// Stores `data` under `key` (creating `dir`); throws UserError when the folder is not
// writable.
void store_cached(const std::string& dir, const std::string& key, const Interactions& data);

}  // namespace shiftrec
