#!/usr/bin/env python3
"""Checks an `rnrepro export-step` directory against PyTorch, from docs/spec.md alone.

An independent implementation of the models of docs/spec.md section 3 in PyTorch: the RN's g takes
the concatenated [o_i, o_j, q] for all 625 pairs (not the factored form RNRepro uses), BN in
training mode, dropout off. It loads the exported parameters, runs the exported batch, and
compares the loss, the log-probabilities, every gradient and, after one torch.optim.Adam step
at the exported learning rate, every parameter. Exit 0 when every relative error
(max |ours - torch| / max |torch|, per tensor) is at most the tolerance.

    rnrepro export-step --model rn --batch 8 --seed 1 --lr 1e-4 --data data/set.bin --out step/
    python3 tools/torch_check_step.py step/ --model rn --lr 1e-4
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Masks:
    """Makes PyTorch take RNRepro's branch at every ReLU.

    A ReLU whose input lies within float32 rounding of zero may switch on in one
    implementation and off in the other; one such unit among the RN's millions changes the
    gradients below it by about 1e-4 relative. So the check applies the exported ReLU outputs'
    masks (relu/<layer>.npy), and verifies that every unit where PyTorch's own ReLU would
    disagree is such a kink: its float64 input is within `kink` of zero, relative to the
    layer's largest input. A disagreement anywhere else is a failure.
    """

    kink = 1e-5

    def __init__(self, directory):
        self.directory = directory
        self.disagreements = []

    def relu(self, name, x):
        ours = torch.from_numpy(np.load(os.path.join(self.directory, "relu", f"{name}.npy"))).reshape(x.shape) > 0
        theirs = x > 0
        differ = ours != theirs
        if differ.any():
            scale = x.detach().abs().max().item()
            for value in x.detach()[differ].tolist():
                self.disagreements.append((name, value, scale))
        return x * ours.to(x.dtype)


def add_conv_stem(model):
    """conv1..conv4 (3x3, stride 2, padding 1, 24 channels) and bn1..bn4, in PyTorch's names."""
    for i in range(4):
        setattr(model, f"conv{i+1}", nn.Conv2d(3 if i == 0 else 24, 24, 3, stride=2, padding=1))
        setattr(model, f"bn{i+1}", nn.BatchNorm2d(24))


def run_conv_stem(model, x):
    """Conv, then ReLU, then BatchNorm (BN after ReLU, as the reference)."""
    for i in range(4):
        x = getattr(model, f"bn{i+1}")(model.masks.relu(f"conv{i+1}", getattr(model, f"conv{i+1}")(x)))
    return x


