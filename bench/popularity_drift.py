#!/usr/bin/python3
"""Does the item popularity drift between the periods of bench/update_vs_retrain.py?

Two thirds of the retrain's NDCG@10 gain over the stale model lay on users with no
interaction in B (bench/README, issue 16), which suggests the retrain learns which items are
wanted *now*. If so, a popularity count over B should rank C's questions better than one over
A. This ranks the same questions as update_vs_retrain.py (its own functions: the same cuts,
histories and targets, history items excluded) by popularity counted over several windows
and reports NDCG@10 for each, with the paired 95% interval of each window against all of A.

Usage: bench/popularity_drift.py [--datasets ml-1m-pos4] [--cuts 0.7,0.8 0.8,0.9]
       (data read from $SHIFTREC_DATA, as update_vs_retrain.py reads it)
"""
import argparse
import collections
import importlib.util
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("update_vs_retrain",
                                              os.path.join(HERE, "update_vs_retrain.py"))
uvr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(uvr)


def gains(counts, questions):
    """Per question: 1 / log2(rank + 2) when the target is in the top 10 of the counts, the
    question's history left out of the ranking (recommend --exclude-history), else 0."""
    order = [item for item, _ in counts.most_common()]
    out = []
    for q in questions:
        history = set(q["history"])
        gain, rank = 0.0, 0
        for item in order:
            if item in history:
                continue
            if item == q["target"]:
                gain = 1.0 / math.log2(rank + 2)
                break
            rank += 1
            if rank >= 10:
                break
        out.append(gain)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="ml-1m-pos4")
    parser.add_argument("--cuts", nargs="+", default=["0.7,0.8", "0.8,0.9"])
    args = parser.parse_args()
    for name in args.datasets.split(","):
        rows = sorted(uvr.DATASETS[name](None, None), key=lambda r: r[2])
        times = [r[2] for r in rows]

        def at(share):
            return times[int(share * len(times))]

        for cut in args.cuts:
            first, second = (float(x) for x in cut.split(","))
            t80, t90, t_end = uvr.cut_times(times, first, second)
            questions = uvr.questions_for(rows, t90, True, t_end)

            def counted(low, high):
                return collections.Counter(r[1] for r in rows if low <= r[2] < high)

            windows = [("all of A", counted(times[0], t80)),
                       ("A's last tenth of time", counted(at(first - 0.1), t80)),
                       ("A + B", counted(times[0], t90)),
                       ("B", counted(t80, t90)),
                       ("B's second half", counted(at((first + second) / 2), t90))]
            print(f"\n## {name}, cuts {first} / {second}: {len(questions)} questions")
            base = gains(windows[0][1], questions)
            print(f"popularity over {windows[0][0]:24s} NDCG@10 {sum(base) / len(base):.4f}")
            for label, counts in windows[1:]:
                g = gains(counts, questions)
                mean, low, high = uvr.paired_interval(base, g)
                print(f"popularity over {label:24s} NDCG@10 {sum(g) / len(g):.4f}  "
                      f"- all of A {mean:+.4f} [{low:+.4f}, {high:+.4f}]")


if __name__ == "__main__":
    main()
