"""The event-driven fixed-point core (Numba): the golden model of a quantised bundle.

Entry point `run(bundle, spikes, seed) -> RunResult`; results share one schema with the ISS and
RTL backends (`save_result`, `load_result`, `diff_results`).
"""

from riscv_soc.core.result import RunResult, diff_results, load_result, save_result, summarise
from riscv_soc.core.seeds import sample_seeds
from riscv_soc.core.simulate import flatten, pack_spikes, run, unpack_spikes

__all__ = [
    "RunResult",
    "diff_results",
    "flatten",
    "load_result",
    "pack_spikes",
    "run",
    "sample_seeds",
    "save_result",
    "summarise",
    "unpack_spikes",
]
