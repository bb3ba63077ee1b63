"""Spatial NIR nodes -> one sparse affine map per chain: how convolutional graphs reach the core.

Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, Scale, Linear and Affine are all linear (plus a
bias) on the flattened neurons, so every chain of them between a source (the Input or a neuron)
and a neuron is one matrix [out, in] and one bias vector. `lower` replaces each chain of two or
more such nodes, and every lone spatial node, by a `SpatialAffine` named after the chain's last
node; the importer then treats it like an Affine. Flattening is NIR's and PyTorch's C-order:
neuron (c, h, w) of a C x H x W map is index (c * H + h) * W + w. docs/semantics.md section 10.
"""

from __future__ import annotations

from dataclasses import dataclass

import nir
import numpy as np
import scipy.sparse

from riscv_soc.errors import ConfigError

SPATIAL = (nir.Conv1d, nir.Conv2d, nir.SumPool2d, nir.AvgPool2d, nir.Flatten, nir.Scale)
LINEAR = (nir.Linear, nir.Affine, *SPATIAL)


@dataclass(frozen=True)
class SpatialAffine:
    """A chain of linear NIR nodes as one map: y = weight @ x + bias over flattened neurons.

    `weight`: scipy.sparse CSR [out, in]; `bias`: float [out]; `nodes`: the chain, source side
    first; `shape`: the output's (C, H, W)-style shape, for a spatial node after the target.
    """

    weight: scipy.sparse.csr_array
    bias: np.ndarray
    nodes: tuple[str, ...]
    shape: tuple[int, ...]


@dataclass(frozen=True)
class LoweredGraph:
    """The graph with its linear chains collapsed: what `_Graph` in the importer reads."""

    nodes: dict
    edges: list[tuple[str, str]]


def lower(graph: nir.NIRGraph, where: str) -> LoweredGraph:
    """`graph` with every chain of linear nodes that needs it replaced by one SpatialAffine."""
    nodes = dict(graph.nodes)
    succ: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {}
    for a, b in graph.edges:
        succ.setdefault(a, []).append(b)
        pred.setdefault(b, []).append(a)

    def linear(name):
        return isinstance(nodes.get(name), LINEAR)

    def chain_from(first):  # follow single links while the nodes stay linear
        chain = [first]
        while len(succ.get(chain[-1], [])) == 1 and linear(succ[chain[-1]][0]):
            nxt = succ[chain[-1]][0]
            if len(pred.get(nxt, [])) != 1 or nxt in chain:
                break
            chain.append(nxt)
        return chain

    def continues(name):  # the node extends the chain of its single linear predecessor
        ups = pred.get(name, [])
        return len(ups) == 1 and linear(ups[0]) and len(succ[ups[0]]) == 1

    heads = [k for k in nodes if linear(k) and not continues(k)]
    chains = [chain_from(h) for h in heads]
    chains = [c for c in chains if len(c) > 1 or isinstance(nodes[c[0]], SPATIAL)]
    for chain in chains:
        if len(pred.get(chain[0], [])) != 1:
            raise ConfigError(
                f"{where}: node {chain[0]!r} has {len(pred.get(chain[0], []))} inputs; want one"
            )
    shapes = _Shapes(nodes, pred, {c[-1]: c for c in chains}, where)
    lowered, replaced = dict(nodes), {}
    for chain in chains:
        replaced.update(dict.fromkeys(chain, chain[-1]))
        for k in chain[:-1]:
            del lowered[k]
        lowered[chain[-1]] = shapes.chain(chain[-1])
    edges = [(replaced.get(a, a), replaced.get(b, b)) for a, b in graph.edges]
    return LoweredGraph(lowered, [(a, b) for a, b in edges if a != b])


def compose(chain: list[tuple[str, object]], in_shape: tuple[int, ...], where: str):
    """The SpatialAffine of `chain` ((name, node) pairs, source side first) fed `in_shape`."""
    n = int(np.prod(in_shape))
    weight = scipy.sparse.identity(n, format="csr")
    bias, shape = np.zeros(n), tuple(int(s) for s in in_shape)
    for name, node in chain:
        m, b, shape = node_map(node, shape, f"{where}: node {name!r} ({type(node).__name__})")
        weight, bias = m @ weight, m @ bias + b
    weight = scipy.sparse.csr_array(weight)
    weight.eliminate_zeros()
    return SpatialAffine(weight, bias, tuple(k for k, _ in chain), shape)


