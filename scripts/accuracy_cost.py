"""Accuracy cost of quantisation on coloured digits: float snntorch student vs the fixed-point core.

Trains a small SpikingStudent directly on the (biased) training split with cross-entropy on its
time-averaged readout, then on the unbiased test split reports accuracy and worst-group accuracy
of the float student (snntorch engine) and of the quantised core with RN and with SR decays.

    .venv/bin/python scripts/accuracy_cost.py [--epochs 30] [--seed 0]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import snn.data
from riscv_soc import core
from riscv_soc.nir import from_graph, student_to_graph
from riscv_soc.quant import QuantConfig, quantise
from snn.models import SpikingStudent


def accuracy_and_wga(pred, y, group) -> tuple[float, float]:
    correct = pred == y
    per_group = [correct[group == g].mean() for g in np.unique(group)]
    return float(correct.mean()), float(min(per_group))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    train = snn.data.load("colour_digits", "train", seed=args.seed)
    test = snn.data.load("colour_digits", "test", seed=args.seed)
    arch = {"inputs": train.x.shape[1], "hidden": [128], "outputs": 10, "num_steps": 16}
    student = SpikingStudent(arch)
    opt = torch.optim.Adam(student.parameters(), lr=2e-3)
    y_train = torch.as_tensor(train.y)
    for epoch in range(args.epochs):
        spikes = torch.as_tensor(
            snn.data.encode(train.x, "rate", 16, seed=epoch), dtype=torch.float32
        )
        for idx in torch.randperm(len(y_train)).split(128):
            out = student(spikes[idx].transpose(0, 1), engine="fused")
            loss = torch.nn.functional.cross_entropy(out.logits(), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    test_spikes = snn.data.encode(test.x, "rate", 16, seed=1234)
    with torch.no_grad():
        out = student(torch.as_tensor(test_spikes, dtype=torch.float32).transpose(0, 1))
    acc, wga = accuracy_and_wga(out.logits().argmax(1).numpy(), test.y, test.group)
    print(f"float student (snntorch): accuracy {acc:.4f}  worst-group {wga:.4f}")
    network = from_graph(student_to_graph(student))
    for rounding in ("rn", "sr"):
        bundle = quantise(network, QuantConfig(rounding=rounding))
        result = core.run(bundle, test_spikes, seed=args.seed)
        q_acc, q_wga = accuracy_and_wga(result.predictions, test.y, test.group)
        print(
            f"quantised core ({rounding}): accuracy {q_acc:.4f} ({100 * (q_acc - acc):+.2f} pt)"
            f"  worst-group {q_wga:.4f} ({100 * (q_wga - wga):+.2f} pt)"
        )


if __name__ == "__main__":
    main()
