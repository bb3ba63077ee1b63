"""The fused engine's hidden layer: snntorch's Leaky/Synaptic update over all steps in one autograd
node, with hand-written BPTT.

Private to `snn.models.student` (engine "fused"). The forward loop performs exactly the float
operations snntorch does (so spikes and membranes are identical); the backward loop applies the
same chain rule autograd would through snntorch's graph, with the reset signal detached as in
snntorch and the surrogate derivative of the layer's `spike_grad`. One node instead of ~10 per step
is what makes training faster.

Backward, with g_S[t] the gradient reaching S[t] (from the next layer and, when recurrent, from
I[t+1] = ... + rec(S[t])) and s'(t) the surrogate derivative at U[t] - theta:
    g_U[t] = g_S[t] s'(t) + d[t+1] g_U[t+1],   d[t+1] = beta (subtract) or beta (1 - S[t]) (zero)
    LIF:     g_I[t] = g_U[t]
    CubaLIF: g_J[t] = g_U[t] c[t] + alpha g_J[t+1], c[t] = 1 (subtract) or 1 - S[t-1] (zero);
             g_I[t] = g_J[t]
    recurrent: g_S[t-1] += g_I[t] W_rec,  g_W_rec += g_I[t]^T S[t-1]
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def surrogate_derivative(name: str, x: torch.Tensor) -> torch.Tensor:
    """dS/dU of snntorch's surrogates as SURROGATES builds them (atan alpha=2, fast_sigmoid 25)."""
    if name == "atan":
        alpha = 2.0
        return alpha / 2 / (1 + (math.pi / 2 * alpha * x).pow(2))
    return 1.0 / (25 * torch.abs(x) + 1.0) ** 2


class FusedLayer(torch.autograd.Function):
    @staticmethod
    def forward(ctx, current, rec_weight, beta, alpha, thr, kind, reset, surrogate):
        recurrent = rec_weight.numel() > 0
        mem = current.new_zeros(current.shape[1:])
        syn = torch.zeros_like(mem)
        spk = torch.zeros_like(mem)
        mems, spikes = [], []
        for t in range(current.shape[0]):
            cur = current[t] + F.linear(spk, rec_weight) if recurrent else current[t]
            r = spk
            if kind == "lif":
                if reset == "subtract":
                    mem = beta * mem + cur - r * thr
                else:
                    mem = beta * ((1 - r) * mem) + cur
            else:
                syn = alpha * syn + cur
                mem = beta * mem + syn
                mem = mem - r * thr if reset == "subtract" else mem - mem * r
            spk = (mem - thr > 0).float()
            mems.append(mem)
            spikes.append(spk)
        mems, spikes = torch.stack(mems), torch.stack(spikes)
        ctx.save_for_backward(mems, spikes, rec_weight, beta, alpha, thr)
        ctx.config = (kind, reset, surrogate, recurrent)
        return spikes

    @staticmethod
    def backward(ctx, grad_spikes):
        mems, spikes, rec_weight, beta, alpha, thr = ctx.saved_tensors
        kind, reset, surrogate, recurrent = ctx.config
        slope = surrogate_derivative(surrogate, mems - thr)
        steps = mems.shape[0]
        grad_current = torch.empty_like(mems)
        grad_rec = torch.zeros_like(rec_weight) if recurrent else None
        g_u = torch.zeros_like(mems[0])
        g_j = torch.zeros_like(mems[0])
        g_s_rec = torch.zeros_like(mems[0])
        zero = torch.zeros_like(mems[0])
        for t in range(steps - 1, -1, -1):
            decay = beta if reset == "subtract" else beta * (1 - spikes[t])
            g_u = (grad_spikes[t] + g_s_rec) * slope[t] + (decay * g_u if t < steps - 1 else 0)
            if kind == "lif":
                g_i = g_u
            else:
                previous = spikes[t - 1] if t > 0 else zero
                gate = g_u if reset == "subtract" else g_u * (1 - previous)
                g_j = gate + alpha * g_j
                g_i = g_j
            grad_current[t] = g_i
            if recurrent:
                previous = spikes[t - 1] if t > 0 else zero
                g_s_rec = g_i @ rec_weight
                grad_rec += g_i.T @ previous
        return grad_current, grad_rec, None, None, None, None, None, None
