#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, formatting, lints, release build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
  bash scripts/setup.sh
fi

cargo fmt --all --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo build --release --workspace
# The sharing tests run on PoCL and lavapipe (scripts/setup.sh installs them): no skipping here.
VPLRS_REQUIRE_OPENCL=1 VPLRS_REQUIRE_VULKAN=1 cargo test --release --workspace --no-fail-fast

# Without the ffmpeg feature: VP8, VPP and the memory model build, pass and link no FFmpeg.
cargo clippy --release -p vplrs --no-default-features --all-targets -- -D warnings
if cargo tree -p vplrs --no-default-features -e normal | grep -i ffmpeg; then
  echo "vplrs without the ffmpeg feature still depends on FFmpeg" >&2
  exit 1
fi
cargo test --release -p vplrs -p vplrs-decode --no-default-features

# The documentation of the whole workspace builds (the Rust API is the facade crate `vplrs`).
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
