"""Class and spike agreement of the fixed-point core with the float reference on imported graphs.

Two classifiers are trained in torch on a synthetic rate task (10 classes, each a pattern of input
rates over 64 inputs; noisy samples as Bernoulli trains, T = 25), with the equations the graphs
mean (docs/semantics.md section 10: NIR's v_reset is a reset to 0 before the decay), then written
as snntorch exports them (riscv_soc.nir.zoo): a recurrent CubaLIF with affine biases and a
spiking CubaLIF output, and a feed-forward LIF with an LI readout. Untrained graphs (nn.Linear's
initialisation) are measured too, and so is an untrained CNN in the NIR paper's N-MNIST shape
(tests/naive/nir_cnn.py: Conv2d, IF, SumPool2d, Conv2d, IF, Flatten, Affine, LIF; 2x10x10 inputs)
on random trains. For each graph the float reference (riscv_soc.floatsim) and the
core run the bundles of three quantiser settings: FeNN's 8-bit weights, the defaults, and
calibration; on the task's test trains (calibrated on its training trains) and on random trains
(Bernoulli, rate 0.1; calibrated on other random trains).

    PYTHONPATH=$PWD .venv/bin/python scripts/float_agreement.py [--samples 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import snntorch.surrogate
import torch

from riscv_soc import core, floatsim
from riscv_soc.core.compare import compare, scales_of
from riscv_soc.nir import from_graph, zoo
from riscv_soc.quant import QuantConfig, quantise

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from naive.nir_cnn import DT, cnn_graph  # a test network, shared with the tests

STEPS, INPUTS, OUTPUTS, HIDDEN = 25, 64, 10, 128
CNN_INPUTS = 2 * 10 * 10
SPIKE = snntorch.surrogate.atan()


def task(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 trains [samples, T, inputs], labels) of the synthetic rate task."""
    patterns = np.random.default_rng(12345).uniform(0.0, 0.25, (OUTPUTS, INPUTS))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, OUTPUTS, samples)
    rates = np.clip(patterns[labels] + rng.normal(0.0, 0.1, (samples, INPUTS)), 0.0, 1.0)
    return (rng.random((samples, STEPS, INPUTS)) < rates[:, None]).astype(np.uint8), labels


