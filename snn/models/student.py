"""Spiking students: dense snntorch nets of Leaky (LIF) or Synaptic (CubaLIF) layers, LI readout.

Sits after the teachers in the data flow: `snn.distill` trains a `SpikingStudent`, `save_student`
writes it, and the SoC side (`riscv_soc.nir`, `riscv_soc.quant`) exports and quantises it. The
whole module is rebuilt from its `arch` dict (docs/architecture.md, "Student checkpoint").
"""

from __future__ import annotations

import copy
from typing import NamedTuple, cast

import snntorch as snn
import torch
import torch.nn.functional as F
from snntorch import surrogate
from torch import nn

from snn.data.encode import ENCODINGS
from snn.errors import ConfigError, check_choice
from snn.models import fake_quant
from snn.models._fused import FusedLayer

NEURONS = ("lif", "cubalif")
RESETS = ("subtract", "zero")
ENGINES = ("snntorch", "fused")
SURROGATES = {
    "atan": lambda: surrogate.atan(alpha=2.0),
    "fast_sigmoid": lambda: surrogate.fast_sigmoid(slope=25),
}
MAX_NEURONS = 16384  # FeNN-DMA: at most 16 k neurons per core
MAX_THRESHOLD = 127.0  # must fit the integer part of a 16-bit state format with fractional bits
DECAY_SCALE = 2**15  # decays are s0_15 on FeNN: k / 2^15, k in [0, 2^15)

ARCH_DEFAULTS = {
    "hidden": [128],
    "neuron": "lif",
    "recurrent": False,
    "reset": "subtract",
    "beta": 0.9,
    "alpha": 0.8,
    "threshold": 1.0,
    "readout_beta": 0.9,
    "num_steps": 16,
    "encoding": "rate",
    "bias": True,
    "weight_bits": None,
    "weight_percentile": 99.0,
    "surrogate": "fast_sigmoid",
}


class StudentOutput(NamedTuple):
    """What `SpikingStudent.forward` returns.

    readout: float [T, B, outputs], the LI readout membrane after each step (the output).
    hidden_spikes: one float {0, 1} tensor [T, B, hidden[k]] per hidden layer.
    """

    readout: torch.Tensor
    hidden_spikes: list[torch.Tensor]

    def logits(self) -> torch.Tensor:
        """[B, outputs]: the readout membrane averaged over time; argmax is the prediction."""
        return self.readout.mean(0)


def _snap_decay(name: str, value: float) -> float:
    k = round(float(value) * DECAY_SCALE)
    if not 0 <= k < DECAY_SCALE:
        raise ConfigError(f"arch: {name}={value} must lie in [0, 1 - 2^-15] (an s0_15 decay)")
    return k / DECAY_SCALE


def _per_layer(arch: dict, key: str, n_layers: int) -> list[float]:
    value = arch[key]
    values = list(value) if isinstance(value, (list, tuple)) else [value] * n_layers
    if len(values) != n_layers:
        raise ConfigError(f"arch: {key} has {len(values)} values for {n_layers} hidden layers")
    return [float(v) for v in values]


