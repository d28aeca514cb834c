#!/usr/bin/env bash
# Installs the Debian 12 packages shiftrec needs to build, test and benchmark.
# Safe to run twice: apt-get skips what is already installed, and the package list is
# refreshed only when it is older than a day or the install fails.
set -euo pipefail

# chromium: the report test opens pages in it, headless. Not here: libspdlog-dev (core/log is
# small and owns behaviour spdlog has not: the run's log.txt at info level whatever the console
# level, progress lines kept out of it, one warning when it cannot be written), libcurl and
# libarchive (`data fetch` runs once per dataset: the curl and unzip commands do the job, and
# md5sum is coreutils').
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp libgloo-dev
  libboost-graph-dev libhdf5-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev
  zlib1g-dev python3-h5py python3-numpy curl unzip procps
  chromium
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
  "${sudo_cmd[@]}" apt-get update -q
fi
if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
