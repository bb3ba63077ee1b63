"""The neuron update of a cubalif2 population (two synaptic currents, refractory counter).

Where it sits: neurons.emit_update hands cubalif2 populations here. Each 32-lane vector runs
docs/semantics.md section 8.1 in its order (`<add>`/`<sub>` saturate when the population does;
`<rnd>` is the population's i_decay rounding for the currents, v_decay for V):

    I  = <add>(I, isyn);   isyn = 0;   I2 = <add>(I2, isyn2);   isyn2 = 0
    M1 = vmul<rnd>(scale, I, shift);  M2 = vmul<rnd>(scale2, I2, shift)
    I  = vmul<rnd>(alpha, I);         I2 = vmul<rnd>(alpha2, I2)
    Vn = <add>(<add>(<add>(vmul<rnd>(beta, V), M1), M2), offset)
    held = vtlt(0, R);  Vn = vsel(held, V, Vn);  R = vsub_s(R, 1)    (refractory_hold)
    spike = vtlt(thr, Vn) (vtge(Vn, thr): threshold_inclusive) & tail mask  (& ~held without
            refractory_hold)
    V = vsel(spike, v_reset, Vn)  or, reset "subtract", V = vsel(spike, <sub>(Vn, thr), Vn)
    R = vsel(spike, refractory, R)

The accumulators are state-block fields (home "vmem") or lane-local rows (home "llm", sparse
inputs; isyn2's region follows isyn's, so one address vector reaches both). Populations of at most
`unroll_vectors` vectors run in straight code, larger ones loop over vectors.
"""

from __future__ import annotations

from riscv_soc.compiler.emitter import ROUND_SUFFIX, Emitter, Pointer
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

REGISTERS = (
    "V",
    "I",
    "J",
    "R",
    "X1",
    "X2",
    "M1",
    "M2",
    "SC1",
    "SC2",
    "AL1",
    "AL2",
    "OFF",
    "BETA",
    "ONE",
    "THR",
    "VRESET",
    "REFRAC",
)
LOOP_UNROLL = 4  # vectors per loop body of a looped update
MAX_BODY_BYTES = 2048  # a body's state offsets stay within 12-bit immediates


def emit_dual_update(e: Emitter, plan: Plan, pop_plan: PopulationPlan, pool: VectorPool) -> None:
    _DualUpdate(e, plan, pop_plan, pool).emit()


