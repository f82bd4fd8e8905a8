#!/usr/bin/env python3
"""numpy's (OpenBLAS's) speed on the GEMM shapes of `rnrepro bench kernels`.

X W^T with X (64 x 625) x 256 and W 256 x 256, float32, W given transposed as a linear layer
holds it; the best of --repeats runs, the three products taking turns as in `bench kernels`.
Prints the whole layer relu(X W^T + b) in numpy, then the three products alone as a last line,
`numpy_gemm_fwd_gflops=... numpy_gemm_dx_gflops=... numpy_gemm_dw_gflops=...`: X W^T, dZ W and
dZ^T X (ours add the bias and ReLU to the first, the mask to the second and the bias gradient
to the third). Set the thread count with OPENBLAS_NUM_THREADS (default: every core).

    OPENBLAS_NUM_THREADS=2 python3 tools/numpy_bench_gemm.py
"""
import argparse
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    rows = args.batch * 625
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (rows, args.hidden)).astype(np.float32)
    w = rng.uniform(-1, 1, (args.hidden, args.hidden)).astype(np.float32)
    b = rng.uniform(-1, 1, args.hidden).astype(np.float32)
    y = np.empty((rows, args.hidden), dtype=np.float32)
    dz = rng.uniform(-1, 1, (rows, args.hidden)).astype(np.float32)
    dx = np.empty((rows, args.hidden), dtype=np.float32)
    dw = np.empty((args.hidden, args.hidden), dtype=np.float32)

    def product():
        np.matmul(x, w.T, out=y)

    def backward_input():
        np.matmul(dz, w, out=dx)

    def backward_weight():
        np.matmul(dz.T, x, out=dw)

    def layer():
        np.matmul(x, w.T, out=y)
        np.add(y, b, out=y)
        np.maximum(y, 0, out=y)

    def best_seconds(*bodies):
        """Best time of each body over --repeats rounds, each round running every body once."""
        for body in bodies:
            body()
        best = [float("inf")] * len(bodies)
        for _ in range(args.repeats):
            for index, body in enumerate(bodies):
                start = time.perf_counter()
                body()
                best[index] = min(best[index], time.perf_counter() - start)
        return best

    flop = 2.0 * rows * args.hidden * args.hidden
    (layer_seconds,) = best_seconds(layer)
    rates = [flop / seconds / 1e9 for seconds in best_seconds(product, backward_input, backward_weight)]
    print(f"numpy {np.__version__}, relu(X W^T + b), X {rows}x{args.hidden}: "
          f"{layer_seconds * 1e3:.2f} ms, {flop / layer_seconds / 1e9:.1f} GFLOP/s")
    print("numpy_gemm_fwd_gflops={:.1f} numpy_gemm_dx_gflops={:.1f} numpy_gemm_dw_gflops={:.1f}".format(*rates))


if __name__ == "__main__":
    main()
