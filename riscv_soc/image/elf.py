"""ELF32 RISC-V files of firmware images: our own small writer, and a reader built on pyelftools.

Data flow: the assembler or the firmware exporter builds an `Image`; `write_elf` stores it; the ISS,
the RTL testbench and `snnsoc disasm` load it back with `read_elf`, which also loads ELFs linked by
the GNU toolchain with firmware/link.ld. docs/image.md describes the format.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import cast

from elftools.common.exceptions import ELFError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from riscv_soc.errors import ImageError
from riscv_soc.image import Image, Section, Symbol, memory_of_section
from riscv_soc.isa.table import lookup
from riscv_soc.soc import DEFAULT, SocConfig
from snnsoc_common.artefacts import write_bytes

EM_RISCV = 243
ET_EXEC = 2
PT_LOAD = 1
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 1, 2, 3, 8
SHT_RISCV_ATTRIBUTES = 0x70000003
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
PF_X, PF_W, PF_R = 1, 2, 4
STB_LOCAL, STB_GLOBAL = 0, 1
STT_NOTYPE, STT_FUNC, STT_OBJECT = 0, 2, 1
EHDR_SIZE, PHDR_SIZE, SHDR_SIZE, SYM_SIZE = 52, 32, 40, 16
FILE_ALIGN = 64  # section data sits at file offsets congruent to its address modulo this
# The ISA this SoC implements, for GNU tools (objdump reads it to decide what it may decode).
ARCH = "rv32i2p1_m2p0_zicsr2p0_zbb1p0"


def write_elf(image: Image, path: str | Path, config: SocConfig = DEFAULT) -> None:
    """Write `image` as an ELF32 little-endian RISC-V executable (atomically)."""
    image.check(config)
    write_bytes(path, elf_bytes(image, config))


def elf_bytes(image: Image, config: SocConfig = DEFAULT) -> bytes:
    """The ELF file of `image`, in memory."""
    for sec in image.sections:
        _check_name(image.source, sec)
    loads = {name: mem.load_base for name, mem in config.memories().items()}
    sections = list(image.sections)
    phnum = sum(1 for s in sections if s.size)
    out = bytearray(EHDR_SIZE + PHDR_SIZE * phnum)
    offsets = []
    for sec in sections:
        base = -len(out) // FILE_ALIGN * -FILE_ALIGN + sec.address % FILE_ALIGN
        out += bytes(base - len(out)) + sec.data
        offsets.append(base)

    names = _StringTable()
    symtab, strtab, first_global = _symbols(image, sections)
    attributes = _attributes()
    extra = []  # (name, type, data, link, info, align, entsize)
    extra.append((".riscv.attributes", SHT_RISCV_ATTRIBUTES, attributes, 0, 0, 1, 0))
    symtab_index = 1 + len(sections) + 1
    extra.append((".symtab", SHT_SYMTAB, symtab, symtab_index + 1, first_global, 4, SYM_SIZE))
    extra.append((".strtab", SHT_STRTAB, strtab, 0, 0, 1, 0))
    shstrtab_index = 1 + len(sections) + len(extra)
    headers = [bytes(SHDR_SIZE)]
    for sec, offset in zip(sections, offsets, strict=True):
        flags = SHF_ALLOC | (SHF_EXECINSTR if sec.memory == "imem" else SHF_WRITE)
        kind = SHT_PROGBITS if sec.data or sec.size == 0 else SHT_NOBITS
        size = sec.size if kind == SHT_NOBITS else len(sec.data)
        headers.append(
            _shdr(
                names.add(sec.name),
                kind,
                flags,
                sec.address,
                offset,
                size,
                0,
                0,
                _alignment(sec.address),
                0,
            )
        )
    shstrtab_name = names.add(".shstrtab")
    extra_offsets = []
    for _, _, data, _, _, align, _ in extra:
        out += bytes(-len(out) % max(align, 1))
        extra_offsets.append(len(out))
        out += data
    for (name, kind, data, link, info, align, entsize), offset in zip(
        extra, extra_offsets, strict=True
    ):
        headers.append(
            _shdr(names.add(name), kind, 0, 0, offset, len(data), link, info, align, entsize)
        )
    shstrtab_offset = len(out)
    out += names.data
    headers.append(
        _shdr(shstrtab_name, SHT_STRTAB, 0, 0, shstrtab_offset, len(names.data), 0, 0, 1, 0)
    )
    out += bytes(-len(out) % 4)
    shoff = len(out)
    for header in headers:
        out += header

    phdrs = bytearray()
    for sec, offset in zip(sections, offsets, strict=True):
        if not sec.size:
            continue
        flags = PF_R | (PF_X if sec.memory == "imem" else PF_W)
        phdrs += struct.pack(
            "<8I",
            PT_LOAD,
            offset,
            sec.address,
            loads[sec.memory] + sec.address,
            len(sec.data),
            sec.size,
            flags,
            FILE_ALIGN,
        )
    out[EHDR_SIZE : EHDR_SIZE + len(phdrs)] = phdrs
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)  # ELF32, little-endian, version 1, SysV
    out[:EHDR_SIZE] = ident + struct.pack(
        "<HHIIIIIHHHHHH",
        ET_EXEC,
        EM_RISCV,
        1,
        image.entry,
        EHDR_SIZE if phnum else 0,
        shoff,
        0,
        EHDR_SIZE,
        PHDR_SIZE,
        phnum,
        SHDR_SIZE,
        len(headers),
        shstrtab_index,
    )
    return bytes(out)


def _check_name(source: str, sec: Section) -> None:
    """A section's name must place it in its own memory when read back (read_elf's rule: the
    exec flag, which only imem sections get, or the name's prefix, else dmem)."""
    named = memory_of_section(sec.name)
    if named is None and sec.memory in ("imem", "dmem"):
        return
    if named != sec.memory:
        raise ImageError(
            f"{source}: section {sec.name} is in {sec.memory}, but read_elf would load it into "
            f"{named or 'dmem'} (its name decides: .text* imem; .data*, .bss*, ... dmem; .vmem*, "
            ".uram* vmem; .llm* llm; .ddr* ddr)"
        )


