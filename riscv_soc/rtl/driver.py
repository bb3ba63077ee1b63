"""The cocotb driver that runs inside the simulator: many programs, one process.

Where it sits: `riscv_soc.rtl.sim` starts the simulator with this module and a job file (pickled
images, cycle budgets, DDR behaviours, the memory configuration, the memories to return); for
each program this driver loads the image (memories by the testbench backdoor, DDR into the AXI4
port's RAM model `ddr_ram.DdrRam`, which stalls and errs as the program's `DdrModel` says),
releases reset, awaits done (the testbench generates the clock: no Python per clock edge), reads
the final state from the hardware and writes a pickled MachineState per program beside the job
file.
"""

from __future__ import annotations

import mmap
import os
import pickle
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import Event, FallingEdge, First, RisingEdge, Timer
from cocotbext.axi import AxiBus
from cocotbext.axi.stream import StreamMonitor

from riscv_soc.ddr import DdrModel
from riscv_soc.image import Image
from riscv_soc.isa import csr
from riscv_soc.isa.disasm import disassemble
from riscv_soc.isa.hardware import EXIT_NAMES, LANES, TRAP_CAUSES, VREGS
from riscv_soc.machine import EXIT_TRAP, MachineState
from riscv_soc.rtl import memfiles
from riscv_soc.rtl.ddr_ram import DdrRam
from riscv_soc.soc import SocConfig

JOB_ENV = "SNNSOC_RTL_JOB"

_DMA_FIELDS = ("src", "dst", "count", "status")  # order of the testbench's dma_dump words
# Memories the testbench dumps, by their bit in dump_mask_i.
_DUMPED = ("imem", "dmem", "vmem", "llm")


def _unsigned(handle) -> int:
    return int(handle.value)


