"""NIR import (snntorch's mapping, NIR resets, delays, errors) and export (nir.read, snntorch)."""

import nir
import numpy as np
import pytest
import torch
from naive.snntorch_nets import Student

from riscv_soc.errors import ConfigError
from riscv_soc.nir import bundle_to_graph, from_graph, read_nir, student_to_graph, write_graph
from riscv_soc.nir.models import quant_config
from riscv_soc.quant import QuantConfig, quantise


def _lif(n, tau=1e-4 / 0.1, thr=1.0, **kw):
    ones = np.ones(n)
    return nir.LIF(
        tau=tau * ones,
        r=tau / 1e-4 * ones,
        v_leak=0 * ones,
        v_threshold=thr * ones,
        v_reset=0 * ones,
        **kw,
    )


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges)


def test_snntorch_mapping_gives_beta_and_nir_reset():
    w = np.arange(12.0).reshape(4, 3) / 10
    g = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([3])}),
            "fc": nir.Linear(weight=w),
            "lif": _lif(4),
            "out": nir.Output(output_type={"output": np.array([4])}),
        },
        [("in", "fc"), ("fc", "lif"), ("lif", "out")],
    )
    net = from_graph(g)
    pop = net.populations[0]
    assert np.isclose(pop.beta, 0.9) and pop.reset == "value" and net.readout == "count"
    np.testing.assert_allclose(net.projections[0].weight, w.T)  # r = tau/dt: input gain 1


def test_delay_node_becomes_per_synapse_delays():
    g = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([2])}),
            "fc": nir.Linear(weight=np.ones((3, 2))),
            "d": nir.Delay(delay=np.array([0, 2e-4, 5e-4])),
            "li": nir.LI(tau=np.ones(3) * 1e-3, r=np.ones(3) * 10, v_leak=np.zeros(3)),
            "out": nir.Output(output_type={"output": np.array([3])}),
        },
        [("in", "fc"), ("fc", "d"), ("d", "li"), ("li", "out")],
    )
    net = from_graph(g)
    np.testing.assert_array_equal(net.projections[0].delay, [[0, 2, 5], [0, 2, 5]])
    bundle = quantise(net)
    assert bundle.projections[0].layout == "delayed" and bundle.population("li").delay_slots == 8


def test_unsupported_and_inhomogeneous_nodes_are_named():
    g = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([4])}),
            "c": nir.NIRGraph(  # a subgraph
                nodes={
                    "i": nir.Input(input_type={"input": np.array([4])}),
                    "o": nir.Output(output_type={"output": np.array([4])}),
                },
                edges=[("i", "o")],
            ),
            "out": nir.Output(output_type={"output": np.array([4])}),
        },
        [("in", "c"), ("c", "out")],
    )
    with pytest.raises(ConfigError, match="node 'c' is a NIRGraph, which the core does not"):
        from_graph(g)
    lif = _lif(3)
    lif.tau = np.array([1e-3, 2e-3, 1e-3])
    g = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([2])}),
            "fc": nir.Linear(weight=np.ones((3, 2))),
            "lif": lif,
            "out": nir.Output(output_type={"output": np.array([3])}),
        },
        [("in", "fc"), ("fc", "lif"), ("lif", "out")],
    )
    with pytest.raises(ConfigError, match="node 'lif' \\(LIF\\): tau is not homogeneous"):
        from_graph(g)


def test_student_export_reads_back_and_snntorch_imports_it(tmp_path):
    torch.manual_seed(0)
    st = Student([8, 16, 4], neuron="cubalif", recurrent=True, reset="zero", bias=True)
    write_graph(student_to_graph(st, num_steps=12), tmp_path / "s.nir")
    graph = nir.read(tmp_path / "s.nir")
    assert graph.nodes["hidden0"].metadata["snnsoc"]["reset"] == "zero"
    net = read_nir(tmp_path / "s.nir")
    assert net.num_steps == 12 and net.population("hidden0").reset == "value_after"
    assert [(p.source, p.target) for p in net.projections] == [
        ("input", "hidden0"),
        ("hidden0", "hidden0"),
        ("hidden0", "readout"),
    ]
    # snntorch's own importer accepts a feed-forward LIF graph of ours and runs it
    from snntorch.import_nir import import_from_nir

    ff = torch.nn.Sequential(
        torch.nn.Linear(5, 7),
        Student([1, 1, 1]).hidden[0].neuron.__class__(beta=0.8, reset_mechanism="subtract"),
    )
    write_graph(student_to_graph(ff), tmp_path / "ff.nir")
    module = import_from_nir(nir.read(tmp_path / "ff.nir"))
    out = module(torch.ones(2, 5))
    assert out is not None


def test_bundle_export_keeps_the_sidecar(tmp_path):
    torch.manual_seed(1)
    st = Student([6, 10, 3])
    bundle = quantise(from_graph(student_to_graph(st)), QuantConfig(rounding="sr"))
    write_graph(bundle_to_graph(bundle), tmp_path / "q.nir")
    g = nir.read(tmp_path / "q.nir")
    side = g.nodes["hidden0"].metadata["snnsoc"]
    assert (
        side["rounding"]["v_decay"] == "sr"
        and int(side["frac_bits"]) == bundle.populations[0].frac_bits
    )
    again = quantise(
        read_nir(tmp_path / "q.nir"), QuantConfig(frac_bits=int(side["frac_bits"]), weight_bits=16)
    )
    np.testing.assert_array_equal(again.projections[0].words, bundle.projections[0].words)


def test_unreadable_file(tmp_path):
    (tmp_path / "x.nir").write_bytes(b"not hdf5")
    with pytest.raises(ConfigError, match="x.nir: not a readable NIR graph"):
        read_nir(tmp_path / "x.nir")


def test_quant_config_takes_the_students_fake_quantisation_unless_told():
    def network(**hints):
        graph = _graph(
            {
                "input": nir.Input(np.array([3])),
                "fc": nir.Linear(np.ones((2, 3))),
                "lif": _lif(2),
                "output": nir.Output(np.array([2])),
            },
            [("input", "fc"), ("fc", "lif"), ("lif", "output")],
        )
        net = from_graph(graph)
        if hints:
            net.meta["quant_hints"] = hints
        return net

    student = {"weight_bits": 16, "percentile": 99.5}
    assert quant_config(network(**student), rounding="sr") == QuantConfig(
        weight_bits=16, percentile=99.5, rounding="sr"
    )
    assert quant_config(network(**student), weight_bits=8).weight_bits == 8
    assert quant_config(network()) == QuantConfig()  # a plain graph: the quantiser's defaults
    net = network(**student)
    quant_config(net)
    assert "quant_hints" not in net.meta  # taken out: the bundle does not carry them
