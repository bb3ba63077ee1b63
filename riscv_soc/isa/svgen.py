"""Generates rtl/fenn_isa_pkg.sv: every fact the RTL shares with the Python models, written once.

Data flow: riscv_soc/isa/table.py, csr.py and hardware.py -> this generator -> the checked-in SV
package that the core, the vector unit and the CSR file import. The package holds an op enum, a
match/mask pair per instruction, a decode function, per-op operand and class flags, one extraction
function per instruction field and operand (as Ibex's decoder exports its immediates once), CSR
numbers and the counter-CSR decode, DMA constants, the trap causes, the exit codes and the vector
unit's shape. tests/isa/test_svgen.py proves the checked-in file is current
(`python -m riscv_soc.isa.svgen` rewrites it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from riscv_soc.isa import csr, hardware
from riscv_soc.isa.table import (
    FUNCT3,
    FUNCT7,
    INSTRS,
    LANE_LOCAL,
    OPCODE,
    OPERANDS,
    SCALAR_MEM,
    VEC_ALU,
    VEC_MEM,
    Instr,
    Operand,
)
from snnsoc_common import artefacts

PKG_PATH = Path(__file__).resolve().parents[2] / "rtl" / "fenn_isa_pkg.sv"

# Activity class of an op, as the RTL's 3-bit op_class_e.
_CLASSES = {
    VEC_ALU: "ClassVecAlu",
    VEC_MEM: "ClassVecMem",
    LANE_LOCAL: "ClassLaneLocal",
    SCALAR_MEM: "ClassScalarMem",
}
# The fixed fields of the table that no operand covers (operands get a function each as well).
_FIELDS = {"opcode": OPCODE, "funct3": FUNCT3, "funct7": FUNCT7}
_DMA_STATUS_BITS = (
    "DMA_IDLE",
    "DMA_STARTING",
    "DMA_TRANSFERRING",
    "DMA_ERR_SLAVE",
    "DMA_ERR_DECODE",
    "DMA_ERR_INTERNAL",
    "DMA_OK",
)
_DMA_LIMITS = ("DMA_ALIGN", "DMA_MAX_BYTES", "DMA_SETUP_CYCLES", "DMA_CYCLES_PER_VECTOR")


def sv_name(instr: Instr) -> str:
    """`vmul_s_rn` -> `OpVmulSRn`, `sext.b` -> `OpSextB`."""
    parts = instr.name.replace(".", "_").split("_")
    return "Op" + "".join(p[:1].upper() + p[1:] for p in parts)


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def _op_info(instr: Instr) -> str:
    ops = set(instr.operands)
    steps_rng = instr.name == "vrng" or instr.name.endswith("_rs")
    flags = [
        ("has_vd", "vd" in ops),
        ("has_vs1", "vs1" in ops),
        ("has_vs2", "vs2" in ops),
        ("has_xs2", "xs2" in ops),
        ("steps_rng", steps_rng),
        ("vec", instr.ext == "FeNN"),
        ("multicycle", instr.cycles > 1),
    ]
    fields = ", ".join(f"1'b{int(value)}" for _, value in flags)
    klass = _CLASSES.get(instr.klass, "ClassOther")
    return f"      {sv_name(instr) + ':':<12} info = '{{{fields}, {klass}}};"


def _sv_bits(hi: int, lo: int) -> str:
    return f"instr[{hi}]" if hi == lo else f"instr[{hi}:{lo}]"


def _extract_function(name: str, bits: tuple[tuple[int, int], ...], operand: Operand | None) -> str:
    """One SV function returning a field or operand of a word: `{...}` of its bit ranges, with
    the implied low zero bit of branch and jump offsets; signed immediates sign-extended to 32."""
    parts = [_sv_bits(hi, lo) for hi, lo in bits]
    width = sum(hi - lo + 1 for hi, lo in bits)
    if operand is not None and operand.align == 2:
        parts.append("1'b0")
        width += 1
    if operand is not None and width != operand.width:
        raise ValueError(f"operand {name}: bits hold {width} bits, width says {operand.width}")
    if operand is not None and operand.kind == "imm":
        parts.insert(0, f"{{{32 - width}{{instr[{bits[0][0]}]}}}}")
        width = 32
    value = parts[0] if len(parts) == 1 else "{" + ", ".join(parts) + "}"
    kind = "operand" if operand is not None else "field"
    return (
        f"  function automatic logic [{width - 1}:0] {kind}_{name}(logic [31:0] instr);\n"
        f"    return {value};\n"
        "  endfunction"
    )


def _decoder(names: list[str]) -> list[str]:
    width = max(len(n) for n in names) + 1
    lines = [
        "  // One op per instruction of the table, in table order; OpIllegal matches no word.",
        "  typedef enum logic [6:0] {",
        *(f"    {n}," for n in names),
        "    OpIllegal",
        "  } op_e;",
        "",
        "  // Match and mask of each instruction: word & Mask == Match.",
    ]
    for instr, name in zip(INSTRS, names, strict=True):
        base = name[2:]
        lines.append(f"  localparam logic [31:0] Match{base:<{width}}= 32'h{instr.match:08x};")
        lines.append(f"  localparam logic [31:0] Mask{base:<{width + 1}}= 32'h{instr.mask:08x};")
    lines += [
        "",
        "  // The table proves no word matches two instructions, so the decoder ORs the codes of"
        " the",
        "  // (at most one) matching instructions: a flat AND-OR, no priority chain of muxes.",
        "  function automatic op_e decode_op(logic [31:0] word);",
        "    logic [6:0] code;",
        "    logic       hit;",
        "    code = '0;",
        "    hit  = 1'b0;",
    ]
    for name in names:
        base = name[2:]
        lines.append(f"    hit  |= (word & Mask{base}) == Match{base};")
        lines.append(f"    code |= {{7{{(word & Mask{base}) == Match{base}}}}} & 7'({name});")
    lines += ["    return hit ? op_e'(code) : OpIllegal;", "  endfunction", ""]
    lines += [
        "  // How many instructions match the word: at most one (asserted in simulation builds).",
        "  function automatic int unsigned decode_hits(logic [31:0] word);",
        "    int unsigned n;",
        "    n = 0;",
        *(f"    n += 32'((word & Mask{n[2:]}) == Match{n[2:]});" for n in names),
        "    return n;",
        "  endfunction",
        "",
    ]
    return lines


def _extractors() -> list[str]:
    lines = [
        "  // Fields and operands of a word (riscv_soc/isa/table.py OPERANDS): the core and the",
        "  // vector unit slice no instruction bits themselves.",
    ]
    lines += [_extract_function(name, (bits,), None) for name, bits in _FIELDS.items()]
    lines += [_extract_function(name, op.bits, op) for name, op in OPERANDS.items()]
    return [*lines, ""]


def _op_infos() -> list[str]:
    return [
        "  // Which activity counter an op increments when it retires.",
        "  typedef enum logic [2:0] {",
        "    ClassOther, ClassScalarMem, ClassVecAlu, ClassVecMem, ClassLaneLocal",
        "  } op_class_e;",
        "",
        "  typedef struct packed {",
        "    logic      has_vd;      // writes (or, for vsel, merges into) vector register vd",
        "    logic      has_vs1;     // reads vector register vs1 (bits 19:15)",
        "    logic      has_vs2;     // reads vector register vs2 (bits 24:20)",
        "    logic      has_xs2;     // reads scalar register xs2 (else the ALU takes the imm)",
        "    logic      steps_rng;   // advances every lane's xoroshiro32++ (vrng, *_rs)",
        "    logic      vec;         // executed by the vector unit",
        "    logic      multicycle;  // div/rem: 1 + 32 cycles",
        "    op_class_e klass;",
        "  } op_info_t;",
        "",
        "  // Fields in op_info_t order.",
        "  function automatic op_info_t op_info(op_e op);",
        "    op_info_t info;",
        "    info = '0;",
        "    unique case (op)",
        *(_op_info(i) for i in INSTRS),
        "      default: info = '0;",
        "    endcase",
        "    return info;",
        "  endfunction",
        "",
    ]


def _csrs() -> list[str]:
    lines = ["  // CSR numbers (riscv_soc/isa/csr.py)."]
    for name, num in sorted(csr.CSRS.items(), key=lambda kv: kv[1]):
        lines.append(f"  localparam logic [11:0] Csr{_camel(name):<20}= 12'h{num:03x};")
    lines += ["", "  // DMA status bits and limits."]
    for name in _DMA_STATUS_BITS:
        bit = getattr(csr, name).bit_length() - 1
        lines.append(f"  localparam int unsigned {_camel(name.lower()):<20}= {bit};")
    for name in _DMA_LIMITS:
        lines.append(f"  localparam int unsigned {_camel(name.lower()):<20}= {getattr(csr, name)};")
    lines += [
        "",
        "  // mcountinhibit: writable bits, value at reset (bit 0 mcycle, 2 minstret, 3 + k hpm).",
        f"  localparam logic [31:0] McountinhibitMask  = 32'h{csr.MCOUNTINHIBIT_MASK:08x};",
        f"  localparam logic [31:0] McountinhibitReset = 32'h{csr.MCOUNTINHIBIT_RESET:08x};",
        "",
        "  // Activity counters: mhpmcounter(3 + k) counts COUNTERS[k].",
        f"  localparam int unsigned NumHpm = {len(csr.COUNTERS)};",
    ]
    for k, name in enumerate(csr.COUNTERS):
        lines.append(f"  localparam int unsigned Hpm{_camel(name):<16}= {k};")
    return [*lines, "", *_counter_csrs()]


def _counter_csrs() -> list[str]:
    index = csr.COUNTER_CSRS
    idx_bits = (csr.N_COUNTERS - 1).bit_length()
    lines = [
        "  // The 64-bit counters: mcycle, minstret, then mhpmcounter(3 + k) at CntHpm0 + k.",
        f"  localparam int unsigned NumCounters = {csr.N_COUNTERS};",
        f"  localparam int unsigned CntCycle    = {index['mcycle'][0]};",
        f"  localparam int unsigned CntInstret  = {index['minstret'][0]};",
        f"  localparam int unsigned CntHpm0     = {index[f'mhpmcounter{csr.FIRST_HPM}'][0]};",
        "",
        "  // Which counter a counter CSR reads, and whether its upper half; hit: a counter CSR.",
        "  typedef struct packed {",
        "    logic       hit;",
        "    logic       hi;",
        f"    logic [{idx_bits - 1}:0] idx;",
        "  } counter_csr_t;",
        "",
        "  function automatic counter_csr_t counter_csr(logic [11:0] addr);",
        "    counter_csr_t sel;",
        "    sel = '0;",
        "    unique case (addr)",
    ]
    by_target: dict[tuple[int, bool], list[str]] = {}
    for name, target in index.items():
        by_target.setdefault(target, []).append(f"Csr{_camel(name)}")
    for (counter, hi), names in sorted(by_target.items()):
        value = f"'{{hit: 1'b1, hi: 1'b{int(hi)}, idx: {idx_bits}'d{counter}}}"
        lines.append(f"      {', '.join(names)}: sel = {value};")
    return [*lines, "      default: ;", "    endcase", "    return sel;", "  endfunction", ""]


def _machine() -> list[str]:
    exit_bits = (len(hardware.EXITS) - 1).bit_length()
    lines = [
        "  // Trap causes (riscv_soc/isa/hardware.py TRAP_CAUSES).",
        "  typedef enum logic [3:0] {",
        "    CauseNone = 4'd0,",
    ]
    causes = sorted(hardware.TRAP_CAUSES.items())
    lines.append(",\n".join(f"    Cause{_camel(name)} = 4'd{code}" for code, name in causes))
    lines += [
        "  } cause_e;",
        "",
        "  // How the machine stopped (riscv_soc/isa/hardware.py EXITS, MachineState.exit).",
        f"  typedef enum logic [{exit_bits - 1}:0] {{",
    ]
    last = len(hardware.EXITS) - 1
    for code, (name, doc) in enumerate(hardware.EXITS.items()):
        item = f"Exit{_camel(name)} = {exit_bits}'d{code}" + ("," if code < last else "")
        lines.append(f"    {item:<18}// {doc}")
    lines += [
        "  } exit_e;",
        "",
        "  // The vector unit's shape and the spin word `jal x0, 0` that ends a run.",
        f"  localparam int unsigned Lanes    = {hardware.LANES};",
        f"  localparam int unsigned NumVregs = {hardware.VREGS};",
        f"  localparam logic [31:0] SpinWord = 32'h{hardware.SPIN_WORD:08x};",
        "",
    ]
    return lines


def render_sv_pkg() -> str:
    """The text of rtl/fenn_isa_pkg.sv, generated from the tables."""
    lines = [
        "// GENERATED by `python -m riscv_soc.isa.svgen` from riscv_soc/isa/table.py, csr.py and",
        "// hardware.py. Do not edit: tests/isa/test_svgen.py fails when this file is out of date.",
        "package fenn_isa_pkg;",
        "",
        *_decoder([sv_name(i) for i in INSTRS]),
        *_extractors(),
        *_op_infos(),
        *_csrs(),
        *_machine(),
        "endpackage",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Rewrite the checked-in package (or write it to the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else PKG_PATH
    artefacts.write_text(target, render_sv_pkg())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
