"""User-facing errors of the SoC side. The CLI prints their message on one line and exits 2.

Each message names the file (or argument), the place, the limit and the value that broke it.
"""


class SnnsocError(Exception):
    """Base of every error caused by user input rather than by a bug."""


class AsmError(SnnsocError):
    """Assembly source with an error: message is `file:line:col: what is wrong`."""


class ImageError(SnnsocError):
    """A firmware image that is malformed, truncated or does not fit the SoC's memories."""


class BundleError(SnnsocError):
    """A quantised-network bundle that is malformed or from an incompatible version."""


class ConfigError(SnnsocError):
    """A bad argument, configuration key or value."""


class DataError(SnnsocError):
    """Input data (spike trains, labels, groups) of the wrong shape or type."""
