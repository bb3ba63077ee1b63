// The FeNN-DMA SoC: its synthesizable sources in compile order (packages first, then every module
// before the one that instantiates it; the top is fenn_soc). Paths are relative to this file:
//   verilator --lint-only -Wall --top-module fenn_soc -F rtl/fenn_soc.f
// lint.vlt holds Verilator's lint waivers and must precede the sources; other tools (Vivado,
// Yosys) take the .sv lines only. The simulator build, the lint test and scripts/synth.py read
// this list (riscv_soc.rtl.simbuild.file_list), and a test checks it names every rtl/*.sv.
lint.vlt
fenn_isa_pkg.sv
fenn_pkg.sv
fenn_ram_1p.sv
fenn_ram_2p.sv
fenn_alu.sv
fenn_div.sv
fenn_csr.sv
fenn_core.sv
fenn_vpu_lanes.sv
fenn_vpu.sv
fenn_dma_channel.sv
fenn_dma_mm2s.sv
fenn_dma_s2mm.sv
fenn_dma.sv
fenn_soc.sv
