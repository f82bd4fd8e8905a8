#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (with AddressSanitizer, in .build-fuzz) and runs each
# for SECONDS on its seed corpus, fuzz/corpus/<target>/ (real files: a small data set, a
# checkpoint, the JSON artifacts). Inputs the fuzzer finds go to runs/fuzz/<target>/ (scratch); a
# crash writes its input to runs/fuzz/<target>-crash-* and fails the run. Replay an input in an
# ordinary build with `.build/debug/<target> FILE...`. Usage: fuzz.sh SECONDS TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=$1
shift
build=(swift build --scratch-path .build-fuzz --sanitize fuzzer --sanitize address
       -Xswiftc -DFUZZING -Xswiftc -parse-as-library)
for target in "$@"; do
    "${build[@]}" --product "$target" 2>&1 | grep -v "prohibited flag" | tail -n 1
done
for target in "$@"; do
    mkdir -p "runs/fuzz/$target"
    echo "fuzz: $target for ${seconds} s"
    .build-fuzz/debug/"$target" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="runs/fuzz/$target-" "runs/fuzz/$target" "fuzz/corpus/$target" 2>&1 \
        | grep -E "^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)" || true
    # libFuzzer's status is lost in the pipe above: a crash leaves its input behind.
    if compgen -G "runs/fuzz/$target-crash-*" > /dev/null || compgen -G "runs/fuzz/$target-leak-*" > /dev/null; then
        echo "fuzz: $target crashed; its input is in runs/fuzz/" >&2
        exit 1
    fi
done
echo "fuzz: ${#@} targets, ${seconds} s each, no crash"