def _check_size(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_NEURONS:
        raise ConfigError(f"arch: {name}={value!r} must be an integer in [1, {MAX_NEURONS}]")
    return value


def validate_arch(arch: dict) -> dict:
    """A complete, normalised copy of `arch` (defaults filled, per-layer lists, decays snapped to
    s0_15); raises ConfigError naming the key, the limit and the value."""
    unknown = set(arch) - set(ARCH_DEFAULTS) - {"inputs", "outputs"}
    if unknown:
        raise ConfigError(
            f"arch: unknown key(s) {', '.join(sorted(unknown))}; valid: "
            f"{', '.join(sorted([*ARCH_DEFAULTS, 'inputs', 'outputs']))}"
        )
    for key in ("inputs", "outputs"):
        if key not in arch:
            raise ConfigError(f"arch: {key!r} is required")
    out = {**copy.deepcopy(ARCH_DEFAULTS), **copy.deepcopy(arch)}
    out["inputs"] = _check_size("inputs", out["inputs"])
    out["outputs"] = _check_size("outputs", out["outputs"])
    if not isinstance(out["hidden"], (list, tuple)) or not out["hidden"]:
        raise ConfigError(f"arch: hidden={out['hidden']!r} must be a non-empty list of sizes")
    out["hidden"] = [_check_size(f"hidden[{k}]", h) for k, h in enumerate(out["hidden"])]
    check_choice("arch.neuron", out["neuron"], NEURONS)
    check_choice("arch.reset", out["reset"], RESETS)
    check_choice("arch.surrogate", out["surrogate"], SURROGATES)

    check_choice("arch.encoding", out["encoding"], ENCODINGS)
    n = len(out["hidden"])
    out["beta"] = [_snap_decay("beta", b) for b in _per_layer(out, "beta", n)]
    out["alpha"] = [_snap_decay("alpha", a) for a in _per_layer(out, "alpha", n)]
    out["threshold"] = _per_layer(out, "threshold", n)
    for thr in out["threshold"]:
        if not 0.0 < thr <= MAX_THRESHOLD:
            raise ConfigError(f"arch: threshold={thr} must lie in (0, {MAX_THRESHOLD}]")
    out["readout_beta"] = _snap_decay("readout_beta", out["readout_beta"])
    if not isinstance(out["num_steps"], int) or not 1 <= out["num_steps"] <= 4096:
        raise ConfigError(f"arch: num_steps={out['num_steps']!r} must be an integer in [1, 4096]")
    bits = out["weight_bits"]
    if bits is not None and (not isinstance(bits, int) or not 2 <= bits <= 16):
        raise ConfigError(f"arch: weight_bits={bits!r} must be null or an integer in [2, 16]")
    if not 0.0 < float(out["weight_percentile"]) <= 100.0:
        raise ConfigError(
            f"arch: weight_percentile={out['weight_percentile']} must lie in (0, 100]"
        )
    out["recurrent"], out["bias"] = bool(out["recurrent"]), bool(out["bias"])
    if out["neuron"] == "lif":
        out.pop("alpha")
    return out


class HiddenLayer(nn.Module):
    """fc (+ rec) -> snntorch neuron. `rec` is None unless the arch is recurrent."""

    def __init__(self, n_in: int, n_out: int, arch: dict, k: int, spike_grad) -> None:
        super().__init__()
        self.fc = nn.Linear(n_in, n_out, bias=arch["bias"])
        self.rec = nn.Linear(n_out, n_out, bias=False) if arch["recurrent"] else None
        common = {
            "beta": arch["beta"][k],
            "threshold": arch["threshold"][k],
            "spike_grad": spike_grad,
            "reset_mechanism": arch["reset"],
        }
        if arch["neuron"] == "lif":
            self.neuron = snn.Leaky(**common)
        else:
            self.neuron = snn.Synaptic(alpha=arch["alpha"][k], **common)


class Readout(nn.Module):
    """fc -> LI neuron (snntorch Leaky, reset_mechanism="none"); its membrane is the output."""

    def __init__(self, n_in: int, n_out: int, arch: dict) -> None:
        super().__init__()
        self.fc = nn.Linear(n_in, n_out, bias=arch["bias"])
        self.neuron = snn.Leaky(beta=arch["readout_beta"], reset_mechanism="none")


class SpikingStudent(nn.Module):
    """A dense spiking network built from an `arch` dict (see `validate_arch`, ARCH_DEFAULTS).

    Per step t = 0..T-1, for hidden layer k (input x[t] = the input spikes for k = 0, else layer
    k-1's spikes S_{k-1}[t]); every state starts at zero; H(v) = 1 if v > 0 else 0; R[t] = S[t-1]
    (0 at t = 0) is snntorch's detached reset signal H(U[t-1] - theta):

        I[t] = fc(x[t]) + rec(S[t-1])                  (rec only when recurrent)
        LIF, reset "subtract":  U[t] = beta * U[t-1] + I[t] - R[t] * theta
        LIF, reset "zero":      U[t] = beta * ((1 - R[t]) * U[t-1]) + I[t]
        CubaLIF:                J[t] = alpha * J[t-1] + I[t]
                 "subtract":    U[t] = beta * U[t-1] + J[t] - R[t] * theta
                 "zero":        U[t] = (beta * U[t-1] + J[t]) - R[t] * (beta * U[t-1] + J[t])
        S[t] = H(U[t] - theta)

    Readout (LI, no reset, no spikes used): V[t] = readout_beta * V[t-1] + fc_out(S_last[t]).
    Layers are updated in order within a step, so a spike reaches the readout in the same step.
    The surrogate gradient (arch "surrogate") only shapes training, never the forward values.

    With `weight_bits` set, every weight and bias is fake-quantised (`fake_quant`) per population
    (hidden layer k: fc, rec and bias together; the readout: fc and bias) before use.

    Example:
        >>> student = SpikingStudent({"inputs": 192, "hidden": [64], "outputs": 10})
        >>> out = student(torch.zeros(16, 4, 192))      # [T, B, inputs] spikes
        >>> out.readout.shape, out.hidden_spikes[0].shape
        (torch.Size([16, 4, 10]), torch.Size([16, 4, 64]))
    """

    history: list[dict]  # fit's per-epoch log, attached once trained

    def __init__(self, arch: dict) -> None:
        super().__init__()
        self.arch = validate_arch(arch)
        spike_grad = SURROGATES[self.arch["surrogate"]]()
        sizes = [self.arch["inputs"], *self.arch["hidden"]]
        self.hidden = nn.ModuleList(
            HiddenLayer(sizes[k], sizes[k + 1], self.arch, k, spike_grad)
            for k in range(len(self.arch["hidden"]))
        )
        self.readout = Readout(sizes[-1], self.arch["outputs"], self.arch)

    @property
    def hidden_layers(self) -> list[HiddenLayer]:
        """`hidden`, typed: a ModuleList yields plain Modules to a type checker."""
        return [cast(HiddenLayer, layer) for layer in self.hidden]

    # -- weights as the forward pass uses them ------------------------------------------------

    def populations(self) -> dict[str, tuple[nn.Linear, nn.Linear | None]]:
        """Target populations and their incoming layers: hidden0.., readout."""
        pops = {f"hidden{k}": (layer.fc, layer.rec) for k, layer in enumerate(self.hidden_layers)}
        pops["readout"] = (self.readout.fc, None)
        return pops

    def frac_bits(self) -> dict[str, int]:
        """Fractional bits per population under `weight_bits` (empty dict for a float student)."""
        bits = self.arch["weight_bits"]
        if bits is None:
            return {}
        pct = float(self.arch["weight_percentile"])
        return {
            name: fake_quant.frac_bits([m.weight for m in (fc, rec) if m is not None], bits, pct)
            for name, (fc, rec) in self.populations().items()
        }

    def effective_parameters(self) -> dict[str, dict[str, torch.Tensor | None]]:
        """Per population: the `fc` weight, `bias` and `rec` weight the forward pass uses."""
        bits, fracs = self.arch["weight_bits"], self.frac_bits()
        out = {}
        for name, (fc, rec) in self.populations().items():
            tensors = {"fc": fc.weight, "bias": fc.bias, "rec": None if rec is None else rec.weight}
            if bits is not None:
                tensors = {
                    key: None if t is None else fake_quant.quantise(t, fracs[name], bits)
                    for key, t in tensors.items()
                }
            out[name] = tensors
        return out

    # -- forward --------------------------------------------------------------------------------

    def forward(self, spikes: torch.Tensor, engine: str = "snntorch") -> StudentOutput:
        """Run `spikes` [T, B, inputs] through the network; see the class docstring.

        engine "snntorch" steps the snntorch neuron modules; "fused" computes the same equations
        layer by layer (one matmul over all steps for each feed-forward layer, the neuron update
        inlined, hand-written BPTT), which trains faster. Both give the same spikes; membranes
        agree up to the float rounding of a batched versus a per-step matmul (tests pin both,
        and the gradients).
        """
        if spikes.ndim != 3 or spikes.shape[2] != self.arch["inputs"]:
            raise ConfigError(
                f"student input must be [T, B, {self.arch['inputs']}], got {tuple(spikes.shape)}"
            )
        params = self.effective_parameters()
        if engine == "snntorch":
            return self._forward_snntorch(spikes, params)
        if engine == "fused":
            return self._forward_fused(spikes, params)
        check_choice("engine", engine, ENGINES)
        raise AssertionError  # unreachable

    def _forward_snntorch(self, spikes: torch.Tensor, params: dict) -> StudentOutput:
        steps, batch = spikes.shape[:2]
        cubalif = self.arch["neuron"] == "cubalif"
        zeros = [spikes.new_zeros(batch, h) for h in self.arch["hidden"]]
        mem, syn, last_spk = list(zeros), list(zeros), list(zeros)
        out_mem = spikes.new_zeros(batch, self.arch["outputs"])
        readout = []
        recorded: list[list[torch.Tensor]] = [[] for _ in self.hidden]
        for t in range(steps):
            x = spikes[t]
            for k, layer in enumerate(self.hidden_layers):
                p = params[f"hidden{k}"]
                cur = F.linear(x, p["fc"], p["bias"])
                if p["rec"] is not None:
                    cur = cur + F.linear(last_spk[k], p["rec"])
                if cubalif:
                    x, syn[k], mem[k] = layer.neuron(cur, syn[k], mem[k])
                else:
                    x, mem[k] = layer.neuron(cur, mem[k])
                last_spk[k] = x
                recorded[k].append(x)
            p = params["readout"]
            _, out_mem = self.readout.neuron(F.linear(x, p["fc"], p["bias"]), out_mem)
            readout.append(out_mem)
        return StudentOutput(torch.stack(readout), [torch.stack(r) for r in recorded])

    def _forward_fused(self, spikes: torch.Tensor, params: dict) -> StudentOutput:
        x = spikes
        recorded = []
        for k, layer in enumerate(self.hidden_layers):
            p = params[f"hidden{k}"]
            neuron = layer.neuron
            alpha = neuron.alpha.clamp(0, 1) if self.arch["neuron"] == "cubalif" else neuron.beta
            rec = p["rec"] if p["rec"] is not None else x.new_empty(0)
            x = FusedLayer.apply(
                F.linear(x, p["fc"], p["bias"]),
                rec,
                neuron.beta.clamp(0, 1),
                alpha,
                neuron.threshold,
                self.arch["neuron"],
                self.arch["reset"],
                self.arch["surrogate"],
            )
            recorded.append(x)
        p = params["readout"]
        current = F.linear(x, p["fc"], p["bias"])
        beta = self.readout.neuron.beta.clamp(0, 1)
        mem = current.new_zeros(current.shape[1:])
        readout = []
        for t in range(current.shape[0]):
            mem = beta * mem + current[t]
            readout.append(mem)
        return StudentOutput(torch.stack(readout), recorded)
