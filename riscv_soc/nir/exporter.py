"""Export to NIR: snntorch students (float) and quantised bundles (float plus fixed-point sidecar).

The way out of snnsoc for other frameworks, and the way a student checkpoint enters the quantiser
(student -> graph -> riscv_soc.nir.importer). Neuron nodes follow snntorch's own mapping
(Leaky -> LIF with tau = dt/(1-beta), r = tau/dt, v_leak = 0); `metadata["snnsoc"]` carries what
NIR cannot say: snntorch's reset mechanism, run settings, and for bundles every raw value.
"""

from __future__ import annotations

import os

import nir
import numpy as np

from riscv_soc.errors import ConfigError
from riscv_soc.nir.importer import DEFAULT_DT
from riscv_soc.quant import pack
from riscv_soc.quant.bundle import Bundle
from riscv_soc.quant.network import INPUT
from snnsoc_common.artefacts import atomic_path


def _array(x, n: int) -> np.ndarray:
    """A parameter broadcast to n neurons (NIR wants one shape for all of a node's); float64 so
    that beta = 1 - dt/tau comes back to the bit."""
    return np.broadcast_to(np.asarray(x, np.float64).ravel(), (n,)).copy()


def _time_constant(decay: float, dt: float) -> float:
    return dt / (1.0 - decay) if decay < 1.0 else float("inf")


def neuron_node(
    kind: str,
    n: int,
    dt: float,
    beta: float,
    alpha: float = 0.0,
    threshold: float = 1.0,
    reset: str = "subtract",
    meta: dict | None = None,
    v_leak=0.0,
):
    """The NIR node of a discrete neuron, snntorch's mapping; integrators become IF / I nodes.
    `v_leak` (CubaLIF / CubaLI): NIR's, which adds dt/tau_mem v_leak to V every step."""
    metadata = {"snnsoc": {"reset": reset, **(meta or {})}}
    tau = _time_constant(beta, dt)
    if kind in ("cubalif", "cubali"):
        tau_syn = _time_constant(alpha, dt)
        common = {
            "tau_syn": _array(tau_syn, n),
            "tau_mem": _array(tau, n),
            "r": _array(tau / dt, n),
            "v_leak": _array(v_leak, n),
            "w_in": _array(tau_syn / dt, n),
            "metadata": metadata,
        }
        if kind == "cubali":
            return nir.CubaLI(**common)
        return nir.CubaLIF(v_threshold=_array(threshold, n), v_reset=_array(0.0, n), **common)
    if kind == "li":
        if beta == 1.0:
            return nir.I(r=_array(1.0 / dt, n), metadata=metadata)
        return nir.LI(
            tau=_array(tau, n), r=_array(tau / dt, n), v_leak=_array(0.0, n), metadata=metadata
        )
    if beta == 1.0:
        return nir.IF(
            r=_array(1.0 / dt, n),
            v_threshold=_array(threshold, n),
            v_reset=_array(0.0, n),
            metadata=metadata,
        )
    return nir.LIF(
        tau=_array(tau, n),
        r=_array(tau / dt, n),
        v_leak=_array(0.0, n),
        v_threshold=_array(threshold, n),
        v_reset=_array(0.0, n),
        metadata=metadata,
    )


def _snntorch_neuron(module, n: int, dt: float, where: str):
    import snntorch

    def scalar(name: str) -> float:
        value = np.asarray(getattr(module, name).detach().cpu().numpy(), np.float64).ravel()
        if value.size != 1 and np.ptp(value) > 0:
            raise ConfigError(f"{where}: {name} is not homogeneous; a population shares one value")
        return float(np.clip(value[0], 0.0, 1.0)) if name in ("beta", "alpha") else float(value[0])

    reset = module.reset_mechanism
    if isinstance(module, snntorch.Synaptic):
        kind = "cubali" if reset == "none" else "cubalif"
        return neuron_node(kind, n, dt, scalar("beta"), scalar("alpha"), scalar("threshold"), reset)
    if type(module) is snntorch.Leaky:
        kind = "li" if reset == "none" else "lif"
        return neuron_node(kind, n, dt, scalar("beta"), threshold=scalar("threshold"), reset=reset)
    raise ConfigError(f"{where}: {type(module).__name__} is not supported (Leaky or Synaptic)")


