#!/usr/bin/env python3
"""PyTorch's training speed on docs/spec.md section 3's models, for comparison with `rnrepro bench train`.

Same models as tools/torch_check_step.py (g1 on concatenated pairs, as the 2017 reference),
Adam, synthetic batches of the real shapes. Prints `torch_train_samples_per_s=...`.

    python3 tools/torch_bench_train.py --model rn --batch 64 --steps 10 --threads 2
"""
import argparse
import time

import torch
import torch.nn.functional as F

import torch_check_step as models


class AlwaysOn:
    """No masks: plain ReLU everywhere."""

    def relu(self, name, x):
        return F.relu(x)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["rn", "cnn-mlp"], default="rn")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = (models.RN if args.model == "rn" else models.CNNMLP)(args.hidden)
    model.masks = AlwaysOn()
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    images = torch.rand(args.batch, 3, 75, 75)
    questions = torch.zeros(args.batch, 11)
    questions[:, 0] = 1
    questions[:, 6] = 1
    questions[:, 8] = 1
    answers = torch.randint(0, 10, (args.batch,))

    def step():
        optimizer.zero_grad()
        F.nll_loss(model(images, questions), answers).backward()
        optimizer.step()

    step()
    step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    print(f"torch {torch.__version__}, {args.model} hidden {args.hidden}, batch {args.batch}, {args.threads} threads: "
          f"{args.steps} steps in {seconds:.2f} s")
    print(f"torch_train_samples_per_s={args.steps * args.batch / seconds:.1f}")


if __name__ == "__main__":
    main()
