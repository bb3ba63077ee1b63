"""The standard CSR names GNU as knows, and the name GNU objdump prints for each CSR number.

The reference is GNU binutils 2.40 (Debian's `binutils-riscv64-unknown-elf`, the toolchain that
scripts/install.sh installs): `riscv64-unknown-elf-as -march=rv32im_zicsr_zbb` accepts exactly
these names as the CSR operand of a Zicsr instruction (it checks neither the privileged-spec
version nor the extension of a CSR by default), and `objdump` prints `OBJDUMP` names. The
test `tests/isa/test_gnu_compat.py` checks both tables against the installed GNU tools, name by
name and number by number.

A name here says nothing about whether the SoC implements the CSR: `riscv_soc.isa.csr.CSRS` lists
those, and an access to any other number is an illegal instruction at run time (docs/isa.md).
"""

from __future__ import annotations

import re

# Names objdump prints, one line per name or run of names: `name number` or, for a run,
# `prefix{first..last}suffix number-of-first` (numbers in hex).
_OBJDUMP = """
fflags 001
frm 002
fcsr 003
vstart 008
vxsat 009
vxrm 00a
vcsr 00f
seed 015
sstatus 100
sie 104
stvec 105
scounteren 106
senvcfg 10a
sstateen{0..3} 10c
sieh 114
sscratch 140
sepc 141
scause 142
stval 143
sip 144
stimecmp 14d
siselect 150
sireg 151
siph 154
stopei 15c
stimecmph 15d
satp 180
vsstatus 200
vsie 204
vstvec 205
vsieh 214
vsscratch 240
vsepc 241
vscause 242
vstval 243
vsip 244
vstimecmp 24d
vsiselect 250
vsireg 251
vsiph 254
vstopei 25c
vstimecmph 25d
vsatp 280
mstatus 300
misa 301
medeleg 302
mideleg 303
mie 304
mtvec 305
mcounteren 306
mvien 308
mvip 309
menvcfg 30a
mstateen{0..3} 30c
mstatush 310
midelegh 313
mieh 314
mvienh 318
mviph 319
menvcfgh 31a
mstateen{0..3}h 31c
mcountinhibit 320
mhpmevent{3..31} 323
mscratch 340
mepc 341
mcause 342
mtval 343
mip 344
mtinst 34a
mtval2 34b
miselect 350
mireg 351
miph 354
mtopei 35c
pmpcfg{0..15} 3a0
pmpaddr{0..63} 3b0
scontext 5a8
hstatus 600
hedeleg 602
hideleg 603
hie 604
htimedelta 605
hcounteren 606
hgeie 607
hvien 608
hvictl 609
henvcfg 60a
hstateen{0..3} 60c
hidelegh 613
htimedeltah 615
hvienh 618
henvcfgh 61a
hstateen{0..3}h 61c
htval 643
hip 644
hvip 645
hviprio1 646
hviprio2 647
htinst 64a
hviph 655
hviprio1h 656
hviprio2h 657
hgatp 680
hcontext 6a8
mhpmevent{3..31}h 723
mseccfg 747
mseccfgh 757
tselect 7a0
tdata{1..3} 7a1
tinfo 7a4
tcontrol 7a5
mcontext 7a8
mscontext 7aa
dcsr 7b0
dpc 7b1
dscratch0 7b2
dscratch1 7b3
mcycle b00
minstret b02
mhpmcounter{3..31} b03
mcycleh b80
minstreth b82
mhpmcounter{3..31}h b83
cycle c00
time c01
instret c02
hpmcounter{3..31} c03
vl c20
vtype c21
vlenb c22
cycleh c80
timeh c81
instreth c82
hpmcounter{3..31}h c83
scountovf da0
stopi db0
hgeip e12
vstopi eb0
mvendorid f11
marchid f12
mimpid f13
mhartid f14
mconfigptr f15
mtopi fb0
"""

# Older or more specific spellings GNU as also accepts (binutils' DECLARE_CSR_ALIAS entries and
# the CSRs of abolished privileged-spec versions); objdump prints the OBJDUMP name, or the number.
_ALIASES = """
ustatus 000
uie 004
utvec 005
uscratch 040
uepc 041
ucause 042
utval 043
ubadaddr 043
uip 044
sedeleg 102
sideleg 103
sbadaddr 143
sptbr 180
mucounteren 320
mscounteren 321
mhcounteren 322
mbadaddr 343
mbase 380
mbound 381
mibase 382
mibound 383
mdbase 384
mdbound 385
mcontrol 7a1
mcontrol6 7a1
icount 7a1
itrigger 7a1
etrigger 7a1
tmexttrigger 7a1
textra32 7a3
textra64 7a3
dscratch 7b2
"""


def _parse(text: str) -> dict[str, int]:
    names: dict[str, int] = {}
    for line in text.split("\n"):
        if not line:
            continue
        name, number = line.split()
        run = re.fullmatch(r"([a-z]+)\{(\d+)\.\.(\d+)\}(h?)", name)
        if run is None:
            names[name] = int(number, 16)
            continue
        prefix, first, last, suffix = run.groups()
        for k in range(int(first), int(last) + 1):
            names[f"{prefix}{k}{suffix}"] = int(number, 16) + k - int(first)
    return names


OBJDUMP: dict[int, str] = {number: name for name, number in _parse(_OBJDUMP).items()}
# Every name GNU as accepts -> its CSR number.
GNU_AS: dict[str, int] = {**_parse(_OBJDUMP), **_parse(_ALIASES)}
