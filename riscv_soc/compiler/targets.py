"""Compile targets: where the firmware runs decides its counters, how it starts and how it ends.

Where it sits: `CompileOptions.target` names one; placement sizes the counter snapshots and keeps
rows on chip where the target needs it, start.py emits the target's `_start` and
`counters_snapshot`, the manifest lists its counters. docs/compiler.md, "Targets".

- `sim` (the default): our ISS and RTL. The snapshots read all eight counters (docs/isa.md,
  "CSRs"); the program ends with `ecall`.
- `board`: FeNN-DMA hardware under FeNN's runtime (a Kria KV260). Its scalar core has `mcycle` and
  `minstret` only, inhibited from reset, so `_start` clears `mcountinhibit` first, as FeNN's
  kernels do well before their first counter read (neworderofjamie/riscv_ise
  src/backend/backend_fenn.cc); the program ends as FeNN's hardware kernels end
  (src/assembler/assembler_utils.cc, `generateStandardKernel`): the ready flag at scalar-data
  address 0, then the spin `j .` (`ecall` would trap there), which our ISS and RTL take as the end
  of the run (docs/isa.md, "How a run ends"). Rows stay in vector memory: a DMA source address
  is compiled into the code, and on the board DDR is the physical buffer FeNN's runtime
  allocates when it starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from riscv_soc.isa import csr


@dataclass(frozen=True)
class Target:
    name: str
    counters: tuple[str, ...]  # what a snapshot reads, in order: mcycle, minstret, csr.COUNTERS
    enable_counters: bool  # `csrw mcountinhibit, zero` before anything else
    end: str  # the program's last instruction: "ecall" or "spin" (`j .`)
    ddr_rows: bool  # rows may live in DDR

    def counter_csr(self, name: str) -> str:
        """The CSR a snapshot reads for counter `name` (the activity counters are mhpmcounters)."""
        if name in ("mcycle", "minstret"):
            return name
        return f"mhpmcounter{csr.FIRST_HPM + csr.COUNTERS.index(name)}"


TARGETS = {
    "sim": Target("sim", ("mcycle", "minstret", *csr.COUNTERS), False, "ecall", True),
    "board": Target("board", ("mcycle", "minstret"), True, "spin", False),
}
