"""The neuron update of one population for one step, its spike record and the readout.

Where it sits: program.py calls `emit_update` after a population's synaptic phase. Each 32-lane
vector runs docs/semantics.md section 8 in its order (`<add>` is vadd_s for a saturating
population, else vadd; `<rnd>` the population's rounding of that op):

    I_in  = accumulator; accumulator = 0     (registers, a vmem field, or a lane-local row)
    I_in  = <add>(I_in, ring[t mod D]); ring[t mod D] = 0    (delayed inputs)
    I_in  = <add>(I_in, bias)                                 (bias)
    B     = <add>(thr, A)                                     (ALIF; else B = thr)
    fired = vtlt(B, V);  V = vsel(fired, v_reset, V)          (reset "value")
    I = vmul<rnd>(alpha, I); I = <add>(I, I_in); I_in = I     (CubaLIF, CubaLI)
    I_in = <add>(I_in, leak)                                  (CubaLIF/CubaLI's v_leak term)
    A = vmul<rnd>(rho, A); A = vsel(fired, <add>(A, jump), A); B = <add>(thr, A)   (ALIF)
    V = vmul<rnd>(beta, V); V = <add>(V, I_in)
    V = vsel(fired, <sub>(V, B), V)   (reset "subtract")   or   V = vsel(fired, v_reset, V)
    spike = vtlt(B, V) & tail mask  -> the spike record      and the readout of the output

Populations of at most `unroll_vectors` vectors run in straight code with the next vector's V
loaded one vector ahead; larger ones loop over vectors (the state pointer walks the state block's
slots). RNG-consuming ops stay in that order, vector after vector (section 9).
"""

from __future__ import annotations

from riscv_soc.compiler import lane_record
from riscv_soc.compiler.emitter import ROUND_SUFFIX, Emitter, Pointer
from riscv_soc.compiler.neurons_dual import emit_dual_update
from riscv_soc.compiler.placement import Plan, PopulationPlan, update_registers
from riscv_soc.compiler.regalloc import (
    BASE2,
    CHUNK,
    FIRED,
    REC,
    RECORD_ROW,
    SPIKE,
    STATE,
    STEP,
    TMP,
    TMP2,
    ZERO,
    VectorPool,
)
from riscv_soc.isa.numerics import INT16_MIN
from riscv_soc.soc import LANES

INITIAL_ACC = {"max": INT16_MIN}  # other readouts start from 0


def emit_update(
    e: Emitter, plan: Plan, pop_plan: PopulationPlan, pool: VectorPool, accs: list[str]
):
    """The update of `pop_plan` for the step in STEP; `accs` are its register accumulators (if
    any)."""
    if pop_plan.pop.dual:
        emit_dual_update(e, plan, pop_plan, pool)
        return
    _Update(e, plan, pop_plan, pool, accs).emit()


