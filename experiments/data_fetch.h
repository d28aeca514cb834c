// `shiftrec data fetch NAME --to DIR`: downloads a public dataset from its official location
// with curl, checks the publisher's recorded checksum, and unpacks it into DIR/NAME.
//
// Built-in catalog (MD5s are the ones GroupLens publishes next to each archive):
//   ml-100k, ml-1m, ml-20m   files.grouplens.org zip archives
//   gowalla                  SNAP loc-gowalla_totalCheckins.txt.gz (SNAP publishes no
//                            checksum: the download is refused unless --accept-unverified,
//                            and its MD5 is printed so it can be recorded)
// A catalog file (TOML, one table per name: url, md5, archive = "zip" | "gz") replaces the
// built-in one — for mirrors, and for tests with file:// URLs.
//
// The archive is downloaded and unpacked under DIR/.NAME.partial and renamed into place only
// when complete, so an interrupted or failed fetch never leaves a half-unpacked DIR/NAME.
#pragma once

#include <string>

namespace shiftrec {

struct FetchOptions {
  std::string catalog_path;  // empty: the built-in catalog
  bool accept_unverified = false;
};

// Returns the folder the dataset was unpacked into. Throws UserError for an unknown name
// (listing the known ones), a failed download, a checksum mismatch or an existing target.
std::string fetch_dataset(const std::string& name, const std::string& to_dir,
                          const FetchOptions& options);

}  // namespace shiftrec
