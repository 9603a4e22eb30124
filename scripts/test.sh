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
cargo test --release --workspace --no-fail-fast
