"""The neuron update of a cubalif2 population (two synaptic currents, refractory counter).

Where it sits: neurons.emit_update hands cubalif2 populations here. Each 32-lane vector runs
docs/semantics.md section 8.1 in its order (`<add>`/`<sub>` saturate when the population does;
`<rnd>` is the population's i_decay rounding for the currents, v_decay for V):

    I  = <add>(I, isyn);   isyn = 0;   I2 = <add>(I2, isyn2);   isyn2 = 0
    M1 = vmul<rnd>(scale, I, Fs);  M2 = vmul<rnd>(scale2, I2, Fs)
    I  = vmul<rnd>(alpha, I);      I2 = vmul<rnd>(alpha2, I2)
    X  = <add>(<add>(M1, M2), offset);   Va = vmul_s(gain, X, 0)
    Vn = <sub>(Va, vmul<rnd>(beta, <sub>(Va, V)))
    held = vtlt(0, R);  Vn = vsel(held, V, Vn);  R = vsel(held, vsub(R, 1), R)
    spike = vtlt(thr, Vn) & tail mask;  V = vsel(spike, v_reset, Vn);  R = vsel(spike, refractory, R)

The accumulators are state-block fields (home "vmem") or lane-local rows (home "llm", sparse
inputs; isyn2's region follows isyn's, so one address vector reaches both). Populations of at most
`unroll_vectors` vectors run in straight code, larger ones loop over vectors.
"""

from __future__ import annotations

from riscv_soc.compiler.emitter import Emitter, Pointer
from riscv_soc.compiler.neurons import ROUND_SUFFIX
from riscv_soc.compiler.placement import Plan, PopulationPlan
from riscv_soc.compiler.regalloc import (
    CHUNK,
    FIRED,
    REC,
    RECORD_ROW,
    SPIKE,
    STATE,
    TMP,
    TMP2,
    ZERO,
    VectorPool,
)
from riscv_soc.soc import LANES

REGISTERS = ("V", "I", "J", "R", "X1", "X2", "M1", "M2", "SC1", "SC2", "AL1", "AL2", "OFF",
             "GAIN", "BETA", "ONE", "THR", "VRESET", "REFRAC")  # fmt: skip


def emit_dual_update(e: Emitter, plan: Plan, pp: PopulationPlan, pool: VectorPool) -> None:
    _DualUpdate(e, plan, pp, pool).emit()


