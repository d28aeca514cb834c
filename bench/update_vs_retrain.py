#!/usr/bin/python3
"""shiftrec update against a stale model and a full retrain, on a temporal split.

For each dataset: interactions sorted by time are cut at the 80% and 90% quantiles of time:
A = before t80, B = [t80, t90), C = from t90 on.
  stale     `shiftrec train` on A
  updated   `shiftrec update --run stale --interactions B`
  retrained `shiftrec train` on A + B (same config, from scratch)
All three answer the same questions through `shiftrec recommend` (which agrees with the
evaluator): for every user with an interaction in C and at least two before t90, the history is
every interaction before t90 and the target is the user's first interaction in C
(`--questions first`), or every interaction in C is a question whose history is everything the
user did before it (`--questions all`: ten to fifty times the questions, the usual temporal
protocol; the models still know only what they were trained or updated on). Items a model
does not know are skipped from its histories and count as misses as targets. Reported:
NDCG@10, Recall@10, SHIFT Recall@10 (targets none of whose categories occur in the history's
last 50 items) and each command's wall seconds, all from this one invocation.

Goal (fixed before any tuning, issue 16): the update reaches at least 80% of the retrain's
NDCG@10 gain over the stale model in at most 10% of the retrain's wall time.

With each NDCG@10 difference against the stale model, its 95% interval over questions (paired,
normal approximation).

Choosing an update setting without the test questions: `--cuts 0.7,0.8` moves both cuts one
tenth earlier (A before t70, B in [t70, t80), questions from [t80, t90)), a validation split
that never sees the last tenth; `--variant NAME=KEY=VALUE[;KEY=VALUE...]` adds an update run
with its own `--set` options or update flags (e.g. `--variant lr3e-4=train.learning_rate=3e-4`,
`--variant r1e5=--replay=1;--epochs=5`, `--variant new=--new-targets-only`), reported
beside the default; `--no-retrain` leaves the retrain out (selection needs only stale and
updates); `--keep-trained` reuses the stale runs an earlier invocation trained. Choose on the
validation cuts, then run the default cuts once, from scratch, with the choice.

Usage: bench/update_vs_retrain.py BUILD/shiftrec WORKDIR [--epochs 2] [--seeds 1,2]
       [--datasets ml-1m-pos4,ml-100k] [--questions first|all] [--cuts 0.8,0.9]
       [--variant NAME=SETTINGS]... [--no-retrain] [--keep-trained]
       [--patience 3] [--max-epochs 40]   (read from $SHIFTREC_DATA)
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time

MODEL = """
[model]
name = "sasrec"
d = 64
blocks = 2
heads = 1
dropout = 0.2
max_length = 50

[loss]
name = "ce"

[train]
epochs = {max_epochs}
batch_size = 128
learning_rate = 0.001
patience = {patience}
early_stop_metric = "ndcg@10"

