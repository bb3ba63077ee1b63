"""Per-neuron time constants: a neuron node whose neurons decay at a few different rates becomes
one population per rate (the core has one decay per population).

Node `x` with k distinct (tau) or (tau_syn, tau_mem) values becomes `x.0` ... `x.{k-1}` (in order
of the values), each holding its neurons in their original order; every synapse into `x` keeps
the rows of each part and every synapse out of it the columns (`s.0`, ...). Only a node whose
neighbours are all synapses is split (not the output, not one next to a Delay); more than
MAX_PARTS parts are refused (each part is a population with its own update loop).
docs/semantics.md section 10.
"""

from __future__ import annotations

import dataclasses

import nir
import numpy as np
import scipy.sparse

from riscv_soc.errors import ConfigError
from riscv_soc.nir.lowering import LoweredGraph, SpatialAffine

SYNAPSES = (nir.Linear, nir.Affine, SpatialAffine)
DECAYS = {
    nir.LIF: ("tau",),
    nir.LI: ("tau",),
    nir.CubaLIF: ("tau_syn", "tau_mem"),
    nir.CubaLI: ("tau_syn", "tau_mem"),
}
MAX_PARTS = 8


def split_time_constants(graph: LoweredGraph, where: str) -> LoweredGraph:
    """`graph` with each neuron node of several time constants split into one node per value."""
    nodes, edges = dict(graph.nodes), list(graph.edges)
    for name, node in graph.nodes.items():
        parts = _parts(node)
        if parts is None:
            continue
        at = f"{where}: node {name!r} ({type(node).__name__})"
        _check_splittable(name, nodes, edges, len(parts), at)
        del nodes[name]
        for j, idx in enumerate(parts):
            nodes[f"{name}.{j}"] = _subset_neurons(node, idx)
        edges = _split_edges(name, parts, nodes, edges)
    return LoweredGraph(nodes, edges)


def _parts(node) -> list[np.ndarray] | None:
    """Neuron indices of each distinct time constant, or None for one (or an unsplittable size)."""
    fields = DECAYS.get(type(node))
    if fields is None:
        return None
    values = [np.ravel(np.asarray(getattr(node, f), np.float64)) for f in fields]
    n = max(v.size for v in values)
    if n == 1 or any(v.size not in (1, n) for v in values):
        return None  # one neuron, or sizes the importer refuses with its own message
    keys = np.stack([np.broadcast_to(v, (n,)) for v in values], axis=1)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    if len(unique) == 1:
        return None
    return [np.flatnonzero(inverse.ravel() == j) for j in range(len(unique))]


def _check_splittable(name, nodes, edges, count, at) -> None:
    if count > MAX_PARTS:
        raise ConfigError(
            f"{at}: {count} distinct time constants; at most {MAX_PARTS} (one population each)"
        )
    for a, b in edges:
        other = b if a == name else a if b == name else None
        if other is not None and not isinstance(nodes[other], SYNAPSES):
            fields = " and ".join(DECAYS[type(nodes[name])])
            raise ConfigError(
                f"{at}: {fields} is not homogeneous, and {other!r} is a "
                f"{type(nodes[other]).__name__}: only a node bordered by synapses splits into "
                "one population per time constant"
            )


def _subset_neurons(node, idx: np.ndarray):
    arrays = {
        f.name: np.ravel(getattr(node, f.name))
        for f in dataclasses.fields(node)
        if f.init and isinstance(getattr(node, f.name), np.ndarray)
    }
    n = max(v.size for v in arrays.values())
    return dataclasses.replace(
        node, **{k: np.broadcast_to(v, (n,))[idx].copy() for k, v in arrays.items()}
    )


def _split_edges(name: str, parts: list[np.ndarray], nodes: dict, edges: list) -> list:
    """Synapses into `name` split by rows, then synapses out of it by columns (a recurrent
    synapse is both: its rows first, then each row part's columns)."""
    for syn in [a for a, b in edges if b == name]:
        edges = _split_synapse(syn, name, parts, nodes, edges, "rows")
    for syn in [b for a, b in edges if a == name]:
        edges = _split_synapse(syn, name, parts, nodes, edges, "cols")
    return edges


def _split_synapse(syn, name, parts, nodes, edges, axis: str) -> list:
    """`syn` as one synapse per part (`syn.j`); its edge with `name` goes to `name.j`."""
    node = nodes.pop(syn)
    own = (syn, name) if axis == "rows" else (name, syn)
    out = [e for e in edges if syn not in e]
    for j, idx in enumerate(parts):
        part, neuron = f"{syn}.{j}", f"{name}.{j}"
        nodes[part] = _synapse_subset(node, **{axis: idx})
        for a, b in (e for e in edges if syn in e):
            if (a, b) == own:
                out.append((part, neuron) if axis == "rows" else (neuron, part))
            else:
                out.append((part if a == syn else a, part if b == syn else b))
    return out


def _synapse_subset(node, rows=None, cols=None):
    """The synapse with only the target neurons `rows` or the source neurons `cols`."""
    weight = node.weight
    if rows is not None:
        weight = weight[rows, :]
    if cols is not None:
        weight = weight[:, cols]
    if isinstance(node, nir.Linear):
        return dataclasses.replace(node, weight=weight)
    bias = node.bias if rows is None else np.broadcast_to(node.bias, (node.weight.shape[0],))[rows]
    if isinstance(node, nir.Affine):
        return dataclasses.replace(node, weight=weight, bias=bias)
    shape = node.shape if rows is None else (len(rows),)
    return dataclasses.replace(node, weight=scipy.sparse.csr_array(weight), bias=bias, shape=shape)
