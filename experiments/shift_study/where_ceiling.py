#!/usr/bin/python3
"""Where does an interest go, given that it moves: what counting can know, on the planted data.

Ranks every test SHIFT target (last item of each user; none of its category among the
history's categories, no repeat) among the items outside the history's categories, by

    P(category | the categories of the history's last WINDOW items) x P(item | category)

with P(item | category) counted from the training prefixes (all but each user's last two
items) and the category graph either
  - counted: each training shift split evenly among its recent categories (the shift head's
    `shift_graph`, graph/category_shifts.h, graph_iterations = 0),
  - EM: the split re-estimated by expectation-maximisation (graph_iterations = N),
  - true: the generator's own shift graph (shift_graph.csv), followed with probability
    graph_follow, else uniform.
It prints each one's cond_Recall@10 (the evaluator's SHIFT cond_recall@10), against the
Bayes-optimal oracle's 0.2802 (bench/shift_oracle), which also infers the active interests.

  build/shiftrec data generate --config experiments/configs/quickstart.toml --out /tmp/syn
  /usr/bin/python3 experiments/shift_study/where_ceiling.py /tmp/syn

Needs numpy (Debian's python3-numpy; setup.sh installs it).
"""
import csv
import collections
import sys

import numpy as np

WINDOW = 5           # the shift head's shift_graph_window
SMOOTHING = 0.01     # graph/category_shifts.h
GRAPH_FOLLOW = 0.9   # the quickstart's data.synthetic.graph_follow
SHIFT_WINDOW = 50    # eval.shift_window


def read(folder):
    category = {int(r["item"]): int(r["category"])
                for r in csv.DictReader(open(folder + "/item_categories.csv"))}
    sequences = collections.defaultdict(list)
    for r in csv.DictReader(open(folder + "/interactions.csv")):
        sequences[int(r["user"])].append((int(r["timestamp"]), int(r["item"])))
    sequences = {u: [i for _, i in sorted(s)] for u, s in sequences.items()}
    n_categories = max(category.values()) + 1
    graph = np.zeros((n_categories, n_categories))
    for r in csv.DictReader(open(folder + "/shift_graph.csv")):
        graph[int(r["from"]), int(r["to"])] = float(r["weight"])
    graph /= graph.sum(1, keepdims=True)
    return category, sequences, GRAPH_FOLLOW * graph + (1 - GRAPH_FOLLOW) / n_categories


def training_shifts(category, sequences):
    """(recent categories, new category) of every training shift."""
    shifts = []
    for items in sequences.values():
        train = items[:-2]
        for t in range(1, len(train)):
            if category[train[t]] in {category[i] for i in train[:t]}:
                continue
            shifts.append((sorted({category[i] for i in train[max(0, t - WINDOW):t]}),
                           category[train[t]]))
    return shifts


def counted_graph(shifts, n_categories, iterations):
    probability = None
    for _ in range(iterations + 1):
        counts = np.zeros((n_categories, n_categories))
        for recent, new in shifts:
            weights = (np.ones(len(recent)) if probability is None
                       else np.array([probability[c, new] for c in recent]))
            for c, w in zip(recent, weights / weights.sum()):
                counts[c, new] += w
        counts += SMOOTHING
        probability = counts / counts.sum(1, keepdims=True)
    return probability


def cond_recall_at_10(category, sequences, graph, item_given_category):
    n_items = len(item_given_category)
    item_category = np.array([category[i] for i in range(n_items)])
    hits = targets = 0
    for items in sequences.values():
        history, target = items[:-1], items[-1]
        seen = {category[i] for i in history[-SHIFT_WINDOW:]}
        if category[target] in seen or target in history:
            continue
        targets += 1
        recent = {category[i] for i in history[-WINDOW:]}
        to = sum(graph[c] for c in recent)
        outside = np.array([c not in seen for c in item_category])
        score = np.where(outside, np.log(to[item_category]) + np.log(item_given_category), -np.inf)
        hits += (score > score[target]).sum() < 10  # pessimistic ties, as the evaluator
    return hits / targets, targets


def main():
    category, sequences, true_graph = read(sys.argv[1])
    n_items, n_categories = len(category), true_graph.shape[0]
    popularity = np.full(n_items, 1e-9)
    for items in sequences.values():
        for i in items[:-2]:
            popularity[i] += 1
    per_category = np.bincount([category[i] for i in range(n_items)],
                               weights=popularity, minlength=n_categories)
    item_given_category = popularity / per_category[[category[i] for i in range(n_items)]]
    shifts = training_shifts(category, sequences)
    print(f"{len(shifts)} training shifts, window {WINDOW}")
    for name, graph in [("counted (even split)", counted_graph(shifts, n_categories, 0)),
                        ("EM, 5 iterations", counted_graph(shifts, n_categories, 5)),
                        ("EM, 10 iterations", counted_graph(shifts, n_categories, 10)),
                        ("true shift graph", true_graph)]:
        recall, targets = cond_recall_at_10(category, sequences, graph, item_given_category)
        l1 = np.abs(graph - true_graph).sum(1).mean()
        print(f"{name:22s} cond_Recall@10 {recall:.4f} over {targets} SHIFT targets; "
              f"mean row L1 to the true graph {l1:.3f}")


if __name__ == "__main__":
    main()
