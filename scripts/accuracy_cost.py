"""Accuracy cost of quantisation on coloured digits: float snntorch student vs the fixed-point core.

Trains a small SpikingStudent directly on the (biased) training split with cross-entropy on its
time-averaged readout, or loads a student checkpoint (`--student`, snn.models.load_student), then
on the unbiased test split reports accuracy and worst-group accuracy of the float student
(snntorch engine) and of the quantised core with RN and with SR decays. A checkpoint goes through
the same path as `snnsoc quantise` (riscv_soc.nir.models.read_model, its fake-quant hints).

    .venv/bin/python scripts/accuracy_cost.py [--epochs 30] [--seed 0] [--student CKPT.pt]

Each quantised row is reported with state_headroom_bits 0 (FeNN's scale choice alone) and with
the default (docs/semantics.md section 5).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

import snn.data
import snn.metrics
from riscv_soc import core
from riscv_soc.nir import from_graph, student_to_graph
from riscv_soc.nir.models import quant_config, read_model
from riscv_soc.quant import quantise
from snn.models import SpikingStudent, load_student

METRICS = ("acc", "wga", "unbiased_acc", "conflicting_acc")  # snn.metrics' definitions


def line(name: str, metrics: dict, base: dict | None = None) -> str:
    def show(key: str) -> str:
        delta = f" ({100 * (metrics[key] - base[key]):+.2f} pt)" if base else ""
        return f"{key} {metrics[key]:.4f}{delta}"

    return f"{name:40s}: " + "  ".join(show(k) for k in METRICS)


def train_student(epochs: int, seed: int) -> SpikingStudent:
    torch.manual_seed(seed)
    train = snn.data.load("colour_digits", "train", seed=seed)
    arch = {"inputs": train.x.shape[1], "hidden": [128], "outputs": 10, "num_steps": 16}
    student = SpikingStudent(arch)
    opt = torch.optim.Adam(student.parameters(), lr=2e-3)
    y_train = torch.as_tensor(train.y)
    for epoch in range(epochs):
        spikes = torch.as_tensor(
            snn.data.encode(train.x, "rate", 16, seed=epoch), dtype=torch.float32
        )
        for idx in torch.randperm(len(y_train)).split(128):
            out = student(spikes[idx].transpose(0, 1), engine="fused")
            loss = torch.nn.functional.cross_entropy(out.logits(), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return student


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--student", type=Path, help="a student checkpoint instead of training")
    parser.add_argument("--spike-seed", type=int, default=0, help="seed of the test spike trains")
    args = parser.parse_args()
    if args.student is not None:
        student = load_student(args.student)
        network = read_model(args.student)
        print(f"student {args.student}: arch {student.arch}")
    else:
        student = train_student(args.epochs, args.seed)
        network = from_graph(student_to_graph(student))
        print(f"student trained here: {args.epochs} epochs, arch {student.arch}")
    test = snn.data.load("colour_digits", "test", seed=args.seed)
    steps, encoding = student.arch["num_steps"], student.arch["encoding"]
    test_spikes = snn.data.encode(test.x, encoding, steps, seed=args.spike_seed)
    with torch.no_grad():
        out = student(torch.as_tensor(test_spikes, dtype=torch.float32).transpose(0, 1))
    float_pred = out.logits().argmax(1).numpy()
    base = snn.metrics.evaluate(float_pred, test)
    print(f"test split: {len(test.y)} samples, {len(np.unique(test.group))} (class, colour) groups")
    print(line("float student (snntorch)", base))
    settings = quant_config(network)  # a checkpoint's own fake quantisation, as `snnsoc quantise`
    # Headroom 0 is FeNN's scale choice alone; the default keeps bits for the state.
    for headroom in (0, settings.state_headroom_bits):
        for rounding in ("rn", "sr"):
            config = replace(settings, rounding=rounding, state_headroom_bits=headroom)
            bundle = quantise(network, config)
            result = core.run(bundle, test_spikes, seed=args.seed)
            metrics = snn.metrics.evaluate(result.predictions, test)
            agree = float(np.mean(result.predictions == float_pred))
            fracs = [p["frac_bits"] for p in bundle.report["populations"].values()]
            name = f"core ({rounding}, headroom {headroom}, F {fracs})"
            print(line(name, metrics, base) + f"  same as float {agree:.4f}")


if __name__ == "__main__":
    main()