[eval]
metrics = ["recall", "ndcg"]
ks = [10]
"""


def config_text(path, seed, patience=3, max_epochs=40):
    return (f'seed = {seed}\ndevice = "cpu"\n\n[data]\nsource = "csv"\npath = "{path}"\n'
            'user_column = "user"\nitem_column = "item"\ntime_column = "time"\n'
            'category_column = "category"\ncategory_separator = "|"\ncache = false\n' +
            MODEL.format(patience=patience, max_epochs=max_epochs))


def synthetic_rows(binary, work):
    out = os.path.join(work, "synthetic-generated")
    if not os.path.exists(out):
        subprocess.run([binary, "data", "generate", "--config",
                        os.path.join(os.path.dirname(__file__), "..", "experiments", "configs",
                                     "quickstart.toml"), "--out", out, "--set", "log_level=warn"],
                       check=True)
    categories = {}
    with open(os.path.join(out, "item_categories.csv")) as f:
        for row in csv.DictReader(f):
            categories.setdefault(row["item"], []).append(row["category"])
    with open(os.path.join(out, "interactions.csv")) as f:
        return [(r["user"], r["item"], int(r["timestamp"]), "|".join(categories[r["item"]]))
                for r in csv.DictReader(f)]


def ml100k_rows(_binary, _work):
    root = os.path.join(os.environ["SHIFTREC_DATA"], "ml-100k")
    genres = {}
    with open(os.path.join(root, "ml-100k.item"), encoding="latin-1") as f:
        next(f)
        for line in f:
            fields = line.rstrip("\n").split("\t")
            genres[fields[0]] = "|".join(fields[3].split())
    with open(os.path.join(root, "ml-100k.inter")) as f:
        next(f)
        rows = []
        for line in f:
            user, item, _rating, stamp = line.rstrip("\n").split("\t")
            rows.append((user, item, int(float(stamp)), genres.get(item, "")))
        return rows


def ml1m_rows(_binary, _work):
    import gzip
    root = os.path.join(os.environ["SHIFTREC_DATA"], "ml-1m-pos4")
    genres = {}
    with open(os.path.join(root, "movies.dat"), encoding="latin-1") as f:
        for line in f:
            fields = line.rstrip("\n").split("::")
            genres[fields[0]] = fields[2]
    with gzip.open(os.path.join(root, "ratings_pos4.derived.dat.gz"), "rt") as f:
        rows = []
        for line in f:
            user, item, _rating, stamp = line.rstrip("\n").split("::")
            rows.append((user, item, int(stamp), genres.get(item, "")))
        return rows


DATASETS = {"synthetic": synthetic_rows, "ml-100k": ml100k_rows, "ml-1m-pos4": ml1m_rows}


def write_rows(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user", "item", "time", "category"])
        w.writerows(rows)


def timed(command):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def score(binary, run, questions, work, name):
    requests = os.path.join(work, f"{name}-questions.jsonl")
    answers = os.path.join(work, f"{name}-answers.jsonl")
    with open(requests, "w") as f:
        for q in questions:
            f.write(json.dumps({"history": q["history"]}) + "\n")
    timed([binary, "recommend", "--run", run, "--input", requests, "--out", answers, "--k", "10",
           "--exclude-history", "--skip-unknown"])
    ndcg = recall = shift_hits = shifts = 0.0
    per_question = []
    with open(answers) as f:
        for q, line in zip(questions, f):
            items = [a["item"] for a in json.loads(line)["items"]]
            rank = items.index(q["target"]) if q["target"] in items else None
            gain = 0.0 if rank is None else 1.0 / math.log2(rank + 2)
            per_question.append(gain)
            if rank is not None:
                ndcg += gain
                recall += 1.0
            if q["shift"]:
                shifts += 1
                shift_hits += rank is not None
    n = len(questions)
    return {"ndcg@10": ndcg / n, "recall@10": recall / n,
            "SHIFT:recall@10": shift_hits / max(shifts, 1), "shift_targets": int(shifts),
            "per_question": per_question}


def paired_interval(a, b):
    """Mean of b - a over questions and its 95% interval (normal approximation)."""
    d = [y - x for x, y in zip(a, b)]
    n = len(d)
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / max(n - 1, 1))
    half = 1.96 * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def cut_times(times, first, second):
    """The times at the quantiles `first` and `second` of the sorted `times`, and where the
    questions end: where the next period as long would start (None: the end of the data, for
    the default cuts; t90 for the validation cuts 0.7,0.8)."""
    def at(share):
        return times[int(share * len(times))]
    end_share = second + (second - first)
    return at(first), at(second), (at(end_share) if end_share < 1.0 - 1e-9 else None)


def questions_for(rows, t90, every, t_end=None):
    by_user = {}
    for user, item, t, cats in sorted(rows, key=lambda r: r[2]):
        by_user.setdefault(user, []).append((item, t, cats))
    questions = []
    for user, events in by_user.items():
        before = [e for e in events if e[1] < t90]
        after = [e for e in events if e[1] >= t90 and (t_end is None or e[1] < t_end)]
        if len(before) < 2 or not after:
            continue
        for j, target in enumerate(after if every else after[:1]):
            history = before + after[:j]
            window = set()
            for e in history[-50:]:
                window.update(c for c in e[2].split("|") if c)
            target_cats = {c for c in target[2].split("|") if c}
            questions.append({"history": [e[0] for e in history], "target": target[0],
                              "shift": bool(target_cats) and not (target_cats & window)})
    return questions


def run_dataset(args, name):
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    rows = sorted(DATASETS[name](args.binary, work), key=lambda r: r[2])
    times = [r[2] for r in rows]
    first, second = args.cuts
    t80, t90, t_end = cut_times(times, first, second)
    part_a = [r for r in rows if r[2] < t80]
    part_b = [r for r in rows if t80 <= r[2] < t90]
    write_rows(os.path.join(work, "A.csv"), part_a)
    write_rows(os.path.join(work, "B.csv"), part_b)
    write_rows(os.path.join(work, "AB.csv"), part_a + part_b)
    questions = questions_for(rows, t90, args.questions == "all", t_end)
    new_items = len({r[1] for r in part_b} - {r[1] for r in part_a})
    new_users = len({r[0] for r in part_b} - {r[0] for r in part_a})
    print(f"\n## {name}, cuts {first} / {second}: A {len(part_a)}, B {len(part_b)} interactions ({new_users} new users, "
          f"{new_items} new items in B); {len(questions)} test questions")
    table = []
    for seed in args.seeds:
        runs = {}
        trained = (("stale", "A.csv"),) if args.no_retrain else (("stale", "A.csv"),
                                                                 ("retrained", "AB.csv"))
        for label, data in trained:
            cfg = os.path.join(work, f"{label}-{seed}.toml")
            with open(cfg, "w") as f:
                f.write(config_text(os.path.join(work, data), seed, args.patience,
                                    args.max_epochs))
            out = os.path.join(work, f"{label}-{seed}")
            done = os.path.join(out, "results.json")
            if args.keep_trained and os.path.exists(done):  # another invocation's run and time
                with open(done) as f:
                    runs[label] = (out, json.load(f)["timings"]["total_seconds"])
                continue
            subprocess.run(["rm", "-rf", out])
            runs[label] = (out, timed([args.binary, "train", "--config", cfg, "--out", out]))
        out = os.path.join(work, f"updated-{seed}")
        subprocess.run(["rm", "-rf", out])
        runs["updated"] = (out, timed([args.binary, "update", "--run", runs["stale"][0],
                                       "--interactions", os.path.join(work, "B.csv"),
                                       "--out", out, "--epochs", str(args.epochs)] +
                                      [a for kv in args.set for a in ("--set", kv)]))
        for variant, settings in args.variant:
            out = os.path.join(work, f"updated-{variant}-{seed}")
            subprocess.run(["rm", "-rf", out])
            options = {"--epochs": str(args.epochs)}
            for kv in settings:  # --epochs=5, --replay=0.5, or a --set KEY=VALUE
                if kv.startswith("--"):
                    flag, _, value = kv.partition("=")
                    options[flag] = value
            flags = [a for flag, value in options.items() for a in (flag, value) if a]
            sets = [kv for kv in args.set + settings if not kv.startswith("--")]
            runs["updated-" + variant] = (out, timed(
                [args.binary, "update", "--run", runs["stale"][0], "--interactions",
                 os.path.join(work, "B.csv"), "--out", out] + flags +
                [a for kv in sets for a in ("--set", kv)]))
        scores = {label: score(args.binary, run, questions, work, f"{label}-{seed}")
                  for label, (run, _) in runs.items()}
        for label in runs:
            s = scores[label]
            print(f"seed {seed} {label:9s} ndcg@10 {s['ndcg@10']:.4f}  recall@10 "
                  f"{s['recall@10']:.4f}  SHIFT:recall@10 {s['SHIFT:recall@10']:.4f} "
                  f"({s['shift_targets']} targets)  {runs[label][1]:.1f} s")
        for label in [name for name in runs if name != "stale"]:
            mean, low, high = paired_interval(scores["stale"]["per_question"],
                                              scores[label]["per_question"])
            print(f"seed {seed}: {label} - stale NDCG@10 {mean:+.4f} [{low:+.4f}, {high:+.4f}]")
        if args.no_retrain:
            continue
        gain = scores["retrained"]["ndcg@10"] - scores["stale"]["ndcg@10"]
        for label in [name for name in runs if name.startswith("updated")]:
            mean, low, high = paired_interval(scores["retrained"]["per_question"],
                                              scores[label]["per_question"])
            kept = (scores[label]["ndcg@10"] - scores["stale"]["ndcg@10"]) / gain if gain else float("nan")
            ratio = runs[label][1] / runs["retrained"][1]
            print(f"seed {seed}: {label} - retrained NDCG@10 {mean:+.4f} [{low:+.4f}, {high:+.4f}]; "
                  f"keeps {100 * kept:.0f}% of the retrain's gain ({gain:+.4f}) in "
                  f"{100 * ratio:.0f}% of its time")
            if label == "updated":
                table.append((kept, ratio))
    return table


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("work")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--datasets", default="ml-1m-pos4,ml-100k")
    parser.add_argument("--questions", choices=["first", "all"], default="first",
                        help="each user's first interaction in C, or every one")
    parser.add_argument("--set", action="append", default=[],
                        help="passed to shiftrec update, e.g. train.learning_rate=1e-4")
    parser.add_argument("--patience", type=int, default=3,
                        help="the stale and retrained runs' patience (the update keeps its run's)")
    parser.add_argument("--max-epochs", type=int, default=40,
                        help="the stale and retrained runs' epoch cap")
    parser.add_argument("--cuts", default="0.8,0.9",
                        help="the two time quantiles; 0.7,0.8 is the validation split")
    parser.add_argument("--variant", action="append", default=[],
                        help="NAME=KEY=VALUE[;KEY=VALUE...]: another update run, e.g. "
                             "lr3e-4=train.learning_rate=3e-4")
    parser.add_argument("--no-retrain", action="store_true",
                        help="stale and updates only (choosing an update setting)")
    parser.add_argument("--keep-trained", action="store_true",
                        help="reuse complete stale/retrained runs of an earlier invocation "
                             "(choosing among more update settings; their times are not of "
                             "this invocation)")
    args = parser.parse_args()
    args.cuts = [float(c) for c in args.cuts.split(",")]
    if len(args.cuts) != 2 or not 0 < args.cuts[0] < args.cuts[1] < 1:
        sys.exit("--cuts: two increasing quantiles between 0 and 1, e.g. 0.8,0.9")
    variants = []
    for v in args.variant:
        name, _, settings = v.partition("=")
        if not name or not settings:
            sys.exit(f"--variant {v}: expected NAME=KEY=VALUE[;KEY=VALUE...]")
        variants.append((name, settings.split(";")))
    args.variant = variants
    args.binary = os.path.abspath(args.binary)
    args.work = os.path.abspath(args.work)
    args.seeds = [int(s) for s in args.seeds.split(",")]
    for name in args.datasets.split(","):
        run_dataset(args, name)


if __name__ == "__main__":
    main()