class _Update:
    def __init__(self, e: Emitter, plan: Plan, pop_plan: PopulationPlan, pool: VectorPool, accs):
        self.e, self.plan, self.pop_plan, self.pop, self.accs = (
            e,
            plan,
            pop_plan,
            pop_plan.pop,
            accs,
        )
        self.pool = pool
        self.readout = plan.bundle.readout if pop_plan.is_output else None
        self.adaptive = getattr(self.pop, "adaptive", False)
        self.slots = self.pop.delay_slots
        self.add = "vadd_s" if self.pop.saturate else "vadd"
        self.sub = "vsub_s" if self.pop.saturate else "vsub"
        self.block = plan.region(f"state.{self.pop.name}").address
        self.lane_record = pop_plan in lane_record.recorded(plan)  # its spikes go to the DDR record

    def emit(self) -> None:
        names = update_registers(
            self.plan.bundle, self.pop, self.pop_plan.home, self.pop_plan.is_output
        )
        names += lane_record.REGISTERS if self.lane_record else ()
        self.r = self.pool.take(names, "the neuron update")
        self.e.li(STATE, self.block)
        if self.pop_plan.recorded:
            self.e.add_const(REC, RECORD_ROW, 4 * self.pop_plan.record_word, TMP2)
        elif self.pop.spiking:
            self.e.li(
                REC, self.plan.region("latest_spikes").address + 4 * self.pop_plan.record_word
            )
        if self.pop_plan.looped:
            self._constants()
            self._looped()
        else:
            self._straight()
        self.pool.release(self.r)

    def _constants(self) -> None:
        e, r, pop = self.e, self.r, self.pop
        if pop.spiking:
            e.vlui(r["THR"], pop.threshold_raw)
        if "VRESET" in r:
            e.vlui(r["VRESET"], pop.v_reset_raw)
        e.vlui(r["BETA"], pop.beta_raw)
        if pop.synaptic:
            e.vlui(r["ALPHA"], pop.alpha_raw)
        if self.adaptive:
            e.vlui(r["RHO"], pop.adapt_decay_raw)
            e.vlui(r["JUMP"], pop.adapt_jump_raw)
        if self.readout == "count":
            e.vlui(r["ONE"], 1)
        if self.lane_record:
            lane_record.emit_constants(e, self.plan, r)
        llm = self._llm_isyn()
        if self.slots:  # ring slot t mod D of neuron row 0: ring + 2 * (t mod D)
            e.andi(TMP, STEP, self.slots - 1)
            e.slli(TMP, TMP, 1)
            e.addi(BASE2 if self.pop_plan.looped else TMP, TMP, self._ring())
            if not self.pop_plan.looped:
                e.vfill(r["RA"], TMP)
        if llm is not None:
            if self.pop_plan.looped:
                e.li(TMP, llm)
            else:
                e.vlui(r["AV"], llm)

    def _llm_isyn(self) -> int | None:
        if self.pop_plan.home != "llm":
            return None
        return self.plan.region(f"isyn.{self.pop.name}").address

    def _ring(self) -> int:
        return self.plan.region(f"ring.{self.pop.name}").address

    def _straight(self) -> None:
        """Vector 0's loads go ahead of the constants, vector k + 1's in the middle of vector
        k (after its V is stored, before its spike word and readout), in alternating V
        registers, so that no load is followed by its use."""
        state = Pointer(self.e, STATE, tmp=TMP2)
        rec = Pointer(self.e, REC, tmp=TMP2)
        v = (self.r["V0"], self.r["V1"])
        self._loads(0, state, v[0])
        self._load_acc(0, state)
        self._constants()
        for k in range(self.pop_plan.nvec):
            nxt = (k + 1, v[(k + 1) % 2]) if k + 1 < self.pop_plan.nvec else None
            self._vector(k, state, rec, v[k % 2], prefetch=nxt)

    def _looped(self) -> None:
        e, pop_plan = self.e, self.pop_plan
        full, tail = divmod(self.pop.n, LANES)
        if full:
            top = e.fresh("update")
            e.li(CHUNK, full)
            e.label(top)
            self._looped_vector(LANES)
            e.addi(STATE, STATE, pop_plan.slot_bytes)
            if self.pop.spiking:
                e.addi(REC, REC, 4)
            if pop_plan.home == "llm":
                e.addi(TMP, TMP, 2)
            if self.slots:
                e.add_const(BASE2, BASE2, pop_plan.ring_stride, TMP2)
            e.addi(CHUNK, CHUNK, -1)
            e.far_branch("bne", CHUNK, "zero", top)
        if tail:
            self._looped_vector(tail)

    def _looped_vector(self, lanes: int) -> None:
        state, rec = Pointer(self.e, STATE), Pointer(self.e, REC)
        self._loads(0, state, self.r["V0"])
        self._load_acc(0, state)
        self._vector(0, state, rec, self.r["V0"], looped=True, lanes=lanes)

    def _loads(self, k, state, v) -> None:
        """Vector k's state loads (V into `v`), the ones used first loaded first."""
        e, r, pop, pop_plan = self.e, self.r, self.pop, self.pop_plan

        def at(name: str) -> int:
            return state.imm(pop_plan.field_offset(name, k))

        if pop.bias is not None:
            e.vloadv(r["BIAS"], at("bias"), STATE)
        if pop.leak is not None:
            e.vloadv(r["LEAK"], at("leak"), STATE)
        if self.adaptive:
            e.vloadv(r["A"], at("A"), STATE)
        e.vloadv(v, at("V"), STATE)
        if pop.synaptic:
            e.vloadv(r["I"], at("I"), STATE)

    def _load_acc(self, k, state) -> None:
        if self.readout in ("mean", "max", "count"):
            self.e.vloadv(self.r["ACC"], state.imm(self.pop_plan.field_offset("acc", k)), STATE)

    def _vector(self, k, state, rec, v, looped=False, lanes=None, prefetch=None) -> None:
        """Vector k (relative to the pointers), its state already loaded, V in `v`. `prefetch`:
        (k + 1, its V register) to load in the shadow of this vector's tail. Looped: lane-local
        addresses come from the scalar counters. `lanes`: valid lanes (a partial last vector)."""
        e, r, pop, pop_plan = self.e, self.r, self.pop, self.pop_plan
        if lanes is None and k == pop_plan.nvec - 1:
            lanes = pop.n - k * LANES
        lanes = None if lanes == LANES else lanes

        def at(name: str, vector: int = k) -> int:
            return state.imm(pop_plan.field_offset(name, vector))

        inp = self._input(k, at, looped)
        if self.slots:
            e.emit(self.add, inp, inp, r["R"])
        if pop.bias is not None:
            e.emit(self.add, inp, inp, r["BIAS"])
        th = r.get("THR")
        if self.adaptive:
            e.emit(self.add, r["B"], r["THR"], r["A"])
            th = r["B"]
        if pop.spiking:
            e.vtlt(FIRED, th, v)
        if pop.reset == "value":
            e.vsel(v, FIRED, r["VRESET"])
        if pop.synaptic:
            e.emit(self._mul("i_decay"), r["I"], r["ALPHA"], r["I"], pop.alpha_frac_bits)
            e.emit(self.add, r["I"], r["I"], inp)
            e.vstorev(r["I"], at("I"), STATE)
            inp = r["I"]
        if pop.leak is not None:  # after the store: the leak is V's input, not I's
            e.emit(self.add, inp, inp, r["LEAK"])
        if self.adaptive:
            e.emit(self._mul("a_decay"), r["A"], r["RHO"], r["A"], pop.adapt_decay_frac_bits)
            e.emit(self.add, r["X"], r["A"], r["JUMP"])
            e.vsel(r["A"], FIRED, r["X"])
            e.vstorev(r["A"], at("A"), STATE)
            e.emit(self.add, r["B"], r["THR"], r["A"])
        e.emit(self._mul("v_decay"), v, r["BETA"], v, pop.beta_frac_bits)
        e.emit(self.add, v, v, inp)
        if pop.reset == "subtract":
            e.emit(self.sub, r["X"], v, th)
            e.vsel(v, FIRED, r["X"])
        elif pop.reset == "value_after":
            e.vsel(v, FIRED, r["VRESET"])
        e.vstorev(v, at("V"), STATE)
        if prefetch is not None:
            self._loads(prefetch[0], state, prefetch[1])
        if self.lane_record:
            lane_record.emit_vector(e, self.plan, self.pop_plan, r, k, load=True)
        if pop.spiking:
            e.vtlt(SPIKE, th, v)
            if lanes is not None:
                e.li(TMP2, (1 << lanes) - 1)
                e.and_(SPIKE, SPIKE, TMP2)
            e.sw(SPIKE, rec.imm(4 * k), REC)
        if self.lane_record:
            lane_record.emit_vector(e, self.plan, self.pop_plan, r, k, load=False)
        if self.readout is not None:
            self._readout(v, at)
        if prefetch is not None:
            self._load_acc(prefetch[0], state)

    def _input(self, k: int, at, looped: bool) -> str:
        """I_in (the accumulator, read and cleared) and R (the ring slot of step t, cleared)."""
        e, r, pop_plan = self.e, self.r, self.pop_plan
        inp = self.accs[k] if pop_plan.home == "registers" else r["INP"]
        if pop_plan.home in ("tiles", "vmem"):
            e.vloadv(inp, at("isyn"), STATE)
        if pop_plan.home == "vmem":  # tiles overwrite every accumulator each step
            e.vstorev(ZERO, at("isyn"), STATE)
        elif pop_plan.home == "llm":
            if looped:
                e.vfill(r["AV"], TMP)
            e.vloadl(inp, 0 if looped else 2 * k, r["AV"])
            e.vstorel(ZERO, 0 if looped else 2 * k, r["AV"])
        if self.slots:
            if looped:
                e.vfill(r["RA"], BASE2)
            slot = 0 if looped else pop_plan.ring_stride * k
            e.vloadl(r["R"], slot, r["RA"])
            e.vstorel(ZERO, slot, r["RA"])
        return inp

    def _mul(self, op: str) -> str:
        return "vmul" + ROUND_SUFFIX[self.pop.rounding[op]]

    def _readout(self, v: str, at) -> None:
        e, r = self.e, self.r
        acc = r.get("ACC")
        if self.readout == "mean":
            shift = self.plan.bundle.readout_shift
            e.emit("vsrai" + ROUND_SUFFIX[self.pop.rounding["readout"]], r["X"], v, shift)
            e.vadd_s(acc, acc, r["X"])
        elif self.readout == "max":
            e.vtlt(TMP2, acc, v)
            e.vsel(acc, TMP2, v)
        elif self.readout == "count":
            e.vadd_s(r["X"], acc, r["ONE"])
            e.vsel(acc, SPIKE, r["X"])
        else:  # last
            acc = v
        e.vstorev(acc, at("acc"), STATE)


def initial_fields(pop_plan: PopulationPlan, readout: str) -> dict[str, int]:
    """Fields of a state block the firmware sets at the start of every sample, and their value
    (the bias and leak stay as the image loaded them)."""
    out = {name: 0 for name in pop_plan.fields if name not in ("bias", "leak", "V0")}
    if "acc" in out:
        out["acc"] = INITIAL_ACC.get(readout, 0)
    return out
