#!/bin/bash
# Fuzzes shiftrec's input parsers with libFuzzer under ASan + UBSan (Debian's clang 14 and its
# libFuzzer runtime; `apt-get install clang` brings both).
#
#   bench/fuzz.sh [SECONDS_PER_TARGET] [OUT_DIR]     (default 120 s, /tmp/shiftrec-fuzz)
#   FUZZ_TARGETS="config reader" bench/fuzz.sh ...    (a subset)
#
# Targets (fuzz/*_target.cpp): config (TOML + --set), reader (every data reader), attributes
# (S3-Rec attribute JSON), cache (the HDF5 data cache reader), run_results (results.json).
# Each starts from fuzz/corpus/<target>/ and runs SECONDS_PER_TARGET with -timeout=1 (an
# input over 1 s is a hang) and leak detection; the total executions and any crash-*,
# timeout-*, leak-* files are reported. Copy a finding into fuzz/corpus/<target>/ once fixed:
# the unit tests replay the corpus (FuzzReplay).
set -euo pipefail
seconds=${1:-120}
out=${2:-/tmp/shiftrec-fuzz}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
# toml++ 3.3's debug assertions are stricter than its own error handling ("[`x]" asserts in
# parse_key, then is reported as a parse error when assertions are off, as in our GCC release
# build): they are off here too, so a finding is ours.
cxx="clang++ -std=c++17 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
  -DSHIFTREC_LIBFUZZER -DTOML_ASSERT(expr)=((void)0) -I$root -I/usr/include/hdf5/serial"
# libhdf5 leaks a few bytes on some damaged files inside its own error paths (not ours to free):
# suppressed by library, so a leak in shiftrec's code still stops the run.
printf 'leak:libhdf5_serial.so\n' > "$out/lsan.supp"
core="$root/core/config.cpp $root/core/checksum.cpp $root/core/text.cpp $root/core/error.cpp $root/core/json_input.cpp
  $root/core/log.cpp $root/core/read_file.cpp $root/fuzz/scratch.cpp"
readers="$root/datasets/reader.cpp $root/datasets/text_file.cpp $root/datasets/interactions.cpp
  $root/datasets/interactions_builder.cpp $root/datasets/csv_reader.cpp
  $root/datasets/lightgcn_reader.cpp $root/datasets/movielens_reader.cpp
  $root/datasets/recbole_reader.cpp $root/datasets/s3rec_reader.cpp $root/datasets/taobao_reader.cpp"
cache="$root/datasets/interactions_cache.cpp $root/core/hdf5_columns.cpp $root/core/hdf5_file.cpp
  $root/core/atomic_file.cpp $root/core/write_fault.cpp $root/datasets/interactions.cpp"
torch="-I/usr/include/torch/csrc/api/include -isystem /usr/include/torch"
build() {  # name, extra flags and sources
  local name=$1; shift
  echo "building $name" >&2
  # shellcheck disable=SC2086
  $cxx -o "$out/$name" "$@" -ltomlplusplus -lz -lhdf5_serial
}
build config $core "$root/fuzz/config_target.cpp"
build reader $core $readers "$root/fuzz/reader_target.cpp"
build attributes -DSHIFTREC_FUZZ_ATTRIBUTES $core $readers "$root/fuzz/reader_target.cpp"
build cache $core $cache "$root/fuzz/cache_target.cpp"
build run_results $torch $core "$root/experiments/run_results.cpp" "$root/core/version.cpp" \
  "$root/core/atomic_file.cpp" "$root/core/write_fault.cpp" "$root/fuzz/run_results_target.cpp" \
  -DSHIFTREC_VERSION=\"fuzz\" -DSHIFTREC_GIT_COMMIT=\"fuzz\" \
  -ltorch_cpu -lc10
targets=${FUZZ_TARGETS:-"config reader attributes cache run_results"}
# All targets at once: the cores stay busy however fast each target is.
for target in $targets; do
  work="$out/$target.corpus"
  mkdir -p "$work"
  cp -n "$root/fuzz/corpus/$target/"* "$work/" 2>/dev/null || true
  # allocator_may_return_null: a huge malloc returns NULL as in production (libhdf5 asks for
  # terabytes on some damaged files, and checks for NULL) instead of ending the run.
  (cd "$out" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
      LSAN_OPTIONS=suppressions="$out/lsan.supp" "./$target" "$work" -max_total_time="$seconds" \
      -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$target-" \
      > "$out/$target.log" 2>&1 || echo "$target: stopped with a finding (see $out/$target.log)") &
done
wait
total=0
for target in $targets; do
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$target.log" | grep -o '[0-9]*$' || echo 0)
  echo "$target: $runs executions"
  total=$((total + ${runs:-0}))
done
echo "total: $total executions"
ls "$out"/*-crash-* "$out"/*-timeout-* "$out"/*-leak-* "$out"/*-oom-* 2>/dev/null || echo "no findings"
