"""An independent, slow xoroshiro32++ (13, 5, 10, 9): the reference the RNG code is checked against.

Written from the definition in docs/semantics.md with 16-bit words as strings of bits, so it shares
no arithmetic tricks with `riscv_soc.isa.numerics`.
"""

from __future__ import annotations

WIDTH = 16


def _bits(value: int) -> str:
    return format(value % (1 << WIDTH), f"0{WIDTH}b")


def rotl(value: int, k: int) -> int:
    """Rotate a 16-bit value left by k: the top k bits move to the bottom."""
    s = _bits(value)
    return int(s[k:] + s[:k], 2)


def shl(value: int, k: int) -> int:
    """Shift a 16-bit value left by k, dropping the bits pushed out of the top."""
    return int((_bits(value) + "0" * k)[k:], 2)


def xor(a: int, b: int) -> int:
    return int("".join("1" if p != q else "0" for p, q in zip(_bits(a), _bits(b), strict=True)), 2)


class Xoroshiro32pp:
    """One lane's generator: `output()` reads the current output, `advance()` steps the state."""

    def __init__(self, s0: int, s1: int) -> None:
        self.s0, self.s1 = s0 % (1 << WIDTH), s1 % (1 << WIDTH)

    def output(self) -> int:
        return (rotl((self.s0 + self.s1) % (1 << WIDTH), 9) + self.s0) % (1 << WIDTH)

    def advance(self) -> None:
        s0 = self.s0
        s1 = xor(self.s1, s0)
        self.s0 = xor(xor(rotl(s0, 13), s1), shl(s1, 5))
        self.s1 = rotl(s1, 10)

    def next(self) -> int:
        """The current output, then one step."""
        out = self.output()
        self.advance()
        return out
