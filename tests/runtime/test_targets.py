"""The board target (FeNN-DMA hardware): its image starts by enabling the counters, reads only
mcycle and minstret, ends in the spin after the ready flag, keeps rows on chip, and gives the sim
image's outputs bit for bit on the ISS and the RTL."""

import json

import numpy as np
import pytest
from naive.firmware_nets import FAMILIES, family_bundle, input_lif_li, spikes_for

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileError, CompileOptions, compile_bundle
from riscv_soc.difftest import CONFIG
from riscv_soc.errors import ConfigError
from riscv_soc.firmware.export import export_firmware, firmware_of
from riscv_soc.isa import csr
from riscv_soc.isa.disasm import disassemble
from riscv_soc.isa.hardware import SPIN_WORD
from riscv_soc.isa.table import encode
from riscv_soc.quant import QuantConfig, quantise

BOARD = CompileOptions(target="board")


def _words(fw) -> list[int]:
    code = b"".join(s.data for s in fw.image.sections if s.memory == "imem")
    return [int.from_bytes(code[a : a + 4], "little") for a in range(0, len(code), 4)]


def _firmware(family: str, options: CompileOptions, config=CONFIG):
    return firmware_of(compile_bundle(family_bundle(family), options, config))


def test_the_board_image_enables_counters_first_and_ends_in_the_spin_after_the_flag():
    fw = _firmware("recurrent_lif", BOARD)
    words = _words(fw)
    assert words[0] == encode("csrrw", xd=0, csr=csr.CSRS["mcountinhibit"], xs1=0)
    spin = words.index(SPIN_WORD)
    assert disassemble(words[spin - 1]) == "sw t6, 0(zero)"  # flag = DONE, then spin
    assert encode("ecall") not in words
    assert fw.image.entry == 0 and fw.image.symbols["_start"].address == 0
    read = {disassemble(w).split(", ")[1] for w in words if disassemble(w).startswith("csrr ")}
    assert {name for name in read if not name.startswith("dma_")} == {"mcycle", "minstret"}


def test_the_manifest_names_the_target_and_its_counters(tmp_path):
    export_firmware(_firmware("dense_lif", BOARD), tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["options"]["target"] == "board"
    assert manifest["io"]["counters"]["names"] == ["mcycle", "minstret"]
    assert (tmp_path / "firmware.vmem.bin").stat().st_size % 64 == 0  # whole DMA vectors


@pytest.mark.parametrize("family", FAMILIES)
def test_board_and_sim_images_give_the_same_outputs_on_the_iss(family):
    bundle = family_bundle(family)
    spikes = spikes_for(bundle, 3)
    sim = runtime.run(_firmware(family, CompileOptions()), spikes, seed=5)
    board = runtime.run(_firmware(family, BOARD), spikes, seed=5)
    assert core.diff_results(sim, board, activity=False) == []
    assert core.diff_results(core.run(bundle, spikes, seed=5), board, activity=False) == []
    assert {"cycles", "instret"} <= set(board.activity)
    assert not set(csr.COUNTERS) & set(board.activity)
    # between the two mcycle reads: 6 counter reads and stores fewer (mcountinhibit is before)
    for name in ("instret", "cycles"):
        assert np.all(board.activity[name] - sim.activity[name] == -2 * len(csr.COUNTERS))


def test_the_board_target_keeps_every_row_on_chip():
    with pytest.raises(ConfigError, match="weights='ddr': target 'board' keeps every row"):
        compile_bundle(family_bundle("dense_lif"), CompileOptions(weights="ddr", target="board"))
    net = input_lif_li(np.random.default_rng(5), 700, 512, 10, steps=3)  # 716,800 row bytes
    bundle = quantise(net, QuantConfig(rounding="sr", weight_bits=8))
    assert compile_bundle(bundle).plan.projs[0].memory == "ddr"  # sim: the rows go to DDR
    with pytest.raises(CompileError, match=r"^vmem: .* \(target 'board' keeps every row on chip"):
        compile_bundle(bundle, BOARD)


def test_an_unknown_target_is_refused():
    with pytest.raises(ConfigError, match="target='fpga'; expected one of"):
        compile_bundle(family_bundle("dense_lif"), CompileOptions(target="fpga"))


@pytest.mark.rtl
@pytest.mark.slow
@pytest.mark.parametrize("family", ["sparse_cubalif", "adaptive_sparse", "delayed_lif"])
def test_board_image_on_the_rtl_matches_the_sim_image_and_the_iss(family):
    bundle = family_bundle(family)
    spikes = spikes_for(bundle, 2)
    board = _firmware(family, BOARD)
    on_rtl = runtime.run(board, spikes, seed=3, backend="rtl")
    sim = runtime.run(_firmware(family, CompileOptions()), spikes, seed=3, backend="rtl")
    assert core.diff_results(sim, on_rtl, activity=False) == []
    assert core.diff_results(runtime.run(board, spikes, seed=3), on_rtl) == []  # cycles too
