"""Leaf utilities that the training API (`snn`) and the SoC side (`riscv_soc`) both use: atomic
artefact writes, Markdown tables, the Ray session helper. Nothing here imports either package
(docs/architecture.md, "Layers")."""