class _DualUpdate:
    def __init__(self, e: Emitter, plan: Plan, pop_plan: PopulationPlan, pool: VectorPool):
        self.e, self.plan, self.pop_plan, self.pop, self.pool = (
            e,
            plan,
            pop_plan,
            pop_plan.pop,
            pool,
        )
        self.add = "vadd_s" if self.pop.saturate else "vadd"
        self.sub = "vsub_s" if self.pop.saturate else "vsub"
        self.llm = pop_plan.home == "llm"
        if self.llm:  # isyn2's lane-local rows, relative to isyn's
            self.isyn = plan.region(f"isyn.{self.pop.name}").address
            self.isyn2_delta = plan.region(f"isyn2.{self.pop.name}").address - self.isyn

    def emit(self) -> None:
        e, pop_plan = self.e, self.pop_plan
        names = (
            list(REGISTERS) + (["AV"] if self.llm else []) + (["ACC"] if pop_plan.is_output else [])
        )
        self.r = self.pool.take(names, "the neuron update")
        e.li(STATE, self.plan.region(f"state.{self.pop.name}").address)
        if pop_plan.recorded:
            e.add_const(REC, RECORD_ROW, 4 * pop_plan.record_word, TMP2)
        else:
            e.li(REC, self.plan.region("latest_spikes").address + 4 * pop_plan.record_word)
        self._constants()
        if pop_plan.looped:
            self._looped()
        else:
            state, rec = Pointer(e, STATE, tmp=TMP2), Pointer(e, REC, tmp=TMP2)
            for k in range(pop_plan.nvec):
                self._vector(k, state, rec, min(LANES, self.pop.n - k * LANES), looped=False)
        self.pool.release(self.r)

    def _constants(self) -> None:
        e, r, pop = self.e, self.r, self.pop
        for name, value in (
            ("SC1", pop.syn_scale_raw),
            ("SC2", pop.syn_scale2_raw),
            ("AL1", pop.alpha_raw),
            ("AL2", pop.alpha2_raw),
            ("OFF", pop.i_offset_raw),
            ("BETA", pop.beta_raw),
            ("ONE", 1),
            ("THR", pop.threshold_raw),
            ("VRESET", pop.v_reset_raw),
            ("REFRAC", pop.refractory),
        ):
            e.vlui(r[name], value)
        if self.llm:
            if self.pop_plan.looped:
                e.li(TMP, self.isyn)
            else:
                e.vlui(r["AV"], self.isyn)

    def _looped(self) -> None:
        """Bodies of `u` vectors (the loop's pointer updates paid once per body), then the
        vectors left over and the partial last one, in straight code from where the loop ended."""
        e, pop_plan = self.e, self.pop_plan
        full, tail = divmod(self.pop.n, LANES)
        u = max(1, min(LOOP_UNROLL, full, MAX_BODY_BYTES // pop_plan.slot_bytes))
        loops, rest = divmod(full, u)
        if loops:
            top = e.fresh("update")
            e.li(CHUNK, loops)
            e.label(top)
            self._body([LANES] * u)
            e.add_const(STATE, STATE, u * pop_plan.slot_bytes, TMP2)
            e.addi(REC, REC, 4 * u)
            if self.llm:
                e.addi(TMP, TMP, 2 * u)
            e.addi(CHUNK, CHUNK, -1)
            e.far_branch("bne", CHUNK, "zero", top)
        lanes = [LANES] * rest + ([tail] if tail else [])
        if lanes:
            self._body(lanes)

    def _body(self, lanes: list[int]) -> None:
        state, rec = Pointer(self.e, STATE), Pointer(self.e, REC)
        for k, n in enumerate(lanes):
            self._vector(k, state, rec, n, looped=True)

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
        if looped and k == 0:  # TMP: the lane-local row of the body's first vector
            e.vfill(r["AV"], TMP)
        row = 2 * k
        e.vloadl(r["X1"], row, r["AV"])
        e.vloadl(r["X2"], row + self.isyn2_delta, r["AV"])
        e.vstorel(ZERO, row, r["AV"])
        e.vstorel(ZERO, row + self.isyn2_delta, r["AV"])

    def _vector(self, k: int, state: Pointer, rec: Pointer, lanes: int, looped: bool) -> None:
        e, r, pop, pop_plan = self.e, self.r, self.pop, self.pop_plan

        def at(name: str) -> int:
            return state.imm(pop_plan.field_offset(name, k))

        for name, field in (("V", "V"), ("I", "I"), ("J", "I2"), ("R", "R")):
            e.vloadv(r[name], at(field), STATE)
        if pop_plan.is_output:
            e.vloadv(r["ACC"], at("acc"), STATE)
        self._inputs(k, at, looped)
        rnd_i, shift = self._mul("i_decay"), pop.syn_scale_shift
        e.emit(self.add, r["I"], r["I"], r["X1"])
        e.emit(self.add, r["J"], r["J"], r["X2"])
        e.emit(rnd_i, r["M1"], r["SC1"], r["I"], shift)
        e.emit(rnd_i, r["M2"], r["SC2"], r["J"], shift)
        e.emit(rnd_i, r["I"], r["AL1"], r["I"], pop.alpha_frac_bits)
        e.emit(rnd_i, r["J"], r["AL2"], r["J"], pop.alpha2_frac_bits)
        e.vstorev(r["I"], at("I"), STATE)
        e.vstorev(r["J"], at("I2"), STATE)
        e.emit(self._mul("v_decay"), r["X2"], r["BETA"], r["V"], pop.beta_frac_bits)
        e.emit(self.add, r["X2"], r["X2"], r["M1"])
        e.emit(self.add, r["X2"], r["X2"], r["M2"])
        e.emit(self.add, r["X2"], r["X2"], r["OFF"])  # the new V, unless held
        e.vtlt(FIRED, ZERO, r["R"])
        if pop.refractory_hold:
            e.vsel(r["X2"], FIRED, r["V"])
        e.vsub_s(r["R"], r["R"], r["ONE"])
        if pop.threshold_inclusive:  # V >= thr
            e.vtge(SPIKE, r["X2"], r["THR"])
        else:
            e.vtlt(SPIKE, r["THR"], r["X2"])
        if not pop.refractory_hold:  # integrating, but no spike while refractory
            e.xori(FIRED, FIRED, -1)
            e.and_(SPIKE, SPIKE, FIRED)
        if pop.reset == "subtract":
            e.emit(self.sub, r["M2"], r["X2"], r["THR"])
            e.vsel(r["X2"], SPIKE, r["M2"])
        else:
            e.vsel(r["X2"], SPIKE, r["VRESET"])
        e.vsel(r["R"], SPIKE, r["REFRAC"])
        e.vstorev(r["X2"], at("V"), STATE)
        e.vstorev(r["R"], at("R"), STATE)
        if lanes < LANES:
            e.li(TMP2, (1 << lanes) - 1)
            e.and_(SPIKE, SPIKE, TMP2)
        e.sw(SPIKE, rec.imm(4 * k), REC)
        if pop_plan.is_output:  # readout "count" (the only one a spiking output has)
            acc = r["ACC"]
            e.vadd_s(r["M1"], acc, r["ONE"])
            e.vsel(acc, SPIKE, r["M1"])
            e.vstorev(acc, at("acc"), STATE)
