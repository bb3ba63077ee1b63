"""Class and spike agreement of the fixed-point core with the float reference on imported graphs.

For NIR graphs written as snntorch exports them (riscv_soc.nir.zoo: a recurrent CubaLIF with
affine biases and a spiking CubaLIF output; a feed-forward LIF with an LI readout), on random
input trains (Bernoulli, rate 0.1), runs the float reference (riscv_soc.floatsim) and the core on
the bundles of three quantiser settings: FeNN's 8-bit weights, the defaults, and `--calibrate` on
separate random trains. Prints one line per graph, seed and setting.

    PYTHONPATH=$PWD .venv/bin/python scripts/float_agreement.py [--samples 1000] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse

import numpy as np

from riscv_soc import core, floatsim
from riscv_soc.core.compare import compare, scales_of
from riscv_soc.nir import from_graph, zoo
from riscv_soc.quant import QuantConfig, quantise

GRAPHS = ("recurrent_cubalif", "feedforward_lif")
STEPS, INPUTS, RATE = 25, 64, 0.1


def trains(samples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random((samples, STEPS, INPUTS)) < RATE).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    totals: dict[tuple[str, str], list[float]] = {}
    for graph in GRAPHS:
        for seed in args.seeds:
            net = from_graph(getattr(zoo, graph)(seed=seed, inputs=INPUTS), num_steps=STEPS)
            spikes = trains(args.samples, 1000 + seed)
            reference = floatsim.run(net, spikes)
            calibration = floatsim.calibrate(net, trains(args.samples // 4, 2000 + seed))
            settings = {
                "8-bit weights": (QuantConfig(weight_bits=8), None),
                "defaults": (QuantConfig(), None),
                "--calibrate": (QuantConfig(), calibration),
            }
            for name, (config, cal) in settings.items():
                bundle = quantise(net, config, cal)
                result = compare(reference, core.run(bundle, spikes), None, scales_of(bundle))
                spikes_agree = " ".join(
                    f"{p.name} {100 * p.spike_agreement:.2f}" for p in result.populations
                    if p.agreement_per_step
                )  # fmt: skip
                formats = ",".join(str(p.frac_bits) for p in bundle.populations)
                print(
                    f"{graph:18s} seed {seed} {name:14s} F {formats:9s} class agreement "
                    f"{100 * result.class_agreement:6.2f} %  spikes agree (%): {spikes_agree}"
                )
                totals.setdefault((graph, name), []).append(result.class_agreement)
    for (graph, name), values in totals.items():
        print(f"mean {graph:18s} {name:14s} {100 * np.mean(values):6.2f} %")


if __name__ == "__main__":
    main()