def _synapse(weight, bias=None):
    weight = weight.detach().cpu().numpy().astype(np.float32)
    if bias is None:
        return nir.Linear(weight=weight)
    return nir.Affine(weight=weight, bias=bias.detach().cpu().numpy().astype(np.float32))


def _layers(student) -> list[tuple]:
    """(name, fc weight, bias, rec weight or None, neuron) per population, from a SpikingStudent
    (its effective, possibly fake-quantised, parameters) or an nn.Sequential of Linear, neuron."""
    import torch

    if hasattr(student, "hidden") and hasattr(student, "readout"):
        blocks = {f"hidden{k}": b for k, b in enumerate(student.hidden)}
        blocks["readout"] = student.readout
        if hasattr(student, "effective_parameters"):
            params = student.effective_parameters()
        else:
            params = {
                name: {
                    "fc": b.fc.weight,
                    "bias": b.fc.bias,
                    "rec": None if getattr(b, "rec", None) is None else b.rec.weight,
                }
                for name, b in blocks.items()
            }
        return [
            (name, params[name]["fc"], params[name]["bias"], params[name]["rec"], b.neuron)
            for name, b in blocks.items()
        ]
    if isinstance(student, torch.nn.Sequential):
        mods = list(student)
        if len(mods) % 2 or not all(isinstance(m, torch.nn.Linear) for m in mods[::2]):
            raise ConfigError("student: an nn.Sequential must alternate nn.Linear and neurons")
        names = [f"hidden{k}" for k in range(len(mods) // 2 - 1)] + ["readout"]
        return [
            (name, fc.weight, fc.bias, None, neuron)
            for name, fc, neuron in zip(names, mods[::2], mods[1::2], strict=True)
        ]
    raise ConfigError(f"student: {type(student).__name__} has neither .hidden/.readout nor layers")


def student_to_graph(
    student,
    dt: float = DEFAULT_DT,
    num_steps: int | None = None,
    encoding: str | None = None,
    readout: str = "mean",
) -> nir.NIRGraph:
    """The NIR graph of a snntorch student (snn.models.SpikingStudent or nn.Sequential).

    Nodes are named after the student's populations: `hidden0_fc`, `hidden0_rec`, `hidden0`, ...,
    `readout`. Steps and encoding default to the student's `arch` (else 25 and "rate").
    """
    arch = getattr(student, "arch", {}) or {}
    layers = _layers(student)
    n_in = int(layers[0][1].shape[1])
    nodes = {"input": nir.Input(input_type={"input": np.array([n_in])})}
    edges, prev = [], "input"
    for name, weight, bias, rec, neuron in layers:
        n = int(weight.shape[0])
        nodes[f"{name}_fc"] = _synapse(weight, bias)
        nodes[name] = _snntorch_neuron(neuron, n, dt, f"student population {name!r}")
        edges += [(prev, f"{name}_fc"), (f"{name}_fc", name)]
        if rec is not None:
            nodes[f"{name}_rec"] = _synapse(rec)
            edges += [(name, f"{name}_rec"), (f"{name}_rec", name)]
        prev = name
    nodes["output"] = nir.Output(output_type={"output": np.array([int(layers[-1][1].shape[0])])})
    edges.append((prev, "output"))
    meta = {
        "dt": dt,
        "num_steps": int(num_steps or arch.get("num_steps", 25)),
        "encoding": str(encoding or arch.get("encoding", "rate")),
        "readout": readout,
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"snnsoc": meta})


def bundle_to_graph(bundle: Bundle) -> nir.NIRGraph:
    """A float NIR graph of a bundle (dequantised), every raw value in `metadata["snnsoc"]`."""
    dt = bundle.dt
    nodes = {"input": nir.Input(input_type={"input": np.array([bundle.n_inputs])})}
    edges = []
    for pop in bundle.populations:
        if pop.adaptive:
            raise ConfigError(
                f"population {pop.name!r} is ALIF: NIR has no adaptive-threshold neuron node, "
                "so this bundle cannot be exported to NIR"
            )
        if pop.dual or pop.v_init is not None:
            what = "an initial V" if pop.v_init is not None else "two synaptic currents"
            raise ConfigError(
                f"population {pop.name!r} has {what}: NIR has no such neuron "
                "node, so this bundle cannot be exported to NIR"
            )
        scale = 2.0**-pop.frac_bits
        reset = {"value": "zero", "value_after": "zero"}.get(pop.reset, pop.reset)
        raw = {
            k: v
            for k, v in vars(pop).items()
            if k not in ("bias", "v_init", "leak", "rounding", "name")
        }
        raw.update(formats=pop.formats(), rounding=pop.rounding, bundle_reset=pop.reset)
        nodes[pop.name] = neuron_node(
            pop.kind,
            pop.n,
            dt,
            pop.beta_raw * 2.0**-pop.beta_frac_bits,
            pop.alpha_raw * 2.0**-pop.alpha_frac_bits,
            pop.threshold_raw * scale,
            reset,
            raw,
            _v_leak(pop, dt),
        )
        if pop.bias is not None:
            nodes[f"{pop.name}_bias"] = nir.Affine(
                weight=np.zeros((pop.n, bundle.n_inputs), np.float32),
                bias=(pop.bias[: pop.n] * scale).astype(np.float32),
            )
            edges += [("input", f"{pop.name}_bias"), (f"{pop.name}_bias", pop.name)]
    for proj in bundle.projections:
        target = bundle.population(proj.target)
        weight, delay = _dequantise(proj, target.frac_bits)
        src = "input" if proj.source == INPUT else proj.source
        meta = {"snnsoc": {"layout": proj.layout, "bits": proj.bits, "frac_bits": target.frac_bits}}
        nodes[proj.name] = nir.Linear(weight=weight.T.astype(np.float32), metadata=meta)
        if delay is not None:
            if np.any(delay != delay[:1, :]):
                raise ConfigError(
                    f"projection {proj.name!r}: per-synapse delays do not fit NIR's "
                    "per-neuron Delay node"
                )
            nodes[f"{proj.name}_delay"] = nir.Delay(delay=(delay[0] * dt).astype(np.float32))
            edges += [
                (src, proj.name),
                (proj.name, f"{proj.name}_delay"),
                (f"{proj.name}_delay", proj.target),
            ]
        else:
            edges += [(src, proj.name), (proj.name, proj.target)]
    nodes["output"] = nir.Output(
        output_type={"output": np.array([bundle.population(bundle.output).n])}
    )
    edges.append((bundle.output, "output"))
    meta = {
        "snnsoc": {
            "dt": dt,
            "num_steps": bundle.num_steps,
            "encoding": bundle.encoding,
            "readout": bundle.readout,
            "readout_shift": bundle.readout_shift,
        }
    }
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def _v_leak(pop, dt: float) -> np.ndarray | float:
    """NIR's v_leak of a population's leak (dt/tau_mem v_leak per step, in V's units)."""
    if pop.leak is None:
        return 0.0
    beta = pop.beta_raw * 2.0**-pop.beta_frac_bits
    if beta >= 1.0:
        raise ConfigError(
            f"population {pop.name!r} has a leak and beta 1: NIR's v_leak acts through "
            "1/tau_mem, which is 0 there, so it cannot be exported"
        )
    return pop.leak[: pop.n] * 2.0**-pop.frac_bits * _time_constant(beta, dt) / dt


def _dequantise(proj, frac_bits: int) -> tuple[np.ndarray, np.ndarray | None]:
    if proj.layout == "sparse":
        w = pack.unpack_sparse(proj.words, proj.bits, proj.n_post)
        return w * 2.0**-frac_bits, None
    if proj.layout == "delayed":
        w, delay = pack.unpack_delayed(proj.words, proj.bits, proj.n_post)
        return w * 2.0**-frac_bits, delay
    return pack.unpack_dense(proj.words, proj.n_post) * 2.0**-frac_bits, None


def write_graph(graph: nir.NIRGraph, path: str | os.PathLike) -> None:
    """`nir.write` atomically."""
    with atomic_path(path) as tmp:
        nir.write(tmp, graph)
