"""Row kernels: one presynaptic row of packed words added into its target, 32 synapses at a time.

Where it sits: the spike scan (scan.py) or the DDR row loop (program.py) calls `RowKernel.emit`
once per projection, with the row's address in a scalar register; the code runs once per spike.
The arithmetic is docs/semantics.md section 7, instruction for instruction:

| layout | per vector | cycles |
|---|---|---|
| dense, accumulators in registers | vloadv w; vadd_s acc_k, acc_k, w | 2 |
| dense, in vmem / llm | vloadv w; vloadv/vloadl c; vadd_s c, c, w; vstorev/vstorel c | 4 |
| sparse | vloadv w; vandadd a, w, base, b; vloadl c, 0(a); vsrai x, w, b; vadd_s; vstorel | 6 |
| delayed | vloadv w; vadd x, w, 2t; vandadd a, x, ring, d; vloadl c, 2Dk(a); vsrai; ... | 7 |

Loads are software-pipelined one vector ahead in two alternating registers, so no load is used by
the next instruction. A sparse vector's vloadl never moves above the previous vector's vstorel:
ELL padding words (weight 0 into lane-local row 0) can alias a real target of the same lane.
Rows longer than `chunk` vectors loop over chunks (memory accumulators only: register names cannot
be indexed by a loop); a kernel leaves every pointer register as it found it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from riscv_soc.compiler.emitter import Emitter, Pointer
from riscv_soc.compiler.regalloc import ACC_PTR, BASE, BASE2, CHUNK, TMP2
from riscv_soc.soc import VECTOR_BYTES


@dataclass
class RowKernel:
    layout: str  # "dense", "sparse" or "delayed"
    vectors: int  # vectors per row
    bits: int  # b (sparse index bits) or d (delay bits)
    sat: bool  # the target population saturates
    home: str  # dense: where the accumulators are ("registers", "vmem", "llm")
    regs: dict[str, str]  # temporaries (regalloc.row_registers)
    chunk: int  # rows longer than this loop over chunks of this many vectors
    accs: list[str] = field(default_factory=list)  # home "registers": one per target vector
    slot_bytes: int = 0  # home "vmem": stride of the accumulator field; ACC_PTR points at vector 0
    llm_base: int = 0  # home "llm": lane-local address of the accumulators (AV holds it)
    ring_stride: int = 0  # delayed: 2D bytes per target vector; BASE2 holds the ring address

    @property
    def add(self) -> str:
        return "vadd_s" if self.sat else "vadd"

    def emit(self, e: Emitter, row_reg: str, filler: Callable[[], None] | None = None) -> None:
        """The row at `row_reg`; `filler` (scalar work) goes into the first load's shadow."""
        filler = filler or (lambda: None)
        if self.vectors <= self.chunk or self.home == "registers":
            self._straight(e, row_reg, self.vectors, filler)
            return
        # The odd vectors first (vector order within a row does not matter: every target occurs
        # once per row, padding adds 0), then whole chunks; the loop counter fills a load shadow.
        loops, rest = divmod(self.vectors, self.chunk)
        if rest:
            self._straight(e, row_reg, rest, filler, advance=True)
        else:
            filler()
        e.li(CHUNK, loops)
        top = e.fresh("chunk")
        e.label(top)
        self._straight(e, row_reg, self.chunk, lambda: e.addi(CHUNK, CHUNK, -1), advance=True)
        e.bnez(CHUNK, top)
        self._rewind(e, row_reg, self.vectors)

    def _straight(self, e: Emitter, row_reg: str, count: int, filler, advance=False) -> None:
        """`count` vectors from the registers' current positions; `advance` leaves the pointers
        `count` vectors on (a chunk of a loop), else where they were."""
        row = Pointer(e, row_reg, tmp=TMP2)
        acc = Pointer(e, ACC_PTR, tmp=TMP2)
        body = {"sparse": self._sparse, "delayed": self._delayed}.get(self.layout)
        if body is None:
            body = self._dense_registers if self.home == "registers" else self._dense_memory
        body(e, row, acc, count, filler)
        row.move_to(count * VECTOR_BYTES if advance else 0)
        if self.home == "vmem" and self.layout == "dense":
            acc.move_to(count * self.slot_bytes if advance else 0)
        if advance:
            self._advance_lane_local(e, count, +1)

    def _advance_lane_local(self, e: Emitter, vectors: int, sign: int) -> None:
        if self.layout == "dense" and self.home == "llm":
            e.li(TMP2, sign * 2 * vectors)
            e.vfill(self.regs["C0"], TMP2)
            e.vadd(self.regs["AV"], self.regs["AV"], self.regs["C0"])
        elif self.layout == "delayed":
            e.add_const(BASE2, BASE2, sign * vectors * self.ring_stride, TMP2)

    def _rewind(self, e: Emitter, row_reg: str, vectors: int) -> None:
        e.add_const(row_reg, row_reg, -vectors * VECTOR_BYTES, TMP2)
        if self.layout == "dense" and self.home == "vmem":
            e.add_const(ACC_PTR, ACC_PTR, -vectors * self.slot_bytes, TMP2)
        self._advance_lane_local(e, vectors, -1)

    def _dense_registers(self, e: Emitter, row: Pointer, acc: Pointer, count: int, filler) -> None:
        w = (self.regs["W0"], self.regs["W1"])
        for k in range(min(2, count)):
            e.vloadv(w[k], row.imm(k * VECTOR_BYTES), row.reg)
        filler()
        for k in range(count):
            e.emit(self.add, self.accs[k], self.accs[k], w[k % 2])
            if k + 2 < count:
                e.vloadv(w[k % 2], row.imm((k + 2) * VECTOR_BYTES), row.reg)

    def _dense_memory(self, e: Emitter, row: Pointer, acc: Pointer, count: int, filler) -> None:
        w = (self.regs["W0"], self.regs["W1"])
        c = (self.regs["C0"], self.regs["C1"])

        def load(k: int) -> None:
            e.vloadv(w[k % 2], row.imm(k * VECTOR_BYTES), row.reg)
            if self.home == "llm":
                e.vloadl(c[k % 2], 2 * k, self.regs["AV"])
            else:
                e.vloadv(c[k % 2], acc.imm(k * self.slot_bytes), ACC_PTR)

        def finish(k: int) -> None:
            e.emit(self.add, c[k % 2], c[k % 2], w[k % 2])
            if self.home == "llm":
                e.vstorel(c[k % 2], 2 * k, self.regs["AV"])
            else:
                e.vstorev(c[k % 2], acc.imm(k * self.slot_bytes), ACC_PTR)

        load(0)
        filler()
        for k in range(count):
            if k + 1 < count:
                load(k + 1)
            finish(k)

    def _sparse(self, e: Emitter, row: Pointer, acc: Pointer, count: int, filler) -> None:
        r = self.regs
        w = (r["W0"], r["W1"])
        e.vloadv(w[0], row.imm(0), row.reg)
        filler()
        for k in range(count):
            e.vandadd(r["ADDR"], w[k % 2], BASE, self.bits)
            e.vloadl(r["C"], 0, r["ADDR"])
            if k + 1 < count:
                e.vloadv(w[(k + 1) % 2], row.imm((k + 1) * VECTOR_BYTES), row.reg)
            e.vsrai(r["X"], w[k % 2], self.bits)
            e.emit(self.add, r["C"], r["C"], r["X"])
            e.vstorel(r["C"], 0, r["ADDR"])

    def _delayed(self, e: Emitter, row: Pointer, acc: Pointer, count: int, filler) -> None:
        r = self.regs
        w = (r["W0"], r["W1"])
        e.vloadv(w[0], row.imm(0), row.reg)
        filler()
        for k in range(count):
            at = k * self.ring_stride
            e.vadd(r["X"], w[k % 2], r["TV"])
            e.vandadd(r["ADDR"], r["X"], BASE2, self.bits)
            e.vloadl(r["C"], at, r["ADDR"])
            if k + 1 < count:
                e.vloadv(w[(k + 1) % 2], row.imm((k + 1) * VECTOR_BYTES), row.reg)
            e.vsrai(r["X"], w[k % 2], self.bits)
            e.emit(self.add, r["C"], r["C"], r["X"])
            e.vstorel(r["C"], at, r["ADDR"])
