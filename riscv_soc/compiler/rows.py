"""Row kernels: one presynaptic row of packed words added into its target, 32 synapses at a time.

Where it sits: the spike scan (scan.py) or the DDR row loop (program.py) calls `RowKernel.emit`
once per projection, with the row's address in a scalar register; the code runs once per spike.
The arithmetic is docs/semantics.md section 7, instruction for instruction:

| layout | per vector | cycles |
|---|---|---|
| dense, accumulators in registers | vloadv w; vadd_s acc_k, acc_k, w | 2 |
| dense, in vmem / llm | vloadv w; vloadv/vloadl c; vadd_s c, c, w; vstorev/vstorel c | 4 |
| sparse, split rows | vloadv a; vloadv w; vloadl c, 0(a); vadd_s c, c, w; vstorel c, 0(a) | 5 |
| sparse, packed rows | vloadv w; vandadd a, w, base, b; vloadl c, 0(a); vsrai x, w, b; ... | 6 |
| delayed | vloadv w; vadd x, w, 2t; vandadd a, x, ring, d; vloadl c, 2Dk(a); vsrai; ... | 7 |
| delayed, window (delay_window.py) | vloadv w; vandadd a, w, ring + 2(t mod D), d; vloadl ... | 6 |

Split sparse rows (placement.py, `CompileOptions.sparse_rows`) hold, per ELL vector, the weights
`word >> b` and the lane-local addresses `(word & (2^b - 1)) + base` that `vsrai` and `vandadd`
would compute, side by side (128 bytes a vector): the same values, one instruction less.

Loads are software-pipelined one vector ahead in two alternating registers, so no load is used by
the next instruction. A sparse vector's vloadl never moves above the previous vector's vstorel:
ELL padding words (weight 0 into lane-local row 0) can alias a real target of the same lane.
Rows longer than `chunk` vectors loop over chunks (memory accumulators only: register names cannot
be indexed by a loop); a kernel leaves every pointer register but the row's as it found it (the
callers compute the row address per spike anew).

The `filler` (scalar work of the caller that touches no vector and not the row register) goes into
the first load's shadow; the split sparse kernel has none there and puts it into its last vector's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from riscv_soc.compiler.emitter import Emitter, Pointer
from riscv_soc.compiler.regalloc import ACC_PTR, BASE, BASE2, CHUNK, ROW, TMP2
from riscv_soc.soc import VECTOR_BYTES

ROW_BIAS = 2048  # the scan points ROW this far into a row: immediates reach its first 4 KiB


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
    ring_stride: int = 0  # delayed: ring bytes per target vector; BASE2 holds the ring address
    window: bool = False  # delayed: the ring is a window, BASE2 its slot of delay 0 at step t
    split: bool = False  # sparse: rows of (weights, lane-local addresses) vector pairs

    @property
    def add(self) -> str:
        return "vadd_s" if self.sat else "vadd"

    @property
    def vector_bytes(self) -> int:
        """Bytes of one vector of a row in memory."""
        return 2 * VECTOR_BYTES if self.split else VECTOR_BYTES

    def emit(
        self,
        e: Emitter,
        row_reg: str,
        filler: Callable[[], None] | None = None,
        row_offset: int = 0,
    ) -> None:
        """The row whose address plus `row_offset` is in `row_reg` (an offset of 2048 lets
        straight code reach 4 KiB of row with immediates); `filler` goes into a load shadow."""
        filler = filler or (lambda: None)
        if self.vectors <= self.chunk or self.home == "registers":
            self._straight(e, row_reg, self.vectors, filler, row_offset=row_offset)
            return
        # The odd vectors first (vector order within a row does not matter: every target occurs
        # once per row, padding adds 0), then whole chunks; the loop counter fills a load shadow.
        e.add_const(row_reg, row_reg, -row_offset, TMP2)
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
        self._rewind(e, self.vectors)

    def on_spike(self, e: Emitter, filler: Callable[[], None]) -> None:
        """The row of a spike the scan found (`emit_scan(..., row_bias=ROW_BIAS)`)."""
        self.emit(e, ROW, filler, ROW_BIAS)

    def _straight(
        self, e: Emitter, row_reg: str, count: int, filler, advance=False, row_offset: int = 0
    ) -> None:
        """`count` vectors from the registers' current positions; `advance` leaves the pointers
        `count` vectors on (a chunk of a loop), else every pointer but the row's where it was."""
        row = Pointer(e, row_reg, offset=row_offset, tmp=TMP2)
        acc = Pointer(e, ACC_PTR, tmp=TMP2)
        body = {
            "sparse": self._sparse_split if self.split else self._sparse,
            "delayed": self._delayed,
        }.get(self.layout)
        if body is None:
            body = self._dense_registers if self.home == "registers" else self._dense_memory
        body(e, row, acc, count, filler)
        if advance:
            row.move_to(count * self.vector_bytes)
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

    def _rewind(self, e: Emitter, vectors: int) -> None:
        """Every pointer but the row's back to where the chunk loop found it."""
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

    def _sparse_split(self, e: Emitter, row: Pointer, acc: Pointer, count: int, filler) -> None:
        """Vector k: weights at 128k, lane-local addresses at 128k + 64. The address of vector
        k + 1 loads in vector k's load-use gap, its weights after vector k's store; the last
        vector's gap holds the filler."""
        r = self.regs
        a = (r["A0"], r["A1"])

        def at(k: int, half: int) -> int:
            return row.imm(k * self.vector_bytes + half * VECTOR_BYTES)

        e.vloadv(a[0], at(0, 1), row.reg)
        e.vloadv(r["W"], at(0, 0), row.reg)
        for k in range(count):
            e.vloadl(r["C"], 0, a[k % 2])
            if k + 1 < count:
                e.vloadv(a[(k + 1) % 2], at(k + 1, 1), row.reg)
            else:
                filler()
            e.emit(self.add, r["C"], r["C"], r["W"])
            e.vstorel(r["C"], 0, a[k % 2])
            if k + 1 < count:
                e.vloadv(r["W"], at(k + 1, 0), row.reg)

    def _delayed(self, e: Emitter, row: Pointer, acc: Pointer, count: int, filler) -> None:
        r = self.regs
        w = (r["W0"], r["W1"])
        e.vloadv(w[0], row.imm(0), row.reg)
        filler()
        for k in range(count):
            at = k * self.ring_stride
            if self.window:  # delay_window.py: no modulo
                e.vandadd(r["ADDR"], w[k % 2], BASE2, self.bits)
            else:
                e.vadd(r["X"], w[k % 2], r["TV"])
                e.vandadd(r["ADDR"], r["X"], BASE2, self.bits)
            e.vloadl(r["C"], at, r["ADDR"])
            if k + 1 < count:
                e.vloadv(w[(k + 1) % 2], row.imm((k + 1) * VECTOR_BYTES), row.reg)
            e.vsrai(r["X"], w[k % 2], self.bits)
            e.emit(self.add, r["C"], r["C"], r["X"])
            e.vstorel(r["C"], at, r["ADDR"])
