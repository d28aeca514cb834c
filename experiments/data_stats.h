// `shiftrec data stats`: what a dataset looks like after loading, filtering and splitting.
//
// Users, items, interactions, density, sequence-length quantiles, categories per item, time
// span, the share of test targets in each interest-shift label for window `window`, and
// warnings when the labels are weak (a category the common-category rule ignores, a majority of
// UNLABELLED targets).
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"

namespace shiftrec {

// Reads the whole config as `train` does (unknown keys are the same errors; the labels follow
// eval.shift_window, or `window` when > 0, and eval.common_category_share). Returns the report.
std::string dataset_stats(Config& config, int64_t window);

}  // namespace shiftrec
