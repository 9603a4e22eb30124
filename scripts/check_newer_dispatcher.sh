#!/usr/bin/env bash
# Checks vplrs under a newer Intel dispatcher (API 2.10+, which asks runtimes for the
# MFX_IMPLCAPS_SURFACE_TYPES report and filters on it). Not part of CI, which keeps Debian's 2.8
# dispatcher. Build Intel's libvpl yourselves (never commit it), e.g.
#   git clone https://github.com/intel/libvpl /tmp/libvpl
#   cmake -S /tmp/libvpl -B /tmp/libvpl/build -DBUILD_EXAMPLES=OFF -DBUILD_TESTS=OFF -DBUILD_TOOLS=OFF
#   cmake --build /tmp/libvpl/build -j2
# then: scripts/check_newer_dispatcher.sh /tmp/libvpl   (after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(cd "${1:?usage: check_newer_dispatcher.sh LIBVPL_SOURCE_DIR (built in LIBVPL_SOURCE_DIR/build)}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O1 -I "$src/api" -o "$work/newer_dispatcher" crates/vplrs-capi/tests/c/newer_dispatcher.c \
  -L "$src/build" -lvpl -Wl,-rpath,"$src/build"
ONEVPL_SEARCH_PATH=$PWD/${CARGO_TARGET_DIR:-target}/release "$work/newer_dispatcher"
