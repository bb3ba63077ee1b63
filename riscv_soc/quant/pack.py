"""Packed synapse rows exactly as FeNN-DMA stores them (research/fenn.md 3.4).

The quantiser packs, the core and the compiler read these arrays as they are. One row per
presynaptic neuron, one int16 word per lane:

- dense: the weight itself, post dimension padded to a multiple of 32 lanes;
- sparse (ELL): target n lives in lane n mod 32 at lane-local row n div 32; word =
  (weight << b) | 2*(n div 32); a row is as many vectors as its busiest lane needs, every row is
  padded with word 0 (weight 0 into row 0) to the longest;
- delayed (dense): word = (weight << d) | 2*delay, for a ring of D = 2**(d-1) slots per neuron.
"""

from __future__ import annotations

import math

import numpy as np

from riscv_soc.soc import LANES


def padded(n: int) -> int:
    """n rounded up to a whole number of 32-lane vectors."""
    return -(-n // LANES) * LANES


def index_bits(n_post: int) -> int:
    """Smallest b with 2 * ceil(n_post / 32) <= 2**b: the byte offset of the last lane-local row."""
    return max(1, math.ceil(math.log2(2 * -(-n_post // LANES))))


def delay_bits(max_delay: int) -> int:
    """Smallest d whose ring of D = 2**(d-1) slots holds delays 0 to max_delay (D > max_delay)."""
    return max(0, math.ceil(math.log2(max_delay + 1))) + 1


def pack_dense(w_raw: np.ndarray) -> np.ndarray:
    """int16 [pre, padded(post)]: the weights, zero in the padding lanes."""
    pre, post = w_raw.shape
    out = np.zeros((pre, padded(post)), np.int16)
    out[:, :post] = w_raw
    return out


def pack_delayed(w_raw: np.ndarray, delay: np.ndarray, d: int) -> np.ndarray:
    """int16 [pre, padded(post)] of (weight << d) | 2*delay; weights must fit 16 - d bits."""
    pre, post = w_raw.shape
    words = (w_raw.astype(np.int32) << d) | (2 * delay.astype(np.int32))
    out = np.zeros((pre, padded(post)), np.int16)
    out[:, :post] = words.astype(np.uint16).view(np.int16)
    return out


def pack_sparse(
    pre: np.ndarray, post: np.ndarray, w_raw: np.ndarray, n_pre: int, b: int
) -> np.ndarray:
    """ELL rows int16 [n_pre, vectors * 32] from synapse lists (pre, post, weight).

    Within a lane, a row's targets appear in ascending post index; the row length in vectors is
    the largest number of targets any lane of any row receives. Lists already in (pre, post)
    order, as scipy's CSR gives them, are not sorted again; they are packed a block of rows at a
    time, so the temporaries stay small for millions of synapses.
    """
    pre, post, w = np.asarray(pre), np.asarray(post), np.asarray(w_raw)
    if not _ascending(pre, post):
        order = np.lexsort((post, pre))
        pre, post, w = pre[order], post[order], w[order]
    edges = np.searchsorted(pre, np.arange(0, n_pre + _BLOCK_ROWS, _BLOCK_ROWS))
    blocks = [slice(lo, hi) for lo, hi in zip(edges[:-1], edges[1:], strict=True) if hi > lo]
    vectors = max([_busiest_lane(pre[k], post[k]) for k in blocks], default=1)
    out = np.zeros((n_pre, vectors * LANES), np.int16)
    for k in blocks:
        row, post_k = pre[k].astype(np.int64), post[k].astype(np.int64)
        lane = post_k % LANES
        order = np.argsort(row * LANES + lane, kind="stable")  # (pre, lane), post still ascending
        row, post_k, lane, w_k = row[order], post_k[order], lane[order], w[k][order]
        group = row * LANES + lane
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        rank = np.arange(group.size) - np.repeat(starts, np.diff(np.r_[starts, group.size]))
        words = (w_k.astype(np.int32) << b) | (2 * (post_k // LANES)).astype(np.int32)
        out[row, rank * LANES + lane] = words.astype(np.uint16).view(np.int16)
    return out


_BLOCK_ROWS = 512  # rows packed together by pack_sparse


def _busiest_lane(pre: np.ndarray, post: np.ndarray) -> int:
    """The most targets any (row, lane) receives: a row's length in vectors."""
    key = (pre.astype(np.int64) - int(pre[0])) * LANES + post.astype(np.int64) % LANES
    return int(np.bincount(key).max())


def _ascending(pre: np.ndarray, post: np.ndarray) -> bool:
    """Whether the synapses are in (pre, post) order (ties allowed)."""
    for lo in range(0, max(pre.size - 1, 0), 1 << 22):  # in blocks: no full-size temporaries
        a, b = pre[lo : lo + (1 << 22) + 1], post[lo : lo + (1 << 22) + 1]
        dpre = np.diff(a)
        if not np.all((dpre > 0) | ((dpre == 0) & (np.diff(b) >= 0))):
            return False
    return True


def unpack_dense(words: np.ndarray, n_post: int) -> np.ndarray:
    return words[:, :n_post].astype(np.int64)


def unpack_sparse(words: np.ndarray, b: int, n_post: int) -> np.ndarray:
    """Dense int64 [pre, n_post] of the weights in ELL rows (padding words add nothing)."""
    w = words.astype(np.int64) >> b
    row = (words.astype(np.int64) & ((1 << b) - 1)) >> 1
    lane = np.arange(words.shape[1]) % LANES
    post = row * LANES + lane[None, :]
    dense = np.zeros((words.shape[0], padded(n_post)), np.int64)
    pre = np.broadcast_to(np.arange(words.shape[0])[:, None], words.shape)
    np.add.at(dense, (pre.ravel(), post.ravel()), w.ravel())
    return dense[:, :n_post]


def unpack_delayed(words: np.ndarray, d: int, n_post: int) -> tuple[np.ndarray, np.ndarray]:
    """(weights, delays), each int64 [pre, n_post], from delayed words."""
    w = words[:, :n_post].astype(np.int64)
    return w >> d, (w & ((1 << d) - 1)) >> 1
