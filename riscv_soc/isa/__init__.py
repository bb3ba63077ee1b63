"""FeNN-DMA instruction set: the encoding table, numerics, assembler and disassembler."""
