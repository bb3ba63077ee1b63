"""The training API of snnsoc: biased data, debiased ANN teachers, spiking students, KD.

Importing it pins torch's CPU kernels (snn.determinism), so that training gives the same bits on
every x86-64 CPU with AVX2; import it before torch computes anything.
"""

from snn.determinism import pin_cpu_kernels

pin_cpu_kernels()
