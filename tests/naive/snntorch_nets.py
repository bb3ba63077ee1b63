"""Plain snntorch networks shaped like snn.models.SpikingStudent, and their float forward pass.

Tests use them as students until (and beside) the training API: `hidden[k].fc/.rec/.neuron` and
`readout.fc/.neuron`, as docs/architecture.md ("Student checkpoint") specifies.
"""

from __future__ import annotations

import numpy as np
import snntorch as snn
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, fc: nn.Linear, neuron: nn.Module, rec: nn.Linear | None = None):
        super().__init__()
        self.fc, self.neuron, self.rec = fc, neuron, rec


class Student(nn.Module):
    """Linear -> Leaky/Synaptic (optionally recurrent) layers, then a Leaky readout (no reset)."""

    def __init__(
        self,
        sizes,
        neuron="lif",
        beta=0.9,
        alpha=0.5,
        threshold=1.0,
        reset="subtract",
        recurrent=False,
        readout_beta=0.9,
        bias=False,
    ):
        super().__init__()
        blocks = []
        for n_in, n_out in zip(sizes[:-2], sizes[1:-1], strict=True):
            if neuron == "lif":
                cell = snn.Leaky(beta=beta, threshold=threshold, reset_mechanism=reset)
            else:
                cell = snn.Synaptic(
                    alpha=alpha, beta=beta, threshold=threshold, reset_mechanism=reset
                )
            rec = nn.Linear(n_out, n_out, bias=False) if recurrent else None
            blocks.append(Block(nn.Linear(n_in, n_out, bias=bias), cell, rec))
        self.hidden = nn.ModuleList(blocks)
        self.readout = Block(
            nn.Linear(sizes[-2], sizes[-1], bias=bias),
            snn.Leaky(beta=readout_beta, reset_mechanism="none"),
        )

    @torch.no_grad()
    def run(self, spikes: np.ndarray):
        """Float simulation of uint8 [S, T, inputs]: (spikes per hidden layer [S, T, n], readout
        membrane [S, T, outputs]); feed-forward same step, recurrence from the previous step."""
        x = torch.as_tensor(spikes, dtype=torch.float32)
        n_samples, n_steps = x.shape[:2]
        states = [None] * len(self.hidden)
        prev = [torch.zeros(n_samples, b.fc.out_features) for b in self.hidden]
        out_mem = torch.zeros(n_samples, self.readout.fc.out_features)
        spikes_out = [[] for _ in self.hidden]
        mems = []
        for t in range(n_steps):
            h = x[:, t]
            for k, block in enumerate(self.hidden):
                cur = block.fc(h)
                if block.rec is not None:
                    cur = cur + block.rec(prev[k])
                if isinstance(block.neuron, snn.Synaptic):
                    syn, mem = states[k] or (torch.zeros_like(cur), torch.zeros_like(cur))
                    spk, syn, mem = block.neuron(cur, syn, mem)
                    states[k] = (syn, mem)
                else:
                    mem = states[k] if states[k] is not None else torch.zeros_like(cur)
                    spk, mem = block.neuron(cur, mem)
                    states[k] = mem
                prev[k] = spk
                spikes_out[k].append(spk)
                h = spk
            _, out_mem = self.readout.neuron(self.readout.fc(h), out_mem)
            mems.append(out_mem)
        spk = [torch.stack(s, 1).numpy().astype(np.uint8) for s in spikes_out]
        return spk, torch.stack(mems, 1).numpy()