class Recurrent(torch.nn.Module):
    """zoo.cubalif_graph's network: CubaLIF (alpha 0.5, beta 0.9, threshold 1, reset to 0)."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(INPUTS, HIDDEN), torch.nn.Linear(HIDDEN, OUTPUTS)
        self.rec = torch.nn.Linear(HIDDEN, HIDDEN, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        i1 = v1 = s1 = torch.zeros(x.shape[0], HIDDEN)
        i2 = v2 = s2 = torch.zeros(x.shape[0], OUTPUTS)
        count = 0
        for t in range(x.shape[1]):
            i1 = 0.5 * i1 + self.fc1(x[:, t]) + self.rec(s1)
            v1 = 0.9 * v1 * (1 - s1.detach()) + i1
            s1 = SPIKE(v1 - 1.0)
            i2 = 0.5 * i2 + self.fc2(s1)
            v2 = 0.9 * v2 * (1 - s2.detach()) + i2
            s2 = SPIKE(v2 - 1.0)
            count = count + s2
        return count

    def graph(self):
        w = {k: v.detach().double().numpy() for k, v in self.state_dict().items()}
        return zoo.cubalif_graph(
            w["fc1.weight"], w["fc1.bias"], w["rec.weight"], w["fc2.weight"], w["fc2.bias"]
        )


class FeedForward(torch.nn.Module):
    """zoo.lif_graph's network: LIF (beta 0.9, threshold 1, reset to 0), LI readout (0.95)."""

    def __init__(self):
        super().__init__()
        self.fc0, self.fc_out = torch.nn.Linear(INPUTS, HIDDEN), torch.nn.Linear(HIDDEN, OUTPUTS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        v = s = torch.zeros(x.shape[0], HIDDEN)
        out = total = torch.zeros(x.shape[0], OUTPUTS)
        for t in range(x.shape[1]):
            v = 0.9 * v * (1 - s.detach()) + self.fc0(x[:, t])
            s = SPIKE(v - 1.0)
            out = 0.95 * out + self.fc_out(s)
            total = total + out
        return total / x.shape[1]

    def graph(self):
        w = {k: v.detach().double().numpy() for k, v in self.state_dict().items()}
        return zoo.lif_graph(
            [(w["fc0.weight"], w["fc0.bias"]), (w["fc_out.weight"], w["fc_out.bias"])]
        )


def train(kind: type, trains: np.ndarray, labels: np.ndarray, iterations: int, seed: int):
    torch.manual_seed(seed)
    torch.set_num_threads(1)  # the same model on any machine with the same torch
    model = kind()
    x, y = torch.tensor(trains, dtype=torch.float32), torch.tensor(labels)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(iterations):
        idx = torch.randint(0, len(y), (128,))
        loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def measure(name: str, graph, test: dict, **import_options) -> None:
    """`test`: data name -> (spikes, labels or None, calibration spikes drawn alike)."""
    net = from_graph(graph, **{"num_steps": STEPS, **import_options})
    for data, (spikes, labels, calib) in test.items():
        settings = {
            "8-bit weights": (QuantConfig(weight_bits=8), None),
            "defaults": (QuantConfig(), None),
            "--calibrate": (QuantConfig(), floatsim.calibrate(net, calib)),
        }
        reference = floatsim.run(net, spikes)
        accuracy = (
            ""
            if labels is None
            else f" (float accuracy {np.mean(reference.predictions == labels):.3f})"
        )
        print(f"{name} on {data}{accuracy}")
        for setting, (config, cal) in settings.items():
            bundle = quantise(net, config, cal)
            fixed = core.run(bundle, spikes)
            result = compare(reference, fixed, None, scales_of(bundle))
            agree = " ".join(
                f"{p.name} {100 * p.spike_agreement:.2f}"
                for p in result.populations
                if p.agreement_per_step
            )
            acc = "" if labels is None else f" accuracy {np.mean(fixed.predictions == labels):.3f}"
            formats = ",".join(str(p.frac_bits) for p in bundle.populations)
            agreement = f"class agreement {100 * result.class_agreement:6.2f} %"
            print(f"  {setting:14s} F {formats:9s} {agreement}{acc}; spikes agree (%): {agree}")


def random_trains(samples: int, rng, inputs: int = INPUTS) -> np.ndarray:
    return (rng.random((samples, STEPS, inputs)) < 0.1).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--iterations", type=int, default=80, help="training steps per model")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train_x, train_y = task(4000, args.seed + 1)
    rng, n_calib = np.random.default_rng(args.seed + 3), args.samples // 4
    test = {
        "task trains": (*task(args.samples, args.seed + 2), train_x[:n_calib]),
        "random trains": (random_trains(args.samples, rng), None, random_trains(n_calib, rng)),
    }
    for name, kind in (("recurrent CubaLIF", Recurrent), ("feed-forward LIF", FeedForward)):
        trained = train(kind, train_x, train_y, args.iterations, args.seed)
        measure(f"{name}, trained", trained.graph(), test)
    measure("recurrent CubaLIF, untrained", zoo.recurrent_cubalif(seed=args.seed), test)
    measure("feed-forward LIF, untrained", zoo.feedforward_lif(seed=args.seed), test)
    trains = (
        random_trains(args.samples, rng, CNN_INPUTS),
        None,
        random_trains(n_calib, rng, CNN_INPUTS),
    )
    measure("CNN, untrained", cnn_graph(seed=args.seed), {"random trains": trains}, dt=DT)


if __name__ == "__main__":
    main()
