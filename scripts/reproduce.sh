#!/usr/bin/env bash
# `make reproduce` and the Docker image's default command: train a profile's plan, check it
# against its golden file, render the report. The report is written even when the check fails
# (it shows the runs as they are); the exit status is then the check's: 1 on drift, 2 when it
# cannot compare. Usage: reproduce.sh RNREPRO [PROFILE [JOBS]]
set -uo pipefail
cd "$(dirname "$0")/.."
rnrepro=${1:-.build/release/rnrepro}
profile=${2:-quick}
jobs=${3:-2}

"$rnrepro" reproduce --profile "$profile" --jobs "$jobs" || exit
"$rnrepro" check --profile "$profile"
status=$?
"$rnrepro" report --profile "$profile" || exit
if (( status != 0 )); then
    echo "reproduce: the drift check did not hold (exit $status); the drift table above says where" >&2
fi
exit "$status"
