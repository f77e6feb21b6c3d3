#!/usr/bin/env bash
# Runs every fuzz target for a bounded time: ./scripts/fuzz.sh [seconds per target, default 180].
# CI runs a short smoke run; run longer locally. Crashes are saved under fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-180}"
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked
# cargo fuzz passes nightly-only flags (sanitizers); the one stable toolchain here accepts them
# when told it is bootstrapping.
export RUSTC_BOOTSTRAP=1
for target in tokenize read_text read_jsonl read_csv score; do
  echo "fuzzing $target for ${seconds}s"
  cargo fuzz run "$target" -- -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 2>&1 | tail -n 3
done
