"""Firmware export: a compiled network as a folder (image in ELF, hex and bin files, the bundle, and
manifest.json), and its loader. The image format itself is riscv_soc.image."""