class _StringTable:
    def __init__(self) -> None:
        self.data = bytearray(b"\0")
        self._index: dict[str, int] = {}

    def add(self, name: str) -> int:
        if name not in self._index:
            self._index[name] = len(self.data)
            self.data += name.encode() + b"\0"
        return self._index[name]


def _shdr(name, kind, flags, addr, offset, size, link, info, align, entsize) -> bytes:
    return struct.pack("<10I", name, kind, flags, addr, offset, size, link, info, align, entsize)


def _alignment(address: int) -> int:
    """Largest power of two up to FILE_ALIGN that divides `address` (sh_addralign)."""
    align = FILE_ALIGN
    while address % align:
        align //= 2
    return align


def _symbols(image: Image, sections: list[Section]) -> tuple[bytes, bytes, int]:
    """.symtab and .strtab: mapping symbols ($x code, $d data: vector words are data to GNU
    objdump, which would misread them as compressed instructions) first, then the image's."""
    strings = _StringTable()
    local, global_ = [], []
    for index, sec in enumerate(sections, start=1):
        if sec.memory == "imem" and sec.data:
            for address, is_code in _code_runs(sec):
                local.append(
                    _sym(
                        strings.add("$x" if is_code else "$d"),
                        address,
                        index,
                        STB_LOCAL,
                        STT_NOTYPE,
                    )
                )
    for sym in image.symbols.values():
        index = _section_index(sections, sym)
        kind = STT_FUNC if sym.memory == "imem" else STT_OBJECT
        global_.append(_sym(strings.add(sym.name), sym.address, index, STB_GLOBAL, kind))
    entries = [bytes(SYM_SIZE), *local, *global_]
    return b"".join(entries), bytes(strings.data), 1 + len(local)


def _sym(name: int, value: int, shndx: int, bind: int, kind: int) -> bytes:
    return struct.pack("<IIIBBH", name, value, 0, (bind << 4) | kind, 0, shndx)


def _code_runs(sec: Section) -> list[tuple[int, bool]]:
    """(address, is_code) wherever a run of scalar instructions or of other words begins."""
    runs, previous = [], None
    for offset in range(0, len(sec.data) - len(sec.data) % 4, 4):
        instr = lookup(int.from_bytes(sec.data[offset : offset + 4], "little"))
        is_code = instr is not None and instr.ext != "FeNN"
        if is_code != previous:
            runs.append((sec.address + offset, is_code))
            previous = is_code
    return runs


def _section_index(sections: list[Section], sym: Symbol) -> int:
    candidates = [
        i
        for i, s in enumerate(sections, start=1)
        if s.memory == sym.memory and s.address <= sym.address <= s.end
    ]
    if not candidates:
        return 0xFFF1  # SHN_ABS: outside every section (read_elf skips it)
    inside = [i for i in candidates if sym.address < sections[i - 1].end]
    return (inside or candidates)[0]


