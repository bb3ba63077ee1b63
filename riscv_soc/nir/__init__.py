"""NIR import and export: graphs and snntorch students in, float graphs with a fixed-point sidecar
out. This package is `riscv_soc.nir`; the NIR library itself is imported absolutely as `nir`.
"""

from riscv_soc.nir.exporter import bundle_to_graph, student_to_graph, write_graph
from riscv_soc.nir.importer import DEFAULT_DT, from_graph, read_nir

__all__ = [
    "DEFAULT_DT",
    "bundle_to_graph",
    "from_graph",
    "read_nir",
    "student_to_graph",
    "write_graph",
]
