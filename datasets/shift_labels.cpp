#include "datasets/shift_labels.h"

#include <algorithm>

#include "core/error.h"

namespace shiftrec {

const char* shift_label_name(ShiftLabel label) {
  switch (label) {
    case ShiftLabel::kRepeatItem:
      return "REPEAT-ITEM";
    case ShiftLabel::kInWindow:
      return "IN-WINDOW";
    case ShiftLabel::kRevisit:
      return "REVISIT";
    case ShiftLabel::kNovel:
      return "NOVEL";
    default:
      return "UNLABELLED";
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

std::vector<std::string> label_coverage_warnings(const Interactions& data,
                                                 const std::vector<ShiftLabel>& labels,
                                                 double common_share) {
  std::vector<std::string> warnings;
  std::vector<int64_t> carried(data.n_categories, 0);
  for (int32_t c : data.category_ids) ++carried[c];
  const std::vector<bool> ignored = common_categories(data, common_share);
  char share[32];
  for (int64_t c = 0; c < data.n_categories; ++c) {
    if (!ignored[c]) continue;
    std::snprintf(share, sizeof share, "%.1f%%",
                  100.0 * static_cast<double>(carried[c]) / static_cast<double>(data.n_items));
    const std::string name =
        data.category_names.empty() ? std::to_string(c) : "\"" + data.category_name(c) + "\"";
    warnings.push_back("category " + name + " is on " + share +
                       " of items and is ignored for shift labels (eval.common_category_share = " +
                       std::to_string(common_share).substr(0, 4) + ")");
  }
  int64_t unlabelled = 0, shifts = 0;
  for (ShiftLabel label : labels) {
    unlabelled += label == ShiftLabel::kUnlabelled ? 1 : 0;
    shifts += is_shift(label) ? 1 : 0;
  }
  if (!labels.empty() && 2 * unlabelled > static_cast<int64_t>(labels.size())) {
    std::snprintf(share, sizeof share, "%.1f%%",
                  100.0 * static_cast<double>(unlabelled) / static_cast<double>(labels.size()));
    warnings.push_back(std::string(share) + " of the " + std::to_string(labels.size()) +
                       " targets are UNLABELLED (no category left after the common-category "
                       "rule): per-label and shift-detection numbers rest on the other " +
                       std::to_string(labels.size() - unlabelled));
  }
  const int64_t labelled = static_cast<int64_t>(labels.size()) - unlabelled;
  if (few_shift_targets(shifts, labelled)) {
    std::snprintf(share, sizeof share, "%.1f%%",
                  100.0 * static_cast<double>(shifts) / static_cast<double>(labelled));
    warnings.push_back("only " + std::to_string(shifts) + " of the " + std::to_string(labelled) +
                       " labelled targets (" + share +
                       ") are SHIFT: SHIFT metrics and shift detection rest on them (items with "
                       "many categories, or a long eval.shift_window, leave few targets outside "
                       "the window's categories)");
  }
  return warnings;
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

SequenceLabeller::SequenceLabeller(const Interactions& data, int64_t window, double common_share)
    : data_(data),
      window_(window),
      ignored_(common_categories(data, common_share)),
      last_item_(data.n_items, -1),
      last_category_(data.n_categories, -1) {
  if (!data.has_categories()) {
    throw UserError("shift labels need item categories, and this dataset has none");
  }
  SHIFTREC_ASSERT(window > 0, "window must be positive");
}

const std::vector<ShiftLabel>& SequenceLabeller::label(int32_t user) {
  const int64_t begin = data_.user_offsets[user], length = data_.sequence_length(user);
  labels_.assign(length, ShiftLabel::kUnlabelled);
  for (int64_t p = 0; p < length; ++p) {
    const int32_t item = data_.item[begin + p];
    bool any_category = false, in_window = false, seen_before = false;
    for (int64_t k = data_.category_offsets[item]; k < data_.category_offsets[item + 1]; ++k) {
      const int32_t c = data_.category_ids[k];
      if (ignored_[c]) continue;
      any_category = true;
      seen_before |= last_category_[c] >= 0;
      in_window |= last_category_[c] >= 0 && last_category_[c] >= p - window_;
    }
    if (last_item_[item] >= 0) {
      labels_[p] = ShiftLabel::kRepeatItem;
    } else if (!any_category) {
      labels_[p] = ShiftLabel::kUnlabelled;
    } else if (in_window) {
      labels_[p] = ShiftLabel::kInWindow;
    } else {
      labels_[p] = seen_before ? ShiftLabel::kRevisit : ShiftLabel::kNovel;
    }
    last_item_[item] = p;
    for (int64_t k = data_.category_offsets[item]; k < data_.category_offsets[item + 1]; ++k) {
      last_category_[data_.category_ids[k]] = p;
    }
  }
  for (int64_t p = 0; p < length; ++p) {  // reset only what this user touched
    const int32_t item = data_.item[begin + p];
    last_item_[item] = -1;
    for (int64_t k = data_.category_offsets[item]; k < data_.category_offsets[item + 1]; ++k) {
      last_category_[data_.category_ids[k]] = -1;
    }
  }
  return labels_;
}

std::vector<ShiftLabel> label_targets(const Interactions& data, const EvalTargets& targets,
                                      int64_t window, double common_share) {
  SequenceLabeller labeller(data, window, common_share);
  std::vector<ShiftLabel> labels(targets.size());
  for (int64_t t = 0; t < targets.size();) {
    const int32_t user = targets.user[t];
    const std::vector<ShiftLabel>& sequence = labeller.label(user);
    for (; t < targets.size() && targets.user[t] == user; ++t)
      labels[t] = sequence[targets.position[t]];
  }
  return labels;
}

}  // namespace shiftrec
