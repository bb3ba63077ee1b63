"""The compiler's user error: a network that cannot be placed or compiled as asked.

Raised by placement (a memory too small: its name, the bytes needed and the bytes available) and by
register allocation (a population and the vector registers it needs). The CLI prints it on one line.
"""

from riscv_soc.errors import SnnsocError


class CompileError(SnnsocError):
    """A bundle that does not fit the SoC or the compile options."""
