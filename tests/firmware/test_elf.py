"""ELF files: write -> read round trip, GNU binutils accept ours, bad files are refused."""

from __future__ import annotations

import re
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riscv_soc.errors import ImageError
from riscv_soc.image import Image, Section, Symbol
from riscv_soc.image.elf import elf_bytes, read_elf, write_elf
from riscv_soc.isa.asm import assemble
from riscv_soc.isa.disasm import disassemble

PROGRAM = """
    .text
_start:
    la a0, table
    lw a1, 4(a0)
    vloadv v1, 0(zero)
    vadd v2, v1, v1
    clz a2, a1
    call done
done:
    ecall
    .data
table: .word 1, 2, 3
    .bss
scratch: .zero 40
    .section .uram
vec: .half 1, 2, 3, 4
    .section .llm
row: .half 9
    .section .ddr
blob: .word 0xdeadbeef
"""


@pytest.fixture(scope="module")
def image() -> Image:
    return assemble(PROGRAM, "prog.s")


def test_write_then_read_gives_the_same_image(image, tmp_path):
    path = tmp_path / "prog.elf"
    write_elf(image, path)
    back = read_elf(path)
    assert back.sections == image.sections
    assert back.symbols == image.symbols
    assert back.entry == image.entry
    assert back.source == str(path)


def test_header_segments_and_symbols(image):
    data = elf_bytes(image)
    assert data[:6] == b"\x7fELF\x01\x01"  # ELF32, little-endian
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    assert (e_type, e_machine) == (2, 243)  # ET_EXEC, EM_RISCV
    phoff, phnum = struct.unpack_from("<I", data, 28)[0], struct.unpack_from("<H", data, 44)[0]
    segments = [struct.unpack_from("<8I", data, phoff + 32 * i) for i in range(phnum)]
    loads = {(vaddr, paddr, filesz, memsz) for _, _, vaddr, paddr, filesz, memsz, _, _ in segments}
    assert loads == {
        (0, 0x0000_0000, 36, 36),  # .text: p_paddr is the memory's load base + offset
        (0, 0x1000_0000, 12, 12),  # .data
        (12, 0x1000_000C, 0, 40),  # .bss: zero-filled, no file bytes
        (0, 0x2000_0000, 8, 8),
        (0, 0x3000_0000, 2, 2),
        (0, 0x4000_0000, 4, 4),
    }


