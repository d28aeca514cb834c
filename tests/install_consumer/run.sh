#!/usr/bin/env bash
# Installs the built tree into a temporary prefix, builds tests/install_consumer against it
# with find_package(shiftrec), runs the consumer and checks what it prints.
#   run.sh BUILD_DIR
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
test -x "$work/prefix/bin/shiftrec"
test -f "$work/prefix/include/shiftrec/datasets/reader.h"
test ! -e "$work/prefix/include/shiftrec/experiments/cli"
cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
out=$("$work/build/consumer")
echo "$out"
expected=$'users 40 test_targets 40\nndcg_rank1 1\ncsv_reader yes'
if [ "$out" != "$expected" ]; then
  echo "install consumer: expected"; echo "$expected"; exit 1
fi
# The consumer links the installed library, not the build tree's. (ldd's output is taken whole
# first: `ldd | grep -q` under pipefail fails when grep stops reading early.)
libraries=$(ldd "$work/build/consumer")
case "$libraries" in
  *"$work/prefix/lib/libshiftrec.so."*) ;;
  *) echo "consumer does not link the installed libshiftrec.so:"; echo "$libraries"; exit 1 ;;
esac
echo "install consumer: ok"
