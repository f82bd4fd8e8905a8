#!/usr/bin/env bash
# Installs what RNRepro needs from Debian when it is missing. `make deps`, `make test`,
# `make reproduce`, .ci/run and the Dockerfile all call this one script.
#
# Always required (checked by package name):
#   libcairo2-dev libpango1.0-dev librsvg2-dev  the report's and `dataset show`'s drawing libraries
#   gnuplot-nox                                 the report's figures
#   fonts-nanum                                 Korean text in the report
#   poppler-utils                               the report's tests (pdftotext, pdffonts, pdfimages)
#   pkg-config                                  how SwiftPM finds the libraries above
# Required as commands (installed only when the command is missing): make, python3, git.
set -euo pipefail

packages=(libcairo2-dev libpango1.0-dev librsvg2-dev gnuplot-nox fonts-nanum poppler-utils pkg-config)
missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
for command in make python3 git; do
    command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: swift is not on PATH; RNRepro needs Swift 6.0 or later (tested with 6.3.1)" >&2
    exit 1
fi
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]}; run 'sudo make deps' or 'sudo apt-get install ${missing[*]}'" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