@pytest.mark.gnu
def test_readelf_accepts_our_elf_without_warnings(image, tmp_path, gnu):
    path = tmp_path / "prog.elf"
    write_elf(image, path)
    done = gnu.run("readelf", "-a", "-W", path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "warning" not in done.stdout.lower()
    assert re.search(r"Machine:\s+RISC-V", done.stdout)
    assert re.search(r"Entry point address:\s+0x0", done.stdout)
    for name in ("_start", "table", "scratch", "vec", "row", "blob"):
        assert re.search(rf"\b{name}$", done.stdout, re.MULTILINE), name


@pytest.mark.gnu
def test_objdump_disassembles_the_scalar_code_and_skips_vector_words(image, tmp_path, gnu):
    path = tmp_path / "prog.elf"
    write_elf(image, path)
    done = gnu.run("objdump", "-d", "-M", "no-aliases", path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    text = next(s for s in image.sections if s.name == ".text").data
    for address in range(0, len(text), 4):
        word = int.from_bytes(text[address : address + 4], "little")
        line = re.search(rf"^\s*{address:x}:\s+{word:08x}\s+(\S+)", done.stdout, re.MULTILINE)
        assert line is not None, f"{address:#x} missing from objdump output"
        if disassemble(word).startswith("v"):
            assert line.group(1) == ".word"  # $d mapping symbols: not misread as compressed
        else:
            assert line.group(1) == disassemble(word, aliases=False).split()[0]


def corrupt(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def section_header(data: bytes, name: str) -> int:
    """File offset of the section header of `name`."""
    (shoff,) = struct.unpack_from("<I", data, 32)
    shnum, shstrndx = struct.unpack_from("<HH", data, 48)
    strtab_offset = struct.unpack_from("<I", data, shoff + 40 * shstrndx + 16)[0]
    for index in range(shnum):
        header = shoff + 40 * index
        start = strtab_offset + struct.unpack_from("<I", data, header)[0]
        if data[start : data.index(b"\0", start)].decode() == name:
            return header
    raise KeyError(name)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: b"#!/bin/sh\n" + d, "not an ELF file"),
        (lambda d: d[:40], "truncated: 40 bytes"),
        (lambda d: d[:-100], "truncated: the section headers end at byte"),
        (lambda d: corrupt(d, 4, "<B", 2), "ELF class 2 (ELF64?), expected 1 (ELF32)"),
        (lambda d: corrupt(d, 5, "<B", 2), "ELF data encoding 2 (big-endian?)"),
        (lambda d: corrupt(d, 18, "<H", 62), "e_machine 62, expected 243 (EM_RISCV)"),
        (
            lambda d: corrupt(d, section_header(d, ".text") + 16, "<I", 1 << 20),
            "section .text lies past the end of the file",
        ),
        (
            lambda d: corrupt(d, section_header(d, ".data") + 12, "<I", 0x1FFF8),
            "section .data is too large for dmem: it ends at 0x20004, dmem holds 0x20000 bytes",
        ),
        (
            lambda d: corrupt(d, section_header(d, ".ddr") + 20, "<I", 0x7FFFFFFF),
            "section .ddr lies past the end of the file",
        ),
    ],
)
def test_bad_files_raise_image_error(image, tmp_path, damage, message):
    path = tmp_path / "bad.elf"
    path.write_bytes(damage(elf_bytes(image)))
    with pytest.raises(ImageError) as err:
        read_elf(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_missing_file_raises_image_error(tmp_path):
    with pytest.raises(ImageError, match="cannot read image"):
        read_elf(tmp_path / "none.elf")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_corrupted_files_load_or_raise_image_error(image, tmp_path, data):
    raw = bytearray(elf_bytes(image))
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    raw = raw[: data.draw(st.integers(0, len(raw)))]
    path = tmp_path / "fuzz.elf"
    path.write_bytes(bytes(raw))
    try:
        read_elf(path)
    except ImageError as err:
        assert str(err).startswith(str(path))


def test_symbols_outside_every_section_are_absolute_and_not_read_back(tmp_path):
    image = Image(
        [Section(".text", "imem", 0, b"\x13\0\0\0")], 0, {"far": Symbol("far", "dmem", 64)}
    )
    path = tmp_path / "abs.elf"
    write_elf(image, path)
    assert read_elf(path).symbols == {}


@pytest.mark.parametrize(
    ("name", "memory", "loaded_into"),
    [
        (".vmem.rows", "dmem", "vmem"),
        (".rows", "vmem", "dmem"),
        (".text", "ddr", "imem"),
        (".data", "imem", "dmem"),
        (".llm", "ddr", "llm"),
    ],
)
def test_a_section_whose_name_picks_another_memory_is_refused(tmp_path, name, memory, loaded_into):
    code = Section(".text", "imem", 0, b"\x13\0\0\0")
    image = Image([code, Section(name, memory, 64, b"\1\2\3\4")], 0, source="prog.s")
    with pytest.raises(ImageError) as err:
        write_elf(image, tmp_path / "bad.elf")
    assert str(err.value).startswith(
        f"prog.s: section {name} is in {memory}, but read_elf would load it into {loaded_into}"
    )
    assert not (tmp_path / "bad.elf").exists()


def test_names_of_no_memory_stay_where_the_reader_puts_them(tmp_path):
    image = Image([Section(".init", "imem", 0, b"\x13\0\0\0"), Section(".misc", "dmem", 0, b"\7")])
    write_elf(image, tmp_path / "ok.elf")
    assert read_elf(tmp_path / "ok.elf").sections == image.sections
