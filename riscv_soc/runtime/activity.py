"""Spike-derived activity of a firmware run, in the core's names (docs/semantics.md section 8).

Where it sits: the runtime (riscv_soc.runtime) computes these from the input spikes and the spike
record the firmware wrote, so that ISS and RTL results carry the same `input_spikes`, `spikes`,
`synops`, `row_words` and `neuron_updates` as the core's: a row is processed for every spike of a
projection's source in the step the projection reads (feed-forward: the same step; recurrent: the
next one, so spikes of the last step are never processed). Counts that need the spikes of a
population the firmware did not record (`CompileOptions.record`) are left out: `spikes` without
every spiking population, `synops` and `row_words` without every projection's source.
"""

from __future__ import annotations

import numpy as np

from riscv_soc.quant.bundle import Bundle
from riscv_soc.quant.network import INPUT


def spike_activity(bundle: Bundle, inputs: np.ndarray, spikes: dict[str, np.ndarray]) -> dict:
    """inputs uint8 [S, T, n_in]; spikes pop -> uint8 [S, T, n]: activity name -> int64 [S]."""
    samples, steps = inputs.shape[:2]
    sources = {INPUT: inputs != 0, **{name: s != 0 for name, s in spikes.items()}}
    out = {"input_spikes": sources[INPUT].sum(axis=(1, 2), dtype=np.int64)}
    if all(p.name in spikes for p in bundle.populations if p.spiking):
        out["spikes"] = sum(
            (s.sum(axis=(1, 2), dtype=np.int64) for s in spikes.values()),
            np.zeros(samples, np.int64),
        )
    if all(p.source in sources for p in bundle.projections):
        out["synops"], out["row_words"] = _rows_processed(bundle, sources, samples, steps)
    out["neuron_updates"] = np.full(samples, steps * sum(p.n for p in bundle.populations), np.int64)
    return out


def _rows_processed(bundle: Bundle, sources: dict, samples: int, steps: int):
    """(synops, row_words) per sample."""
    synops = np.zeros(samples, np.int64)
    row_words = np.zeros(samples, np.int64)
    for proj in bundle.projections:
        fired = sources[proj.source]
        if proj.source != INPUT and bundle.index(proj.source) >= bundle.index(proj.target):
            fired = fired[:, : steps - 1]  # recurrent: read one step later
        per_row = (
            np.count_nonzero(proj.words, axis=1)
            if proj.layout == "sparse"
            else np.full(proj.n_pre, proj.n_post)
        )
        counts = fired.sum(axis=1, dtype=np.int64)  # [S, n_pre]
        synops += counts @ per_row.astype(np.int64)
        row_words += counts.sum(axis=1) * proj.row_words
    return synops, row_words
