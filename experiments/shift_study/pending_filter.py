#!/usr/bin/python3
"""What a detector could reach from gaps and novelty alone, on the planted-shift data.

A two-state filter written with the generator's own laws: is there an active interest the
history has not shown yet ("pending")? A gap turns into the probability of a regime change
(the oracle's exponential-gap law, datasets/synthetic_oracle.cpp), which makes an interest
pending; an item with a new category resolves it; any other item lowers it by Bayes' rule.
The shift score of a target is P(pending) x P(the next item is the pending interest's) +
P(not pending) x P(a noise item from a new category). Scored, like the evaluator, on the last
(test) and second-to-last (valid) item of every user, labels = a category the history never
showed (the quickstart's window covers whole histories).

  build/shiftrec data generate --config experiments/configs/quickstart.toml --out /tmp/syn
  /usr/bin/python3 experiments/shift_study/pending_filter.py /tmp/syn

Needs numpy (Debian's python3-numpy; setup.sh installs it).
"""
import csv
import math
import sys

import numpy as np

SHIFT_RATE, GAP_FACTOR = 0.08, 5.0  # the quickstart's data.synthetic
NEXT_IS_PENDING = 0.475             # (1 - noise) / active interests: 0.95 / 2
NOISE_IS_NEW = 0.04                 # noise 0.05 x the share of categories not yet seen


def roc_auc(scores, labels):
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # ties share their mean rank
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j + 2) / 2
        i = j + 1
    positives = labels.sum()
    negatives = len(labels) - positives
    return (ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def main(directory):
    category = {row["item"]: int(row["category"])
                for row in csv.DictReader(open(directory + "/item_categories.csv"))}
    sequences = {}
    for row in csv.DictReader(open(directory + "/interactions.csv")):
        sequences.setdefault(row["user"], []).append((row["item"], int(row["timestamp"])))
    gaps = [s[t][1] - s[t - 1][1] for s in sequences.values() for t in range(1, len(s))]
    mean_gap = float(np.mean(gaps))

    def change(gap):
        stay = math.log1p(-SHIFT_RATE) - math.log(mean_gap) - gap / mean_gap
        move = (math.log(SHIFT_RATE) - math.log(GAP_FACTOR * mean_gap)
                - gap / (GAP_FACTOR * mean_gap))
        return 1.0 / (1.0 + math.exp(stay - move))

    scored = {"valid": ([], [], []), "test": ([], [], [])}  # filter, last gap, label
    for events in sequences.values():
        seen, pending = set(), 0.0
        for t, (item, time) in enumerate(events):
            c = category[item]
            if t > 0:
                gap = time - events[t - 1][1]
                now = pending + (1 - pending) * change(gap)
                shift = c not in seen
                split = {len(events) - 1: "test", len(events) - 2: "valid"}.get(t)
                if split:
                    scored[split][0].append(now * NEXT_IS_PENDING + (1 - now) * NOISE_IS_NEW)
                    scored[split][1].append(gap)
                    scored[split][2].append(shift)
                if shift:
                    pending = 0.0
                else:
                    a, b = now * (1 - NEXT_IS_PENDING), (1 - now) * (1 - NOISE_IS_NEW)
                    pending = a / (a + b)
            seen.add(c)
    for split, (filtered, gap, label) in scored.items():
        print(f"{split}: {len(label)} targets, {sum(label)} SHIFT; ROC-AUC pending filter "
              f"{roc_auc(filtered, label):.3f}, time since previous {roc_auc(gap, label):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
