"""The exported ELF under the GNU tools: readelf reads it without warnings, objdump disassembles
its scalar code exactly as our disassembler does and shows vector words as data, never `(bad)`."""

import re
import shutil
import subprocess

import pytest
from naive.firmware_nets import family_bundle

from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.firmware.export import export_firmware, firmware_of
from riscv_soc.isa.disasm import disassemble

PREFIX = "riscv64-unknown-elf-"
pytestmark = pytest.mark.gnu


def _tool(name: str, *args) -> subprocess.CompletedProcess:
    if shutil.which(PREFIX + name) is None:
        pytest.fail(f"{PREFIX}{name} is not on PATH (scripts/install.sh), or deselect -m 'not gnu'")
    return subprocess.run([PREFIX + name, *map(str, args)], capture_output=True, text=True)


CASES = {
    "sparse_cubalif": ("sparse_cubalif", CompileOptions()),
    "delayed_lif_ddr": ("delayed_lif", CompileOptions(weights="ddr")),
    "adaptive_sparse_board": ("adaptive_sparse", CompileOptions(target="board")),
}


def _export(case: str, tmp_path_factory):
    family, options = CASES[case]
    fw = firmware_of(compile_bundle(family_bundle(family), options))
    fwdir = tmp_path_factory.mktemp("fw")
    export_firmware(fw, fwdir)
    return fw, fwdir / "firmware.elf"


@pytest.fixture(scope="module", params=list(CASES))
def exported(request, tmp_path_factory):
    return _export(request.param, tmp_path_factory)


def test_readelf_accepts_the_firmware(exported):
    fw, elf = exported
    done = _tool("readelf", "-a", "-W", elf)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "warning" not in done.stdout.lower()
    for name in ("_start", "net_init", "net_run", "dma_mm2s_wait", "input", "seeds", "state.h"):
        assert re.search(rf"\s{re.escape(name)}$", done.stdout, re.MULTILINE), name


def test_objdump_disassembles_every_scalar_instruction(exported):
    fw, elf = exported
    done = _tool("objdump", "-d", "-M", "no-aliases", elf)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "(bad)" not in done.stdout and "unknown" not in done.stdout
    text = b"".join(s.data for s in fw.image.sections if s.memory == "imem")
    vector = 0
    for address in range(0, len(text), 4):
        word = int.from_bytes(text[address : address + 4], "little")
        line = re.search(rf"^\s*{address:x}:\s+{word:08x}\s+(\S+)", done.stdout, re.MULTILINE)
        assert line is not None, f"{address:#x} missing from objdump output"
        if disassemble(word).startswith("v"):
            vector += 1
            assert line.group(1) == ".word"
        else:
            assert line.group(1) == disassemble(word, aliases=False).split()[0], hex(address)
    assert vector > 0


def test_objdump_shows_the_board_image_ending_in_the_spin(tmp_path_factory):
    """FeNN's host protocol: flag = DONE at dmem 0, then a jump to itself, and no ecall."""
    _, elf = _export("adaptive_sparse_board", tmp_path_factory)
    done = _tool("objdump", "-d", elf)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    spin = next(n for n, line in enumerate(lines) if re.search(r":\s+0000006f\s+j\s", line))
    address = lines[spin].split(":")[0].strip()
    assert re.search(rf"\sj\s+{address}\s", lines[spin]), lines[spin]  # to itself
    assert re.search(r"\ssw\s+t6,0\(zero\)", lines[spin - 1]), lines[spin - 1]
    assert "ecall" not in done.stdout
    assert re.search(r"^\s+0:\s+32001073\s+csrw\s+mcountinhibit,zero", done.stdout, re.M)
