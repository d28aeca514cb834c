// A run's frozen sampled negatives, stored as negatives.h5 next to its results so that
// `shiftrec eval --run` and every comparison rank against exactly the candidates the run
// was scored on, whatever later versions of the sampler do.
//
// Layout: one int32 column per split ("/valid", "/test"), [targets * per_target] item ids
// (dense ids, row t = target t's negatives), the protocol name as a uint8 column
// "/protocol", and root attributes format_version and per_target.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace shiftrec {

struct FrozenNegatives {
  std::string protocol;  // "uni100", "pop100", ...
  int64_t per_target = 0;
  std::map<std::string, std::vector<int32_t>> by_split;  // "valid" / "test" -> [T * per_target]
};

// Written to a temporary file and renamed. Throws UserError naming the path.
void write_negatives(const std::string& path, const FrozenNegatives& negatives);
// Throws UserError naming the path when it is missing, unreadable or inconsistent.
FrozenNegatives read_negatives(const std::string& path);

}  // namespace shiftrec
