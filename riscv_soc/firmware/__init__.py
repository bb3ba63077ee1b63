"""Firmware images: the in-memory image, its ELF/hex/bin files, and firmware export."""