class RN(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        add_conv_stem(self)
        self.g1 = nn.Linear(63, hidden)
        self.g2 = nn.Linear(hidden, hidden)
        self.g3 = nn.Linear(hidden, hidden)
        self.g4 = nn.Linear(hidden, hidden)
        self.f1 = nn.Linear(hidden, hidden)
        self.f2 = nn.Linear(hidden, hidden)
        self.f3 = nn.Linear(hidden, 10)

    def forward(self, images, questions):
        x = run_conv_stem(self, images)  # (B, 24, 5, 5)
        b = x.shape[0]
        objects = x.view(b, 24, 25).permute(0, 2, 1)  # object k = 5 * row + column
        rows = torch.arange(25) // 5
        cols = torch.arange(25) % 5
        tags = torch.stack([(rows - 2) / 2.0, (cols - 2) / 2.0], dim=1).float()  # (25, 2)
        objects = torch.cat([objects, tags.unsqueeze(0).expand(b, 25, 2)], dim=2)  # (B, 25, 26)
        o_i = objects.unsqueeze(2).expand(b, 25, 25, 26)  # pair (i, j): o_i
        o_j = objects.unsqueeze(1).expand(b, 25, 25, 26)  #             o_j
        q = questions.view(b, 1, 1, 11).expand(b, 25, 25, 11)
        pairs = torch.cat([o_i, o_j, q], dim=3).reshape(b * 625, 63)
        h = self.masks.relu("g1", self.g1(pairs))
        h = self.masks.relu("g2", self.g2(h))
        h = self.masks.relu("g3", self.g3(h))
        h = self.masks.relu("g4", self.g4(h))
        s = h.view(b, 625, -1).sum(dim=1)
        s = self.masks.relu("f1", self.f1(s))
        s = self.masks.relu("f2", self.f2(s))
        return F.log_softmax(self.f3(s), dim=1)


class CNNMLP(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        add_conv_stem(self)
        self.fc1 = nn.Linear(611, hidden)
        self.f2 = nn.Linear(hidden, hidden)
        self.f3 = nn.Linear(hidden, 10)

    def forward(self, images, questions):
        x = run_conv_stem(self, images)
        x = torch.cat([x.reshape(x.shape[0], -1), questions], dim=1)  # channel-major flatten
        x = self.masks.relu("fc1", self.fc1(x))
        x = self.masks.relu("f2", self.f2(x))
        return F.log_softmax(self.f3(x), dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--model", choices=["rn", "cnn-mlp"], required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    torch.set_num_threads(2)
    load = lambda name: torch.from_numpy(np.load(os.path.join(args.directory, name)))

    hidden = np.load(os.path.join(args.directory, "params", "f2.weight.npy")).shape[0]
    model = (RN if args.model == "rn" else CNNMLP)(hidden)
    model.masks = Masks(args.directory)
    names = [n for n, _ in model.named_parameters()]
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.copy_(load(f"params/{name}.npy"))
    model.train()
    # Where the branches differ, is it a kink? PyTorch in float64 on the same inputs says.
    reference = (RN if args.model == "rn" else CNNMLP)(hidden).double()
    reference.load_state_dict(model.state_dict())
    reference.masks = Masks(args.directory)
    reference.train()
    reference(load("images.npy").double(), load("questions.npy").double())
    kinks = [d for d in reference.masks.disagreements if abs(d[1]) <= Masks.kink * d[2]]
    not_kinks = [d for d in reference.masks.disagreements if abs(d[1]) > Masks.kink * d[2]]

    logprobs = model(load("images.npy"), load("questions.npy"))
    loss = F.nll_loss(logprobs, load("answers.npy"))
    loss.backward()

    results = []

    def compare(label, ours, theirs):
        ours = np.asarray(ours, dtype=np.float64)
        theirs = theirs.detach().double().numpy()
        scale = max(np.abs(theirs).max(), 1e-30)
        error = np.abs(ours - theirs).max() / scale
        results.append((label, error))

    compare("loss", load("loss.npy").numpy(), loss)
    compare("logprobs", load("logprobs.npy").numpy(), logprobs)
    for name, parameter in model.named_parameters():
        compare(f"grads/{name}", load(f"grads/{name}.npy").numpy(), parameter.grad)

    # The optimizer on its own: torch.optim.Adam applied to the exported parameters and
    # gradients must give the exported parameters after the step. (Feeding it PyTorch's own
    # gradients instead would test the gradients a second time, through Adam's first step,
    # which maps every gradient to about +-lr whatever its size: a gradient of 1e-9 whose
    # sign differs in the last bit moves its parameter by 2 lr.)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.copy_(load(f"params/{name}.npy"))
            parameter.grad.copy_(load(f"grads/{name}.npy"))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    optimizer.step()
    for name, parameter in model.named_parameters():
        compare(f"params_after/{name}", load(f"params_after/{name}.npy").numpy(), parameter)

    print(f"     ReLU units where float64 PyTorch takes the other branch: {len(reference.masks.disagreements)}, "
          f"all within {Masks.kink:g} of zero relative to their layer: {'yes' if not not_kinks else 'NO'}")
    for name, value, scale in reference.masks.disagreements:
        print(f"       {name}: input {value:.3e} (layer's largest {scale:.3e})")
    failures = [r for r in results if not r[1] <= args.tolerance] + [("relu", d) for d in not_kinks]
    for label, error in results:
        flag = "FAIL" if not error <= args.tolerance else "ok"
        print(f"{flag:4} {label:32} relative error {error:.2e}")
    worst = max(results, key=lambda r: r[1])
    print(f"{'FAIL' if failures else 'ok'}: {len(results)} tensors of {len(names)} parameters, "
          f"worst {worst[0]} {worst[1]:.2e} (tolerance {args.tolerance:g})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
