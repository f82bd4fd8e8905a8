#!/usr/bin/env bash
# `make campaign-save`: stops the paper campaign (every run in flight checkpoints first), then
# commits results/paper and nothing else, with a message naming the runs in flight and their
# epochs. Other staged or unstaged changes stay as they are. Usage: campaign-save.sh RNREPRO
set -euo pipefail
cd "$(dirname "$0")/.."
rnrepro=${1:-.build/release/rnrepro}
results=results/paper

if [[ -x "$rnrepro" ]]; then
    "$rnrepro" campaign stop
fi
if [[ ! -d "$results" ]]; then
    echo "campaign-save: nothing to save ($results does not exist)"
    exit 0
fi
git add --all -- "$results"
if git diff --cached --quiet -- "$results"; then
    echo "campaign-save: nothing new in $results"
    exit 0
fi
summary="the paper campaign's progress"
if [[ -x "$rnrepro" ]]; then
    summary=$("$rnrepro" campaign status --summary) || summary="the paper campaign's progress"
fi
# A pathspec commits those paths only, whatever else is staged.
git commit --quiet -m "results/paper: $summary" -- "$results"
echo "campaign-save: committed $(git rev-parse --short HEAD): results/paper: $summary"
