#!/usr/bin/env bash
# The Python side of the tests: numpy and a CPU build of PyTorch, for the independent checks
# (tools/verify_sort_of_clevr.py needs only Python; tools/torch_check_step.py needs both).
# Installs them with pip when `import numpy, torch` fails. Called by `make test`.
set -euo pipefail

if python3 -c "import numpy, torch" >/dev/null 2>&1; then
    exit 0
fi
echo "install-test-deps: installing numpy and PyTorch (CPU) for the export-step check"
python3 -m pip install --quiet numpy "torch==2.13.0+cpu" 2>/dev/null \
    || python3 -m pip install --quiet numpy torch
python3 -c "import numpy, torch" || {
    echo "install-test-deps: numpy and torch are still not importable by python3" >&2
    exit 1
}