def _attributes() -> bytes:
    """A .riscv.attributes section naming the ISA: format 'A', vendor "riscv", file tag 1."""
    arch = bytes([5]) + ARCH.encode() + b"\0"  # Tag_RISCV_arch
    stack = bytes([4, 4])  # Tag_RISCV_stack_align: 4 bytes
    file_body = bytes([1]) + struct.pack("<I", 5 + len(arch) + len(stack)) + arch + stack
    vendor = b"riscv\0" + file_body
    return b"A" + struct.pack("<I", 4 + len(vendor)) + vendor


# --- reading -----------------------------------------------------------------------------------


def read_elf(path: str | Path, config: SocConfig = DEFAULT) -> Image:
    """Load an ELF32 RISC-V image: ours, or one linked by GNU ld with firmware/link.ld.

    Every allocated section is placed by its name (.text* or executable -> imem; .uram*/.vmem* ->
    vmem; .llm* -> llm; .ddr* -> ddr; any other -> dmem) at its address. Raises ImageError.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ImageError(f"{path}: cannot read image: {err.strerror}") from None
    _check_header(path, data)
    try:
        return _load(path, data, config)
    except (ELFError, struct.error, ValueError, IndexError, KeyError) as err:
        raise ImageError(f"{path}: malformed ELF file: {err}") from None


def _check_header(path, data: bytes) -> None:
    if data[:4] != b"\x7fELF":
        raise ImageError(
            f"{path}: not an ELF file (starts with {data[:4]!r}, expected b'\\x7fELF')"
        )
    if len(data) < EHDR_SIZE:
        raise ImageError(f"{path}: truncated: {len(data)} bytes, an ELF32 header needs {EHDR_SIZE}")
    if data[4] != 1:
        raise ImageError(f"{path}: ELF class {data[4]} (ELF64?), expected 1 (ELF32)")
    if data[5] != 1:
        raise ImageError(
            f"{path}: ELF data encoding {data[5]} (big-endian?), expected 1 (little-endian)"
        )
    machine = struct.unpack_from("<H", data, 18)[0]
    if machine != EM_RISCV:
        raise ImageError(f"{path}: e_machine {machine}, expected {EM_RISCV} (EM_RISCV)")
    shoff, shentsize, shnum = (
        struct.unpack_from("<I", data, 32)[0],
        *struct.unpack_from("<HH", data, 46),
    )
    if shoff + shentsize * shnum > len(data):
        raise ImageError(
            f"{path}: truncated: the section headers end at byte "
            f"{shoff + shentsize * shnum}, the file has {len(data)}"
        )


def _load(path, data: bytes, config: SocConfig) -> Image:
    elf = ELFFile(io.BytesIO(data))
    sizes = {name: mem.size for name, mem in config.memories().items()}
    sections, memory_of_index = [], {}
    for index, sec in enumerate(elf.iter_sections()):
        flags = sec["sh_flags"]
        if not flags & SH_FLAGS.SHF_ALLOC:
            continue
        memory = _memory(sec.name, bool(flags & SH_FLAGS.SHF_EXECINSTR))
        memory_of_index[index] = memory
        size, address = sec["sh_size"], sec["sh_addr"]
        if size == 0:
            continue
        nobits = sec["sh_type"] == "SHT_NOBITS"
        if not nobits and sec["sh_offset"] + size > len(data):
            end = sec["sh_offset"] + size
            raise ImageError(
                f"{path}: section {sec.name} lies past the end of the file: it ends "
                f"at byte {end}, the file has {len(data)}"
            )
        if address + size > sizes[memory]:
            raise ImageError(
                f"{path}: section {sec.name} is too large for {memory}: it ends "
                f"at {address + size:#x}, {memory} holds {sizes[memory]:#x} bytes"
            )
        sections.append(Section(sec.name, memory, address, b"" if nobits else sec.data(), size))
    image = Image(sections, elf["e_entry"], _read_symbols(elf, memory_of_index), str(path))
    image.check(config)
    return image


def _memory(name: str, executable: bool) -> str:
    if executable:
        return "imem"
    memory = memory_of_section(name)
    return memory if memory is not None else "dmem"


def _read_symbols(elf: ELFFile, memory_of_index: dict[int, str]) -> dict[str, Symbol]:
    symbols: dict[str, Symbol] = {}
    for table in elf.iter_sections("SHT_SYMTAB"):
        for sym in cast(SymbolTableSection, table).iter_symbols():
            index = sym["st_shndx"]
            kind = sym["st_info"]["type"]
            if (
                not sym.name
                or sym.name.startswith("$")
                or kind in ("STT_SECTION", "STT_FILE")
                or not isinstance(index, int)
                or index not in memory_of_index
            ):
                continue
            if sym.name not in symbols or sym["st_info"]["bind"] == "STB_GLOBAL":
                symbols[sym.name] = Symbol(sym.name, memory_of_index[index], sym["st_value"])
    return symbols
