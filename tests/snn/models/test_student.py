"""SpikingStudent: arch validation, the docstring's equations, and the two engines agreeing."""

import numpy as np
import pytest
import torch
from naive import snn_student

from snn.errors import ConfigError
from snn.models import SpikingStudent, validate_arch
from snn.models.student import DECAY_SCALE

VARIANTS = [
    (neuron, reset, recurrent)
    for neuron in ("lif", "cubalif")
    for reset in ("subtract", "zero")
    for recurrent in (False, True)
]


def _student(neuron="lif", reset="subtract", recurrent=False, **extra):
    torch.manual_seed(0)
    arch = {
        "inputs": 12,
        "hidden": [9, 7],
        "outputs": 4,
        "neuron": neuron,
        "reset": reset,
        "recurrent": recurrent,
        "beta": [0.8, 0.7],
        "alpha": 0.6,
        "threshold": [0.5, 0.8],
        "readout_beta": 0.75,
        **extra,
    }
    student = SpikingStudent(arch)
    with torch.no_grad():  # large weights, so every layer spikes and resets
        for p in student.parameters():
            p.mul_(4)
    return student


def _spikes(steps=10, batch=3, inputs=12, seed=1):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(steps, batch, inputs, generator=g) < 0.4).float()


@pytest.mark.parametrize(("neuron", "reset", "recurrent"), VARIANTS)
def test_forward_follows_the_docstring_equations(neuron, reset, recurrent):
    student = _student(neuron, reset, recurrent)
    spikes = _spikes()
    out = student(spikes)
    params = {
        pop: {k: None if t is None else t.detach().double().numpy() for k, t in p.items()}
        for pop, p in student.effective_parameters().items()
    }
    for b in range(spikes.shape[1]):
        readout, hidden = snn_student.run(student.arch, params, spikes[:, b].numpy())
        np.testing.assert_allclose(out.readout[:, b].detach().numpy(), readout, atol=1e-4)
        for k, h in enumerate(hidden):
            np.testing.assert_array_equal(out.hidden_spikes[k][:, b].detach().numpy(), h)
    assert (
        0 < float(out.hidden_spikes[-1].mean().detach()) < 1
    )  # the case exercises firing and silence


@pytest.mark.parametrize(("neuron", "reset", "recurrent"), VARIANTS)
@pytest.mark.parametrize("surrogate", ["atan", "fast_sigmoid"])
def test_fused_engine_equals_snntorch_values_and_gradients(neuron, reset, recurrent, surrogate):
    student = _student(neuron, reset, recurrent, surrogate=surrogate)
    spikes = _spikes()
    outs, grads = {}, {}
    for engine in ("snntorch", "fused"):
        student.zero_grad()
        out = student(spikes, engine=engine)
        loss = (out.readout**2).mean() + sum(0.01 * s.sum() for s in out.hidden_spikes)
        loss.backward()
        outs[engine] = out
        grads[engine] = [p.grad.clone() for p in student.parameters()]
    # the batched matmul may round differently from per-step ones: membranes agree to float
    # rounding, spikes exactly
    torch.testing.assert_close(
        outs["snntorch"].readout, outs["fused"].readout, rtol=1e-6, atol=1e-5
    )
    for a, b in zip(outs["snntorch"].hidden_spikes, outs["fused"].hidden_spikes, strict=True):
        assert torch.equal(a, b)
    for a, b in zip(grads["snntorch"], grads["fused"], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5 * float(a.abs().max()) + 1e-7)


def test_subtract_reset_step_by_step():
    # one neuron, weight 1, threshold 1, beta 0.5: U = 0.5 U + x - S[t-1]
    student = SpikingStudent(
        {"inputs": 1, "hidden": [1], "outputs": 1, "beta": 0.5, "bias": False, "readout_beta": 0.5}
    )
    with torch.no_grad():
        student.hidden[0].fc.weight.fill_(1.5)
        student.readout.fc.weight.fill_(2.0)
    out = student(torch.ones(4, 1, 1))
    # U: 1.5 (spike), 0.75+1.5-1 = 1.25 (spike), 0.625+1.5-1 = 1.125 (spike), 1.0625 (spike)
    assert out.hidden_spikes[0].flatten().tolist() == [1.0, 1.0, 1.0, 1.0]
    # readout V = 0.5 V + 2 S
    assert out.readout.flatten().tolist() == [2.0, 3.0, 3.5, 3.75]


def test_zero_reset_clears_the_previous_membrane_only():
    student = SpikingStudent(
        {"inputs": 1, "hidden": [1], "outputs": 1, "beta": 0.5, "bias": False, "reset": "zero"}
    )
    with torch.no_grad():
        student.hidden[0].fc.weight.fill_(0.6)
    out = student(torch.ones(4, 1, 1), engine="snntorch")
    # U: 0.6, 0.9, 1.05 (spike), then 0.5 * 0 + 0.6 = 0.6
    assert out.hidden_spikes[0].flatten().tolist() == [0.0, 0.0, 1.0, 0.0]


def test_decays_snap_to_s0_15_and_bad_arch_is_rejected():
    arch = validate_arch({"inputs": 4, "outputs": 2, "beta": 0.9, "readout_beta": 0.3})
    assert arch["beta"] == [round(0.9 * DECAY_SCALE) / DECAY_SCALE]
    assert arch["readout_beta"] * DECAY_SCALE == round(0.3 * DECAY_SCALE)
    assert "alpha" not in arch  # only CubaLIF students carry alpha
    bad = [
        ({"outputs": 2}, "inputs"),
        ({"inputs": 4, "outputs": 2, "beta": 1.0}, "beta=1.0"),
        ({"inputs": 4, "outputs": 2, "neuron": "izh"}, "arch.neuron"),
        ({"inputs": 4, "outputs": 2, "reset": "none"}, "arch.reset"),
        ({"inputs": 4, "outputs": 2, "hidden": [0]}, "hidden[0]"),
        ({"inputs": 4, "outputs": 2, "hidden": [20000]}, "16384"),
        ({"inputs": 4, "outputs": 2, "threshold": -1}, "threshold"),
        ({"inputs": 4, "outputs": 2, "hidden": [3, 3], "beta": [0.9]}, "beta has 1 values"),
        ({"inputs": 4, "outputs": 2, "weight_bits": 32}, "weight_bits"),
        ({"inputs": 4, "outputs": 2, "colour": 1}, "unknown key"),
    ]
    for arch, fragment in bad:
        with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
            validate_arch(arch)


def test_input_shape_and_engine_are_checked():
    student = SpikingStudent({"inputs": 4, "outputs": 2})
    with pytest.raises(ConfigError, match=r"\[T, B, 4\]"):
        student(torch.zeros(3, 4))
    with pytest.raises(ConfigError, match="engine"):
        student(torch.zeros(3, 1, 4), engine="cuda")


def test_fake_quantised_forward_uses_grid_weights():
    student = _student(weight_bits=8)
    fracs = student.frac_bits()
    assert set(fracs) == {"hidden0", "hidden1", "readout"}
    for name, params in student.effective_parameters().items():
        scale = 2.0 ** fracs[name]
        for t in params.values():
            if t is not None:
                raw = t.detach() * scale
                assert torch.equal(raw, torch.round(raw))
                assert raw.abs().max() <= 128
    # the straight-through estimator lets the float weights learn
    out = student(_spikes())
    out.readout.sum().backward()
    assert student.hidden[0].fc.weight.grad.abs().sum() > 0