def _words(value: int, count: int, bits: int) -> np.ndarray:
    """Split a packed integer into `count` unsigned `bits`-bit words, word 0 least significant."""
    raw = value.to_bytes(count * bits // 8, "little")
    dtype = {16: "<u2", 32: "<u4", 64: "<u8"}[bits]
    return np.frombuffer(raw, dtype).copy()


class DdrActivity:
    """Whether the testbench's DDR clock is enabled (ddr_en_q), as two cocotb events."""

    def __init__(self, enable) -> None:
        self.on = Event()
        self.off = Event()
        self.off.set()
        cocotb.start_soon(self._follow(enable))

    async def _follow(self, enable) -> None:
        while True:
            await RisingEdge(enable)
            self.off.clear()
            self.on.set()
            await FallingEdge(enable)
            self.on.clear()
            self.off.set()


def gate_stream_monitors(activity: DdrActivity) -> None:
    """Make the cocotbext-axi stream monitors built after this watch their signals only while
    the DDR clock is enabled.

    The library's monitors keep a value-change callback on each channel sink's valid and ready
    for the whole simulation, only to wake the sink (wake_event) when one rises; the sink samples
    the handshake at its clock edges. Verilator checks every value-change callback in every time
    slot, twice per SoC cycle, so six idle callbacks cost about a tenth of the simulation speed.
    The AXI signals only change while the DDR clock is enabled (the testbench enables it in every
    cycle in which the port can be busy), so one callback on the enable replaces them outside
    transfers. An extra wake is harmless (the sink samples once more and sleeps), a missed one is
    not: a signal already high when the clock is enabled (it may rise in that same time slot)
    wakes the sink at once. Replaces two private methods of cocotbext-axi's StreamMonitor; a
    version without them keeps its own monitors (slower, equally correct).
    """
    if not all(hasattr(StreamMonitor, m) for m in ("_run_valid_monitor", "_run_ready_monitor")):
        return

    async def watch(monitor, signal) -> None:
        rising = RisingEdge(signal)
        while True:
            await activity.on.wait()
            if signal.value == 1:
                monitor.wake_event.set()
            while activity.on.is_set():
                if await First(rising, activity.off.wait()) is rising:
                    monitor.wake_event.set()

    async def run_valid_monitor(self) -> None:
        await watch(self, self.valid)

    async def run_ready_monitor(self) -> None:
        await watch(self, self.ready)

    StreamMonitor._run_valid_monitor = run_valid_monitor
    StreamMonitor._run_ready_monitor = run_ready_monitor


class Testbench:
    """Owns the DDR model and the backdoor protocol of rtl/tb/fenn_soc_tb.sv."""

    def __init__(self, dut, config: SocConfig, memdir: Path, memories: tuple[str, ...]) -> None:
        self.dut = dut
        self.config = config
        self.memdir = memdir
        self.memories = memories
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
        self.ddr_mem = mmap.mmap(-1, config.ddr_bytes, flags=flags)
        # The model runs on the testbench's gated DDR clock. Its reset is driven from here: a
        # reset signal would cost a simulator callback per model part, checked every time slot.
        gate_stream_monitors(DdrActivity(dut.ddr_en_q))
        self.ddr = DdrRam(
            AxiBus.from_prefix(dut, "ddr"), dut.ddr_clk, size=config.ddr_bytes, mem=self.ddr_mem
        )
        self.ddr_parts = (self.ddr.write_if, self.ddr.read_if, *self.ddr.channels)
        dut.run_i.value = 0
        dut.dump_mask_i.value = sum(1 << k for k, name in enumerate(_DUMPED) if name in memories)
        for name in ("load_i", "scatter_i", "gather_i", "dump_i"):
            getattr(dut, name).value = 0

    async def pulse(self, name: str) -> None:
        handle = getattr(self.dut, name)
        handle.value = 1
        await Timer(1, "ns")
        handle.value = 0
        await Timer(1, "ns")

    def reset_ddr_model(self, active: bool) -> None:
        for part in self.ddr_parts:
            part.assert_reset(active)

    async def run(
        self, image: Image, max_cycles: int, ddr: DdrModel, commit_trace: bool
    ) -> MachineState:
        self.dut.run_i.value = 0
        self.reset_ddr_model(True)
        self.ddr.configure(ddr)
        await Timer(10, "ns")
        self._write_memories(image)
        await self.pulse("load_i")
        await self.pulse("scatter_i")
        self.dut.boot_addr_i.value = image.entry
        self.dut.max_cycles_i.value = max_cycles
        await Timer(20, "ns")  # two clock edges: the testbench registers both settings
        self.reset_ddr_model(False)
        self.dut.run_i.value = 1
        await RisingEdge(self.dut.done_o)
        if commit_trace:  # the testbench completes the last record and closes the file
            for _ in range(2):
                await RisingEdge(self.dut.clk)
        await self.pulse("gather_i")
        await self.pulse("dump_i")
        return self._state()

    def _write_memories(self, image: Image) -> None:
        cfg = self.config
        arrays = image.memory_arrays(cfg)
        for name in ("imem", "dmem", "vmem"):
            lines = arrays[name].reshape(-1, memfiles.LINE_BYTES[name])
            memfiles.write_sparse(self.memdir / f"{name}.hex", lines)
        llm = memfiles.llm_lines(arrays["llm"], cfg.llm_lane_bytes)
        memfiles.write_sparse(self.memdir / "llm.hex", llm)
        # DDR: drop every page of the last run (MAP_PRIVATE pages read back as zeros), then
        # copy in the image's sections.
        self.ddr_mem.madvise(mmap.MADV_DONTNEED)
        for sec in image.sections:
            if sec.memory == "ddr" and sec.data:
                self.ddr_mem[sec.address : sec.address + len(sec.data)] = sec.data

    def _read_memory(self, name: str) -> np.ndarray:
        if name == "ddr":
            return np.frombuffer(self.ddr_mem, np.uint8).copy()
        size = self.config.memories()[name].size
        width = memfiles.LINE_BYTES[name]
        lines = memfiles.read_dump(self.memdir / f"out_{name}.hex", width, size // width)
        if name == "llm":
            return memfiles.llm_from_lines(lines, self.config.llm_lane_bytes)
        return lines.reshape(-1)

    def _state(self) -> MachineState:
        dut = self.dut
        exit_kind = EXIT_NAMES[_unsigned(dut.exit_o)]  # fenn_isa_pkg::exit_e
        pc = _unsigned(dut.pc_o)
        counts = _words(_unsigned(dut.counters_dump), 2 + len(csr.COUNTERS), 64)
        dma = _words(_unsigned(dut.dma_dump), 8, 32)
        csrs = {}
        for ch, channel in enumerate(("mm2s", "s2mm")):
            for f, field in enumerate(_DMA_FIELDS):
                csrs[f"dma_{channel}_{field}"] = int(dma[4 * ch + f])
            csrs[f"dma_{channel}_control"] = 0  # reads 0
        csrs["mcountinhibit"] = _unsigned(dut.inhibit_dump)
        csrs = {name: csrs[name] for name in csr.CSRS if name in csrs}  # the CSR table's order
        v = _words(_unsigned(dut.v_dump), LANES * VREGS, 16).astype(np.uint16)
        rng = _words(_unsigned(dut.rng_dump), 2 * LANES, 16).astype(np.uint16)
        # As the ISS reports it: "" outside instruction memory.
        instr = disassemble(_unsigned(dut.instr_dump), pc) if pc < self.config.imem_bytes else ""
        return MachineState(
            exit=exit_kind,
            pc=pc,
            x=_words(_unsigned(dut.x_dump), 32, 32).astype(np.uint32),
            v=v.reshape(LANES, VREGS).T.copy().view(np.int16),
            cycles=int(counts[0]),
            instret=int(counts[1]),
            counters={name: int(counts[2 + k]) for k, name in enumerate(csr.COUNTERS)},
            cause=TRAP_CAUSES[_unsigned(dut.cause_o)] if exit_kind == EXIT_TRAP else None,
            tval=_unsigned(dut.tval_o),
            instr=instr,
            csrs=csrs,
            rng=rng.reshape(2, LANES),
            memories={name: self._read_memory(name) for name in self.memories},
        )


@cocotb.test()
async def run_job(dut):
    """Run every program of the job file named by $SNNSOC_RTL_JOB."""
    job_path = Path(os.environ[JOB_ENV])
    job = pickle.loads(job_path.read_bytes())
    tb = Testbench(dut, job["config"], Path(job["memdir"]), job["memories"])
    for n, (image, max_cycles, ddr) in enumerate(job["programs"]):
        state = await tb.run(image, max_cycles, ddr, job["commit_trace"])
        out = job_path.parent / f"state_{n}.pkl"
        out.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
