"""The RTL against a DDR that pushes back (riscv_soc/ddr.py, docs/isa.md "A DDR that stalls or
answers with errors"): under random stalls on every AXI channel the generated programs and a
network run end in the ISS's state, memories and (given the RTL's completion delays) cycles; an
error response sets the documented status in both; the cycle-limit exit and error outcomes are
compared like every other exit."""

from __future__ import annotations

import numpy as np
import pytest
from naive.firmware_nets import family_bundle, spikes_for

from riscv_soc import commit, difftest, iss, rtl
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.core.seeds import sample_seeds
from riscv_soc.core.simulate import pack_spikes
from riscv_soc.ddr import DdrFault, DdrModel
from riscv_soc.difftest import CONFIG
from riscv_soc.firmware.export import firmware_of
from riscv_soc.image import Section
from riscv_soc.isa.asm import assemble
from riscv_soc.isa.csr import DMA_ERR_DECODE, DMA_ERR_SLAVE, DMA_IDLE, DMA_OK
from riscv_soc.machine import diff_states
from riscv_soc.runtime.backends import patched_image
from riscv_soc.runtime.io import SampleIO

pytestmark = pytest.mark.rtl

# Both channels at once, waited for; then their status and the cycle count.
BOTH = """
    li x26, 0
    csrw dma_mm2s_src, x26
    li x26, 32768
    csrw dma_mm2s_dst, x26
    li x26, 8192
    csrw dma_mm2s_count, x26
    csrwi dma_mm2s_control, 1
    li x26, 4096
    csrw dma_s2mm_src, x26
    li x26, 20480
    csrw dma_s2mm_dst, x26
    li x26, 4096
    csrw dma_s2mm_count, x26
    csrwi dma_s2mm_control, 1
1:  csrr x25, dma_mm2s_status
    andi x25, x25, 2
    beqz x25, 1b
2:  csrr x25, dma_s2mm_status
    andi x25, x25, 2
    beqz x25, 2b
    csrr x1, dma_mm2s_status
    csrr x2, dma_s2mm_status
    csrr x3, mcycle
    ecall
"""


def _both_channels():
    image = assemble(BOTH, "both", CONFIG)
    rng = np.random.default_rng(0)
    for memory in ("ddr", "vmem"):
        data = rng.integers(0, 256, 64 * 1024, dtype=np.uint8).tobytes()
        image.sections.append(Section(f".{memory}.gen", memory, 0, data))
    return image


def _compare(image, model: DdrModel, max_cycles: int = 200_000):
    """RTL and ISS runs of `image` on `model`'s DDR (the ISS replays the RTL's delays)."""
    [run] = rtl.run_programs([image], max_cycles, CONFIG, traced=True, ddr=model)
    late = run.dma_late if model.stalls else None
    ref, trace = iss.run_traced(image, max_cycles, CONFIG, ddr=model, dma_late=late)
    assert commit.first_divergence(trace, run.trace) is None
    assert diff_states(ref, run.state) == []
    return ref, run


def test_error_responses_set_the_documented_status_on_both_machines():
    # MM2S reads a SLVERR range; the S2MM burst [20 KiB, 24 KiB) holds SLVERR and DECERR vectors
    # (one response per burst: DECERR); a DECERR range after the transfers changes nothing.
    model = DdrModel(
        faults=(
            DdrFault(1024, 1216, "slverr"),
            DdrFault(20992, 21056, "slverr"),
            DdrFault(24448, 24640, "decerr"),
        )
    )
    image = _both_channels()
    ref, run = _compare(image, model)
    assert int(ref.x[1]) == DMA_IDLE | DMA_ERR_SLAVE
    assert int(ref.x[2]) == DMA_IDLE | DMA_ERR_DECODE
    before, after = image.memory_arrays(CONFIG), ref.memories
    # MM2S: the 3 vectors read from the range keep the old contents, the others moved.
    assert np.array_equal(after["vmem"][33792:33984], before["vmem"][33792:33984])
    assert np.array_equal(after["vmem"][32768:33792], before["ddr"][:1024])
    # S2MM: the slave dropped the vector in its range and stored the others of the burst.
    assert np.array_equal(after["ddr"][20992:21056], before["ddr"][20992:21056])
    assert np.array_equal(after["ddr"][20480:20992], before["vmem"][4096:4608])
    assert run.dma_late == ((0,), (0,)) and run.dma_errors == 2


def test_stalls_delay_completion_and_change_nothing_else():
    plain, _ = _compare(_both_channels(), DdrModel())
    stalled, run = _compare(_both_channels(), DdrModel(stall_seed=3))
    assert any(d > 0 for channel in run.dma_late for d in channel) and run.dma_errors == 0
    assert stalled.cycles > plain.cycles
    assert int(stalled.x[1]) == int(stalled.x[2]) == DMA_IDLE | DMA_OK
    for name in ("vmem", "ddr"):
        assert np.array_equal(stalled.memories[name], plain.memories[name])


def test_a_network_run_under_stalls_ends_in_the_iss_state():
    bundle = family_bundle("recurrent_lif")
    fw = firmware_of(compile_bundle(bundle, CompileOptions(weights="ddr"), CONFIG))
    words = pack_spikes(spikes_for(bundle, 1))
    image = patched_image(
        fw.image, SampleIO(fw.manifest).patches(words[0], sample_seeds(11, [0])[0])
    )
    ref, run = _compare(image, DdrModel(stall_seed=5), max_cycles=10_000_000)
    assert ref.exit in ("ecall", "spin") and sum(map(len, run.dma_late)) > 0
    assert any(d > 0 for channel in run.dma_late for d in channel)


@pytest.mark.slow
def test_generated_programs_under_stalls_and_errors_match_in_lock_step(tmp_path):
    stalled = difftest.run(seed=3, programs=10, length=300, out_dir=tmp_path, ddr_stalls=True)
    assert stalled.mismatches == 0, stalled.saved
    assert stalled.dma_late > 0 and "DDR stalls" in stalled.line()
    assert stalled.exits.get("limit", 0) > 0  # the cycle-limit exit is compared too
    erring = difftest.run(seed=3, programs=10, length=300, out_dir=tmp_path, ddr_errors=True)
    assert erring.mismatches == 0, erring.saved
    assert erring.dma_errors > 0 and "DDR errors" in erring.line()
