"""The cost of bit-reproducible training: seconds per epoch on pinned AVX2 kernels against torch's
own choice for this CPU (snn.determinism), measured side by side.

Each configuration trains in its own process (torch reads its kernel settings once per process):
the pipeline's default student (192 -> 128 LIF -> 10, 16 steps, rate KD from an MLP teacher) for
`--epochs` epochs; the processes alternate `--repeats` times so machine load hits both alike.

    .venv/bin/python benchmarks/pinned_kernels.py [--repeats 3] [--epochs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from record import write_record

EPOCHS = """
import json, sys, time
import numpy as np, torch
import snn.data
from snn.debias import make_method
from snn.determinism import cpu_capability
from snn.distill import KDConfig, TrainConfig, fit
from snn.models import MLPTeacher, SpikingStudent

train = snn.data.load("colour_digits", "train", seed=0, rho=0.95)
torch.manual_seed(0)
teacher = MLPTeacher(train.num_features, 10, hidden=[128]).eval()
student = SpikingStudent({"inputs": train.num_features, "hidden": [128], "outputs": 10,
                          "num_steps": 16})
bias = np.full((len(train), 10), 0.1, np.float32)
config = TrainConfig(epochs=int(sys.argv[1]), batch_size=64)
start = time.perf_counter()
fit(student, train, make_method("erm"), config, bias_probs=bias, kd=KDConfig(), kd_teacher=teacher)
print(json.dumps({"kernels": cpu_capability(),
                  "s_per_epoch": (time.perf_counter() - start) / config.epochs}))
"""

CONFIGS = {"pinned (AVX2)": {}, "native": {"SNNSOC_NATIVE_KERNELS": "1"}}


def run_once(env: dict, epochs: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", EPOCHS, str(epochs)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    for _ in range(args.repeats):
        for name, env in CONFIGS.items():
            runs[name].append(run_once(env, args.epochs))
    result = {}
    for name, values in runs.items():
        seconds = [v["s_per_epoch"] for v in values]
        median = statistics.median(seconds)
        kernels = values[0]["kernels"]
        result[name] = {
            "kernels": kernels,
            "median_s_per_epoch": median,
            "min": min(seconds),
            "max": max(seconds),
        }
        print(
            f"  {name:14s} {kernels:7s} median {median:.3f} s/epoch "
            f"(min {min(seconds):.3f}, max {max(seconds):.3f})"
        )
    ratio = result["pinned (AVX2)"]["median_s_per_epoch"] / result["native"]["median_s_per_epoch"]
    result["pinned / native"] = ratio
    print(f"  pinned / native: {ratio:.2f}x the time per epoch")
    print(f"  record: {write_record('pinned_kernels', result)}")


if __name__ == "__main__":
    main()
