"""`$readmemh` and raw binary files of each memory: line layouts and extents (docs/image.md)."""

from __future__ import annotations

import pytest

from riscv_soc.errors import ImageError
from riscv_soc.image import Image, Section
from riscv_soc.image.hexfile import hex_lines, write_bin, write_hex
from riscv_soc.soc import DEFAULT, SocConfig


def lanes_bytes(values) -> bytes:
    return b"".join(v.to_bytes(2, "little", signed=True) for v in values)


@pytest.fixture(scope="module")
def image() -> Image:
    llm = bytearray(2048 * 32)  # 32 lanes x 2 KiB, lane-major
    llm[3 * 2048 + 2 : 3 * 2048 + 4] = (0xBEEF).to_bytes(2, "little")  # lane 3, address 2
    llm[31 * 2048 + 2046 : 31 * 2048 + 2048] = (0x1234).to_bytes(2, "little")  # lane 31, last
    return Image(
        [
            Section(".text", "imem", 0, bytes.fromhex("13050000 73000000")),
            Section(".data", "dmem", 8, bytes.fromhex("44332211")),
            Section(".uram", "vmem", 64, lanes_bytes(range(-16, 16))),
            Section(".llm", "llm", 0, bytes(llm)),
            Section(".ddr", "ddr", 4, bytes.fromhex("0a0b0c0d 01")),
        ]
    )


def test_imem_and_dmem_are_one_word_per_line_over_the_whole_memory(image):
    imem = hex_lines(image, "imem")
    assert len(imem) == DEFAULT.imem_bytes // 4
    assert imem[:3] == ["00000513", "00000073", "00000000"]
    dmem = hex_lines(image, "dmem")
    assert len(dmem) == DEFAULT.dmem_bytes // 4 and dmem[2] == "11223344"


def test_vmem_is_one_vector_per_line_lane_0_least_significant(image):
    lines = hex_lines(image, "vmem")
    assert len(lines) == DEFAULT.vmem_bytes // 64
    assert lines[0] == "0" * 128
    vector = int(lines[1], 16)
    lanes = [(vector >> (16 * i)) & 0xFFFF for i in range(32)]
    assert lanes == [v & 0xFFFF for v in range(-16, 16)]


def test_llm_is_one_row_of_all_lanes_per_lane_address(image):
    lines = hex_lines(image, "llm")
    assert len(lines) == 1024 and all(len(line) == 128 for line in lines)
    assert (int(lines[1], 16) >> (16 * 3)) & 0xFFFF == 0xBEEF  # halfword address 2 is row 1
    assert int(lines[1], 16) == 0xBEEF << 48
    assert int(lines[1023], 16) == 0x1234 << (16 * 31)
    assert sum(int(line, 16) != 0 for line in lines) == 2


def test_ddr_is_words_up_to_the_image_extent(image):
    assert hex_lines(image, "ddr") == ["00000000", "0d0c0b0a", "00000001"]


def test_write_hex_and_bin(image, tmp_path):
    write_hex(image, "dmem", tmp_path / "d.hex")
    lines = (tmp_path / "d.hex").read_text().splitlines()
    assert lines[2] == "11223344" and len(lines) == DEFAULT.dmem_bytes // 4
    write_bin(image, "ddr", tmp_path / "d.bin")
    assert (tmp_path / "d.bin").read_bytes() == bytes.fromhex("00000000 0a0b0c0d 01")
    write_bin(image, "imem", tmp_path / "i.bin")
    assert (tmp_path / "i.bin").read_bytes() == bytes.fromhex("13050000 73000000")


def test_sizes_follow_the_config():
    small = SocConfig(imem_bytes=64, llm_lane_bytes=8)
    image = Image([Section(".text", "imem", 0, b"\x13\0\0\0")])
    assert len(hex_lines(image, "imem", small)) == 16
    assert len(hex_lines(image, "llm", small)) == 4


def test_unknown_memory_and_bad_images_raise(image):
    with pytest.raises(ImageError, match="memory 'rom': expected one of imem"):
        hex_lines(image, "rom")
    too_big = Image([Section(".data", "dmem", DEFAULT.dmem_bytes - 2, b"\0" * 4)])
    with pytest.raises(ImageError, match="needs dmem bytes"):
        hex_lines(too_big, "dmem")