def node_map(node, shape: tuple[int, ...], at: str):
    """(matrix [out, in], bias [out], output shape) of one linear node fed `shape`."""
    n = int(np.prod(shape))
    if isinstance(node, nir.Flatten):
        return scipy.sparse.identity(n, format="csr"), np.zeros(n), (n,)
    if isinstance(node, nir.Scale):
        scale = np.asarray(node.scale, np.float64).ravel()
        if scale.size not in (1, n):
            raise ConfigError(f"{at}: scale has {scale.size} values for {n} inputs")
        return scipy.sparse.diags_array(np.broadcast_to(scale, (n,))).tocsr(), np.zeros(n), shape
    if isinstance(node, (nir.Linear, nir.Affine)):
        weight = np.asarray(node.weight, np.float64)
        if weight.ndim != 2 or weight.shape[1] != n:
            raise ConfigError(f"{at}: weight shape {weight.shape}, want (out, {n})")
        bias = np.asarray(node.bias, np.float64) if isinstance(node, nir.Affine) else 0.0
        out = weight.shape[0]
        return scipy.sparse.csr_array(weight), np.broadcast_to(bias, (out,)), (out,)
    if isinstance(node, (nir.Conv1d, nir.Conv2d)):
        return _conv_node(node, shape, at)
    return _pool_node(node, shape, at)


def _conv_node(node, shape, at):
    nd = 1 if isinstance(node, nir.Conv1d) else 2
    weight = np.asarray(node.weight, np.float64)
    if weight.ndim != nd + 2:
        raise ConfigError(f"{at}: weight has {weight.ndim} dimensions, want {nd + 2}")
    declared = node.input_shape
    declared = None if declared is None else (weight.shape[1] * node.groups, *np.ravel(declared))
    in_shape = _spatial_shape(shape, nd, declared, at)
    m, out_shape = conv_matrix(
        weight, in_shape, node.stride, node.padding, node.dilation, int(node.groups), at
    )
    bias = np.repeat(
        np.broadcast_to(np.asarray(node.bias, np.float64), (weight.shape[0],)),
        int(np.prod(out_shape[1:])),
    )
    return m, bias, out_shape


def _pool_node(node, shape, at):
    """Sum and average pooling as a depthwise convolution (PyTorch's avg_pool2d divides by the
    kernel's size, padding included); stride None means the kernel size."""
    declared = node.input_type.get("input") if node.input_type else None
    c, *spatial = _spatial_shape(shape, 2, declared, at)
    kernel = _pair(node.kernel_size, 2, at, "kernel_size")
    value = 1.0 if isinstance(node, nir.SumPool2d) else 1.0 / float(np.prod(kernel))
    stride = kernel if node.stride is None else node.stride
    padding = 0 if node.padding is None else node.padding
    m, out = conv_matrix(np.full((c, 1, *kernel), value), (c, *spatial), stride, padding, 1, c, at)
    return m, np.zeros(m.shape[0]), out


def _spatial_shape(shape, nd, declared, at) -> tuple[int, ...]:
    """(C, *spatial) for an nd-dimensional node fed `shape`, else the node's declared shape."""
    shape = tuple(shape)
    while len(shape) > nd + 1 and shape[0] == 1:  # a batch dimension of one
        shape = shape[1:]
    if len(shape) == nd + 1:
        return shape
    if declared is not None and np.prod(declared) == np.prod(shape) and len(declared) == nd + 1:
        return tuple(int(s) for s in declared)
    raise ConfigError(
        f"{at}: input of shape {tuple(shape)} is not (channels, {nd} spatial dims) and the node "
        f"declares no input shape of the same size ({declared})"
    )


def _pair(value, nd: int, at: str, field: str) -> tuple[int, ...]:
    v = np.ravel(np.asarray(value)).astype(np.int64)
    if v.size == 1:
        v = np.repeat(v, nd)
    if v.size != nd or v.min() < 0:
        raise ConfigError(f"{at}: {field}={np.ravel(value).tolist()}, want {nd} values >= 0")
    return tuple(int(x) for x in v)


