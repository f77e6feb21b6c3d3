#!/usr/bin/env bash
# The measure of record: `stance scorecard` on every labelled corpus of ../shared, written to
# docs/scorecard.md (README.md and docs/quality.md quote it). About half an hour on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
mkdir -p docs
{
  echo "# Scorecard"
  echo
  echo "\`scripts/scorecard.sh\` ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with changes'), $(date +%Y-%m-%d)): \`stance scorecard --shared ${SHARED:-../shared}\`."
  target/release/stance scorecard --shared "${SHARED:-../shared}"
} > docs/scorecard.md
cat docs/scorecard.md