class _DualUpdate:
    def __init__(self, e: Emitter, plan: Plan, pp: PopulationPlan, pool: VectorPool):
        self.e, self.plan, self.pp, self.pop, self.pool = e, plan, pp, pp.pop, pool
        self.add = "vadd_s" if self.pop.saturate else "vadd"
        self.sub = "vsub_s" if self.pop.saturate else "vsub"
        self.llm = pp.home == "llm"
        if self.llm:  # isyn2's lane-local rows, relative to isyn's
            self.isyn = plan.region(f"isyn.{self.pop.name}").address
            self.isyn2_delta = plan.region(f"isyn2.{self.pop.name}").address - self.isyn

    def emit(self) -> None:
        e, pp = self.e, self.pp
        names = list(REGISTERS) + (["AV"] if self.llm else []) + (["ACC"] if pp.is_output else [])
        self.r = self.pool.take(names, "the neuron update")
        e.li(STATE, self.plan.region(f"state.{self.pop.name}").address)
        if pp.recorded:
            e.add_const(REC, RECORD_ROW, 4 * pp.record_word, TMP2)
        else:
            e.li(REC, self.plan.region("latest_spikes").address + 4 * pp.record_word)
        self._constants()
        if pp.looped:
            self._looped()
        else:
            state, rec = Pointer(e, STATE, tmp=TMP2), Pointer(e, REC, tmp=TMP2)
            for k in range(pp.nvec):
                self._vector(k, state, rec, min(LANES, self.pop.n - k * LANES), looped=False)
        self.pool.release(self.r)

    def _constants(self) -> None:
        e, r, pop = self.e, self.r, self.pop
        for name, value in (("SC1", pop.syn_scale_raw), ("SC2", pop.syn_scale2_raw),
                            ("AL1", pop.alpha_raw), ("AL2", pop.alpha2_raw),
                            ("OFF", pop.i_offset_raw), ("GAIN", pop.gain), ("BETA", pop.beta_raw),
                            ("ONE", 1), ("THR", pop.threshold_raw), ("VRESET", pop.v_reset_raw),
                            ("REFRAC", pop.refractory)):  # fmt: skip
            e.vlui(r[name], value)
        if self.llm:
            if self.pp.looped:
                e.li(TMP, self.isyn)
            else:
                e.vlui(r["AV"], self.isyn)

    def _looped(self) -> None:
        e, pp = self.e, self.pp
        full, tail = divmod(self.pop.n, LANES)
        if full:
            top = e.fresh("update")
            e.li(CHUNK, full)
            e.label(top)
            self._vector(0, Pointer(e, STATE), Pointer(e, REC), LANES, looped=True)
            e.addi(STATE, STATE, pp.slot_bytes)
            e.addi(REC, REC, 4)
            if self.llm:
                e.addi(TMP, TMP, 2)
            e.addi(CHUNK, CHUNK, -1)
            e.far_branch("bne", CHUNK, "zero", top)
        if tail:
            self._vector(0, Pointer(e, STATE), Pointer(e, REC), tail, looped=True)

    def _mul(self, op: str) -> str:
        return "vmul" + ROUND_SUFFIX[self.pop.rounding[op]]

    def _inputs(self, k: int, at, looped: bool) -> None:
        """X1, X2 = the accumulators of vector k, cleared behind the loads."""
        e, r = self.e, self.r
        if not self.llm:
            e.vloadv(r["X1"], at("isyn"), STATE)
            e.vloadv(r["X2"], at("isyn2"), STATE)
            e.vstorev(ZERO, at("isyn"), STATE)
            e.vstorev(ZERO, at("isyn2"), STATE)
            return
        if looped:
            e.vfill(r["AV"], TMP)
        row = 0 if looped else 2 * k
        e.vloadl(r["X1"], row, r["AV"])
        e.vloadl(r["X2"], row + self.isyn2_delta, r["AV"])
        e.vstorel(ZERO, row, r["AV"])
        e.vstorel(ZERO, row + self.isyn2_delta, r["AV"])

    def _vector(self, k: int, state: Pointer, rec: Pointer, lanes: int, looped: bool) -> None:
        e, r, pop, pp = self.e, self.r, self.pop, self.pp

        def at(name: str) -> int:
            return state.imm(pp.field_offset(name, k))

        for name, field in (("V", "V"), ("I", "I"), ("J", "I2"), ("R", "R")):
            e.vloadv(r[name], at(field), STATE)
        if pp.is_output:
            e.vloadv(r["ACC"], at("acc"), STATE)
        self._inputs(k, at, looped)
        rnd_i, fs = self._mul("i_decay"), pop.syn_frac_bits
        e.emit(self.add, r["I"], r["I"], r["X1"])
        e.emit(self.add, r["J"], r["J"], r["X2"])
        e.emit(rnd_i, r["M1"], r["SC1"], r["I"], fs)
        e.emit(rnd_i, r["M2"], r["SC2"], r["J"], fs)
        e.emit(rnd_i, r["I"], r["AL1"], r["I"], pop.alpha_frac_bits)
        e.emit(rnd_i, r["J"], r["AL2"], r["J"], pop.alpha2_frac_bits)
        e.vstorev(r["I"], at("I"), STATE)
        e.vstorev(r["J"], at("I2"), STATE)
        e.emit(self.add, r["X1"], r["M1"], r["M2"])
        e.emit(self.add, r["X1"], r["X1"], r["OFF"])
        e.emit("vmul_s", r["X1"], r["GAIN"], r["X1"], 0)  # V_a
        e.emit(self.sub, r["X2"], r["X1"], r["V"])
        e.emit(self._mul("v_decay"), r["X2"], r["BETA"], r["X2"], pop.beta_frac_bits)
        e.emit(self.sub, r["X2"], r["X1"], r["X2"])  # the new V, unless held
        e.vtlt(FIRED, ZERO, r["R"])
        e.vsel(r["X2"], FIRED, r["V"])
        e.vsub(r["M1"], r["R"], r["ONE"])
        e.vsel(r["R"], FIRED, r["M1"])
        e.vtlt(SPIKE, r["THR"], r["X2"])
        e.vsel(r["X2"], SPIKE, r["VRESET"])
        e.vsel(r["R"], SPIKE, r["REFRAC"])
        e.vstorev(r["X2"], at("V"), STATE)
        e.vstorev(r["R"], at("R"), STATE)
        if lanes < LANES:
            e.li(TMP2, (1 << lanes) - 1)
            e.and_(SPIKE, SPIKE, TMP2)
        e.sw(SPIKE, rec.imm(4 * k), REC)
        if pp.is_output:  # readout "count" (the only one a spiking output has)
            acc = r["ACC"]
            e.vadd_s(r["M1"], acc, r["ONE"])
            e.vsel(acc, SPIKE, r["M1"])
            e.vstorev(acc, at("acc"), STATE)
