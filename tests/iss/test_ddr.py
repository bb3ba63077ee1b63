"""The DMA against a DDR that answers with errors or completes late (docs/isa.md, "A DDR that
stalls or answers with errors") on the ISS: status bits, which vectors move, when the channel goes
idle; and the DdrModel's checks."""

from __future__ import annotations

import numpy as np
import pytest
from iss.conftest import SMALL, image_of
from iss.test_dma import PATTERN, data, program

from riscv_soc import iss
from riscv_soc.ddr import DdrFault, DdrModel
from riscv_soc.errors import ConfigError
from riscv_soc.isa.csr import DMA_ERR_DECODE, DMA_ERR_SLAVE, DMA_IDLE, DMA_OK, DMA_TRANSFERRING

WAIT = "1:  csrr a0, dma_{ch}_status\n    andi a1, a0, 2\n    beqz a1, 1b\n    ecall\n"


def run(source: str, ddr: DdrModel, dma_late=None):
    return iss.run(image_of(source, SMALL), 100_000, SMALL, ddr=ddr, dma_late=dma_late)


def faults(*ranges) -> DdrModel:
    return DdrModel(faults=tuple(DdrFault(*r) for r in ranges))


@pytest.mark.parametrize(
    ("response", "bit"), [("slverr", DMA_ERR_SLAVE), ("decerr", DMA_ERR_DECODE)]
)
def test_mm2s_skips_the_vectors_of_a_fault_range_and_reports_it(response, bit):
    state = run(
        program("mm2s", 0, 256, 512) + WAIT.format(ch="mm2s") + data("ddr"),
        faults((128, 256, response)),
    )
    assert state.x[10] == DMA_IDLE | bit  # OK clear
    moved = state.memories["vmem"][256 : 256 + 512].view("<i2")
    assert moved[:64].tolist() == PATTERN[:64]  # vectors 0 and 1
    assert not moved[64:128].any()  # vectors 2 and 3: in the range, not written
    assert moved[128:].tolist() == PATTERN[128:256]
    assert state.counters["dma_bytes"] == 512  # every byte handled counts


def test_s2mm_answers_each_4k_burst_once_decode_error_first():
    # 8 KiB from vmem to DDR 0: bursts [0, 4K) with a SLVERR vector, [4K, 8K) with both kinds.
    config_faults = faults(
        (64, 128, "slverr"), (4096, 4160, "slverr"), (8000 // 64 * 64, 8128, "decerr")
    )
    source = program("s2mm", 0, 0, 8192) + WAIT.format(ch="s2mm") + data("vmem")
    state = iss.run(image_of(source, SMALL), 100_000, SMALL, ddr=config_faults)
    assert state.x[10] == DMA_IDLE | DMA_ERR_SLAVE | DMA_ERR_DECODE
    ddr = state.memories["ddr"].view("<i2")
    assert ddr[:32].tolist() == PATTERN[:32] and not ddr[32:64].any()


def test_a_fault_range_the_transfer_misses_changes_nothing():
    state = run(
        program("mm2s", 0, 0, 128) + WAIT.format(ch="mm2s") + data("ddr"),
        faults((128, 192, "decerr")),
    )
    assert state.x[10] == DMA_IDLE | DMA_OK


def test_a_late_transfer_is_busy_for_its_delay_and_then_completes():
    count = 128  # on schedule: idle from t0 + 18, where the status read is
    source = program("mm2s", 0, 0, count) + "\n".join(["nop"] * 17)
    source += "\ncsrr a2, dma_mm2s_status\n" + WAIT.format(ch="mm2s") + data("ddr")
    on_time = run(source, DdrModel())
    late = run(source, DdrModel(), dma_late=((5,), ()))
    assert on_time.x[12] == DMA_IDLE | DMA_OK and late.x[12] == DMA_TRANSFERRING
    assert late.x[10] == DMA_IDLE | DMA_OK
    assert late.cycles > on_time.cycles
    assert late.memories["vmem"][:count].view("<i2").tolist() == PATTERN[: count // 2]


def test_a_transfer_the_log_does_not_complete_never_completes():
    source = (
        program("mm2s", 0, 0, 64) + "\n".join(["nop"] * 40) + "\ncsrr a0, dma_mm2s_status\necall\n"
    )
    state = run(source + data("ddr"), DdrModel(), dma_late=((), ()))
    assert state.x[10] == DMA_TRANSFERRING and not state.memories["vmem"].any()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DdrFault(0, 100, "slverr"), "end: expected a multiple of 64"),
        (lambda: DdrFault(128, 64, "slverr"), "start < end"),
        (lambda: DdrFault(0, 64, "okay"), "response"),
        (lambda: DdrModel(stall_seed=-1), "stall_seed"),
        (lambda: DdrModel(stall_seed=1, stall_probability=1.0), "stall_probability"),
        (lambda: DdrModel(faults=((0, 64, "slverr"),)), "DdrFault"),
    ],
)
def test_bad_models_are_refused(make, message):
    with pytest.raises(ConfigError, match=message):
        make()


def test_bad_late_lists_are_refused():
    with pytest.raises(ConfigError, match="dma_late"):
        run("ecall", DdrModel(), dma_late=((-1,), ()))


def test_the_model_answers_decode_before_slave():
    model = faults((0, 128, "slverr"), (64, 192, "decerr"))
    assert [model.response(a) for a in (0, 64, 128, 192)] == [0b10, 0b11, 0b11, 0b00]
    assert model.fault_table().tolist() == [[0, 128, DMA_ERR_SLAVE], [64, 192, DMA_ERR_DECODE]]
    assert np.array_equal(DdrModel().fault_table(), np.zeros((0, 3)))