def conv_matrix(weight, in_shape, stride, padding, dilation, groups, at):
    """(CSR [out, in], output shape) of PyTorch's conv{1,2}d: cross-correlation with zero
    padding ("same": total dilation*(k-1), the smaller half first), stride, dilation, groups."""
    nd = weight.ndim - 2
    c_out, c_in_g, *kernel = weight.shape
    c_in, *spatial = in_shape
    if groups < 1 or c_out % groups or c_in != c_in_g * groups:
        raise ConfigError(
            f"{at}: {c_in} input channels, weight {weight.shape} and groups={groups} do not fit"
        )
    stride = np.array(_pair(stride, nd, at, "stride"))
    dilation = np.array(_pair(dilation, nd, at, "dilation"))
    if stride.min() < 1 or dilation.min() < 1:
        raise ConfigError(f"{at}: stride {stride} and dilation {dilation} must be >= 1")
    reach = dilation * (np.array(kernel) - 1)  # the kernel's extent minus one
    same = isinstance(padding, str) and padding == "same"
    if same and stride.max() > 1:
        raise ConfigError(f"{at}: padding 'same' needs stride 1, got {stride.tolist()}")
    lo = reach // 2 if same else np.zeros(nd, np.int64)
    if not isinstance(padding, str):
        lo = np.array(_pair(padding, nd, at, "padding"))
    hi = reach - lo if same else lo
    out = tuple(int(v) for v in (np.array(spatial) + lo + hi - reach - 1) // stride + 1)
    if min(out) < 1:
        raise ConfigError(f"{at}: input {tuple(in_shape)} gives an empty output {out}")
    grid = np.indices(out).reshape(nd, -1)  # output positions [nd, P]
    per_group = c_out // groups
    co = np.arange(c_out)[:, None, None]
    ci = (co // per_group) * c_in_g + np.arange(c_in_g)[None, :, None]  # [c_out, c_in_g, 1]
    rows, cols, vals = [], [], []
    for k in np.ndindex(*kernel):
        pos = grid * stride[:, None] - lo[:, None] + (dilation * np.array(k))[:, None]
        ok = np.all((pos >= 0) & (pos < np.array(spatial)[:, None]), axis=0)
        flat = np.ravel_multi_index(pos[:, ok], spatial)  # in-map index of each valid output
        p = np.flatnonzero(ok)
        rows.append(np.broadcast_to(co * len(grid[0]) + p, (c_out, c_in_g, p.size)).ravel())
        cols.append((ci * int(np.prod(spatial)) + flat).ravel())
        index = (slice(None), slice(None), *k)  # every (out, in) channel pair at offset k
        w = weight[index][:, :, None]
        vals.append(np.broadcast_to(w, (c_out, c_in_g, p.size)).ravel())
    n_out, n_in = c_out * grid.shape[1], c_in * int(np.prod(spatial))
    m = scipy.sparse.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_out, n_in)
    ).tocsr()
    return m, (c_out, *out)


class _Shapes:
    """Each chain's SpatialAffine and each source's output shape: Input's type, a neuron's
    parameter shape when it has more than one dimension, else what its incoming chain gives."""

    def __init__(self, nodes, pred, chains: dict, where: str):
        self.nodes, self.pred, self.chains, self.where = nodes, pred, chains, where
        self.memo: dict = {}
        self.lowered: dict = {}

    def chain(self, last: str) -> SpatialAffine:
        if last not in self.lowered:
            chain = self.chains[last]
            source = self.of(self.pred[chain[0]][0])
            self.lowered[last] = compose([(k, self.nodes[k]) for k in chain], source, self.where)
        return self.lowered[last]

    def of(self, name: str) -> tuple[int, ...]:
        if name not in self.memo:
            self.memo[name] = None  # a cycle back here falls through to the parameter shape
            self.memo[name] = self._shape(name)
        return self.memo[name]

    def _shape(self, name):
        node = self.nodes[name]
        if isinstance(node, nir.Input):
            return tuple(int(s) for s in np.ravel(node.input_type["input"]))
        params = [np.shape(v) for v in vars(node).values() if isinstance(v, np.ndarray)]
        spatial = [s for s in params if len(s) > 1]
        if spatial:
            return tuple(int(s) for s in spatial[0])
        for p in self.pred.get(name, []):  # skip the links that close a cycle
            if p in self.chains and self.memo.get(self.pred[self.chains[p][0]][0], ()) is not None:
                return self.chain(p).shape
            if isinstance(self.nodes[p], nir.Delay) and self.memo.get(p, ()) is not None:
                return self.of(p)
        return (max([int(np.prod(s)) for s in params] or [1]),)
