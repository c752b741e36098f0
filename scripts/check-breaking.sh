#!/usr/bin/env bash
# Fails when protos/ breaks compatibility (buf.yaml's `breaking` rules) with a
# baseline commit, so clients written against the previous API keep working.
#
# Baseline: $BREAKING_AGAINST (any git revision) if set; otherwise HEAD when
# protos/ or buf.yaml have uncommitted edits (check what you are about to
# commit), else HEAD~1 (check what the last commit did; this is CI's case).
# Skips, saying why, when the baseline does not exist or has no protos/.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=${BUF:-node_modules/.bin/buf}

pick_baseline() {
  if [ -n "${BREAKING_AGAINST:-}" ]; then
    echo "$BREAKING_AGAINST"
  elif [ -n "$(git status --porcelain -- protos buf.yaml)" ]; then
    echo HEAD
  else
    echo HEAD~1
  fi
}

skip() {
  echo "buf breaking: SKIPPED: $*"
  exit 0
}

# A shallow clone (as some CI systems make) may lack the baseline: ask the
# origin for one more commit of history before giving up.
deepen_if_shallow() {
  if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
    timeout 60 git fetch -q --deepen=1 2>/dev/null || true
  fi
}

baseline=$(pick_baseline)
git rev-parse --verify -q "$baseline^{commit}" >/dev/null || deepen_if_shallow
if ! git rev-parse --verify -q "$baseline^{commit}" >/dev/null; then
  if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
    skip "'$baseline' is not in this shallow clone; clone with more history (git fetch --deepen=1) to check"
  fi
  skip "no commit '$baseline' to compare with (first commit)"
fi
if ! git cat-file -e "$baseline:protos" 2>/dev/null; then
  skip "'$baseline' has no protos/ (no earlier API to stay compatible with)"
fi

commit=$(git rev-parse "$baseline^{commit}")
echo "buf breaking: protos/ against $baseline ($(git rev-parse --short "$commit"))"
# A full commit id, not a relative ref: buf clones the repository to read it.
"$buf" breaking --against ".git#ref=$commit"
