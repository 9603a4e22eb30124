#!/usr/bin/env bash
# Coverage-guided fuzzing of the C ABI with libFuzzer, on stable Rust.
#
# cargo-fuzz builds the fuzzed crate into its own binary as an rlib with nightly flags; the C ABI
# is a cdylib, and the calls worth fuzzing are C calls. So this builds libvplrs.so with the
# SanitizerCoverage instrumentation cargo-fuzz uses (stable `-C passes=sancov-module`; with
# `--target`, so that build scripts are not instrumented), with
# debug assertions and overflow checks, and links it to the C harness of
# `tests/c/abi_random.c` (compiled with -DABI_FUZZ and clang's -fsanitize=fuzzer,address: libFuzzer
# drives it, AddressSanitizer's allocator finds leaks and frees of the whole process, the Rust
# code's included). A panic at the C boundary aborts (VPLRS_PANIC=abort), and so does any answer
# that is not an mfxStatus the headers define.
#
# Needs clang with libFuzzer's runtime: Debian 12's clang-15 (apt-get install clang-15), or CLANG=...
# Usage: crates/vplrs-capi/fuzz/run.sh [SECONDS] [JOBS]
# New cases that add coverage are merged into corpus/abi, which `cargo test` replays.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-300}
jobs=${2:-1}
root=$(cd ../../.. && pwd)
target=$root/target/fuzz-abi
RUSTFLAGS="-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=4 \
-C llvm-args=-sanitizer-coverage-inline-8bit-counters -C llvm-args=-sanitizer-coverage-pc-table \
-C llvm-args=-sanitizer-coverage-trace-compares -C debug-assertions -C overflow-checks" \
  cargo build --release -p vplrs-capi --target-dir "$target" --target x86_64-unknown-linux-gnu
lib=$target/x86_64-unknown-linux-gnu/release
include=$root/crates/vplrs-capi/tests/c
"${CLANG:-clang-15}" -g -O1 -fsanitize=fuzzer,address -DABI_FUZZ -I"$include" "$include/abi_random.c" \
  -L"$lib" -lvplrs -Wl,-rpath,"$lib" -o "$target/abi_fuzz"
corpus=$PWD/corpus/abi
suppressions=$PWD/lsan.supp
mkdir -p "$corpus" "$target/new"
# libFuzzer writes its logs (fuzz-N.log) and findings (crash-*, leak-*, timeout-*) here.
cd "$target"
VPLRS_PANIC=abort ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions=$suppressions "$target/abi_fuzz" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=16384 -jobs="$jobs" \
  -workers="$jobs" "$target/new" "$corpus"
# Keep only the cases that add coverage.
VPLRS_PANIC=abort ASAN_OPTIONS=detect_leaks=0 "$target/abi_fuzz" -merge=1 "$corpus" "$target/new"
rm -rf "$target/new"
