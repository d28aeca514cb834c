// `shiftrec data stats`: what a dataset looks like after loading, filtering and splitting.
//
// Users, items, interactions, density, sequence-length quantiles, categories per item, time
// span, and the share of test targets in each interest-shift label for window `window`.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"

namespace shiftrec {

// Reads [data] and [split] of `config` (other sections are ignored). Returns the report text.
std::string dataset_stats(Config& config, int64_t window);

}  // namespace shiftrec
