"""The SoC side of snnsoc: instruction set, ISS, quantiser, core, compiler, firmware, RTL runs.

Data flows one way (docs/architecture.md): quant -> core; compiler -> firmware -> iss / rtl.
"""

__version__ = "0.1.0"
