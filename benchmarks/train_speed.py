"""Seconds per epoch of distilling an ANN teacher into a spiking student on coloured digits.

Two loops train the same student (same arch, data, KD loss, batch size) side by side in one
process, epochs interleaved so machine load hits both alike:

  plain snntorch  the textbook BPTT loop: snntorch.spikegen.rate per batch, then per step
                  nn.Linear -> snn.Leaky -> nn.Linear -> snn.Leaky(reset "none"), CE + KD, Adam
  snnsoc fit      snn.distill.fit: one Bernoulli draw per epoch, the fused engine (one matmul per
                  layer over all steps, one autograd node per LIF layer with hand-written BPTT)

    .venv/bin/python benchmarks/train_speed.py [--repeats 5] [--hidden 128] [--steps 16]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from record import write_record
from snntorch import spikegen

from snn.data import load
from snn.debias import make_method
from snn.distill import KDConfig, TrainConfig, fit
from snn.models import MLPTeacher, SpikingStudent


def plain_snntorch_epoch(student, teacher_logits, x, y, optimiser, batch_size, steps, kd):
    """One epoch of snntorch's canonical training loop with the same KD loss as ours."""
    hidden, readout = student.hidden[0], student.readout
    order = torch.randperm(len(y))
    for start in range(0, len(y), batch_size):
        index = order[start : start + batch_size]
        spikes = spikegen.rate(x[index], num_steps=steps)
        mem1 = torch.zeros(len(index), hidden.fc.out_features)
        mem2 = torch.zeros(len(index), readout.fc.out_features)
        membranes = []
        for t in range(steps):
            spk1, mem1 = hidden.neuron(hidden.fc(spikes[t]), mem1)
            _, mem2 = readout.neuron(readout.fc(spk1), mem2)
            membranes.append(mem2)
        logits = torch.stack(membranes).mean(0)
        target = F.softmax(teacher_logits[index] / kd.tau, -1)
        distil = F.kl_div(F.log_softmax(logits / kd.tau, -1), target, reduction="batchmean")
        loss = (1 - kd.alpha) * F.cross_entropy(logits, y[index]) + kd.alpha * kd.tau**2 * distil
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="epochs timed per loop")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    train = load("colour_digits", "train", seed=0)
    arch = {
        "inputs": train.num_features,
        "hidden": [args.hidden],
        "outputs": 10,
        "num_steps": args.steps,
    }
    torch.manual_seed(0)
    teacher = MLPTeacher(train.num_features, 10, hidden=[args.hidden]).eval()
    x, y = torch.from_numpy(train.x), torch.from_numpy(train.y)
    with torch.no_grad():
        teacher_logits = teacher(x).logits
    kd = KDConfig()
    bias = np.full((len(train), 10), 0.1, np.float32)

    plain_student = SpikingStudent(arch)
    plain_optimiser = torch.optim.Adam(plain_student.parameters(), lr=2e-3)
    ours_student = SpikingStudent(arch)
    config = TrainConfig(epochs=1, batch_size=args.batch_size)

    def plain():
        plain_snntorch_epoch(
            plain_student, teacher_logits, x, y, plain_optimiser, args.batch_size, args.steps, kd
        )

    def ours():
        fit(
            ours_student,
            train,
            make_method("erm"),
            config,
            bias_probs=bias,
            kd=kd,
            kd_teacher=teacher,
        )

    times = {"plain snntorch": [], "snnsoc fit": []}
    plain()  # warm-up: first-call allocations and lazy imports
    ours()
    for _ in range(args.repeats):
        for name, epoch in (("plain snntorch", plain), ("snnsoc fit", ours)):
            start = time.perf_counter()
            epoch()
            times[name].append(time.perf_counter() - start)

    print(
        f"coloured digits: {len(train)} examples, 192 -> {args.hidden} LIF -> 10 LI, "
        f"T = {args.steps}, batch {args.batch_size}, {args.threads} thread(s), "
        f"{args.repeats} epochs each"
    )
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(
            f"  {name:15s} median {medians[name]:.3f} s/epoch  "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )
    speed_up = medians["plain snntorch"] / medians["snnsoc fit"]
    print(f"  speed-up (plain / ours): {speed_up:.2f}x")
    result = {
        "median_s_per_epoch": medians,
        "plain_over_ours": speed_up,
        "hidden": args.hidden,
        "steps": args.steps,
        "threads": args.threads,
    }
    print(f"  record: {write_record('train_speed', result)}")


if __name__ == "__main__":
    main()
