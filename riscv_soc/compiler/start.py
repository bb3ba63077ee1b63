"""Start-up, counter snapshots and end of a compiled program: the host-flag protocol, per target.

Where it sits: `riscv_soc.compiler.compile_bundle` emits these first (`_start` at address 0), then
the runtime's helpers (firmware/runtime/dma.s, memory.s) and the generated `net_init`/`net_run`
(program.py). What differs per target (targets.py) is marked; docs/compiler.md, "Host protocol".

    host:   write the sample's input bitfields (dmem) and RNG seeds (vmem), release reset
    _start: [board: mcountinhibit = 0] flag = 0; v0 = 0; load the seeds; snapshot the counters;
            net_init; net_run; snapshot the counters; flag = DONE; ecall [board: spin, `j .`]
    host:   wait for flag == DONE, read the readout, spike record, state and counters
"""

from __future__ import annotations

from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.placement import Plan

SCRATCH = "t6"  # the only register _start and counters_snapshot use besides a0 and ra


def emit_start(e: Emitter, plan: Plan) -> None:
    """`_start`: the whole program, around calls to net_init and net_run."""
    target = plan.target
    e.label("_start")
    if target.enable_counters:
        e.csrw("mcountinhibit", "zero", comment="count cycles and instructions")
    emit_inference(e, plan)
    if target.end == "spin":
        spin = e.fresh("spin")
        e.label(spin)
        e.j(spin, comment="the end: spin until the host holds the core in reset")
    else:
        e.ecall()


def emit_inference(e: Emitter, plan: Plan) -> None:
    """One sample from its seeds to the done flag (batch.py repeats it per sample)."""
    e.sw("zero", "MAILBOX", "zero", comment="running")
    e.vlui("v0", 0, comment="generated kernels read zeros from v0")
    e.li(SCRATCH, "SEEDS")
    e.vloadr0(0, SCRATCH, comment="S0 of every lane")
    e.vloadr1(64, SCRATCH, comment="S1 (no RNG step may follow a vloadr directly)")
    e.li("a0", "COUNTERS_START")
    e.jal("ra", "counters_snapshot")
    e.jal("ra", "net_init")
    e.jal("ra", "net_run")
    e.li("a0", "COUNTERS_END")
    e.jal("ra", "counters_snapshot")
    e.li(SCRATCH, "DONE")
    e.sw(SCRATCH, "MAILBOX", "zero", comment="outputs complete")


def emit_counters_snapshot(e: Emitter, plan: Plan) -> None:
    """`counters_snapshot`: the low 32 bits of the target's counters to consecutive words at a0
    (the host takes the difference of two snapshots, modulo 2^32). Clobbers t6."""
    target = plan.target
    e.label("counters_snapshot")
    for k, name in enumerate(target.counters):
        e.csrr(SCRATCH, target.counter_csr(name), comment=name)
        e.sw(SCRATCH, 4 * k, "a0")
    e.ret()
