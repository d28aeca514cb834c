#include "datasets/shift_labels.h"

#include <algorithm>

#include "core/error.h"

namespace shiftrec {

const char* shift_label_name(ShiftLabel label) {
  switch (label) {
    case ShiftLabel::kRepeatItem: return "REPEAT-ITEM";
    case ShiftLabel::kInWindow: return "IN-WINDOW";
    case ShiftLabel::kRevisit: return "REVISIT";
    case ShiftLabel::kNovel: return "NOVEL";
    default: return "UNLABELLED";
  }
}

bool is_shift(ShiftLabel label) {
  return label == ShiftLabel::kRevisit || label == ShiftLabel::kNovel;
}

std::vector<bool> common_categories(const Interactions& data, double common_share) {
  std::vector<int64_t> carried(data.n_categories, 0);
  for (int32_t c : data.category_ids) ++carried[c];
  std::vector<bool> ignored(data.n_categories);
  for (int64_t c = 0; c < data.n_categories; ++c) {
    ignored[c] = static_cast<double>(carried[c]) > common_share * static_cast<double>(data.n_items);
  }
  return ignored;
}

bool shares_category(const Interactions& data, const std::vector<bool>& ignored, int32_t target,
                     const int32_t* top, int64_t k) {
  for (int64_t a = data.category_offsets[target]; a < data.category_offsets[target + 1]; ++a) {
    const int32_t c = data.category_ids[a];
    if (ignored[c]) continue;
    for (int64_t j = 0; j < k; ++j) {
      for (int64_t b = data.category_offsets[top[j]]; b < data.category_offsets[top[j] + 1]; ++b) {
        if (data.category_ids[b] == c) return true;
      }
    }
  }
  return false;
}

std::vector<ShiftLabel> label_targets(const Interactions& data, const EvalTargets& targets,
                                      int64_t window, double common_share) {
  if (!data.has_categories()) {
    throw UserError("shift labels need item categories, and this dataset has none");
  }
  SHIFTREC_ASSERT(window > 0, "window must be positive");
  const std::vector<bool> ignored = common_categories(data, common_share);
  std::vector<ShiftLabel> labels(targets.size());
  for (int64_t t = 0; t < targets.size(); ++t) {
    const int64_t begin = data.user_offsets[targets.user[t]];
    const int64_t p = targets.position[t];
    const int32_t item = data.item[begin + p];
    std::vector<int32_t> categories;
    for (int64_t k = data.category_offsets[item]; k < data.category_offsets[item + 1]; ++k) {
      if (!ignored[data.category_ids[k]]) categories.push_back(data.category_ids[k]);
    }
    bool repeat = false;
    bool in_window = false, seen_before = false;
    for (int64_t q = 0; q < p; ++q) {
      const int32_t earlier = data.item[begin + q];
      repeat |= earlier == item;
      for (int64_t k = data.category_offsets[earlier]; k < data.category_offsets[earlier + 1]; ++k) {
        const int32_t c = data.category_ids[k];
        if (std::find(categories.begin(), categories.end(), c) == categories.end()) continue;
        seen_before = true;
        in_window |= q >= p - window;
      }
    }
    if (repeat) {
      labels[t] = ShiftLabel::kRepeatItem;
    } else if (categories.empty()) {
      labels[t] = ShiftLabel::kUnlabelled;
    } else if (in_window) {
      labels[t] = ShiftLabel::kInWindow;
    } else {
      labels[t] = seen_before ? ShiftLabel::kRevisit : ShiftLabel::kNovel;
    }
  }
  return labels;
}

}  // namespace shiftrec
