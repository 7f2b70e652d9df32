"""What snnc takes from its environment, checked: the read time limit, and how
file names that are not valid UTF-8 are shown."""
from __future__ import annotations

import math
import os
import re

from .errors import SNNCError

# A damaged file can make libhdf5 loop forever (found by fuzzing); reading a
# NIR file gets this many seconds unless SNNC_READ_TIMEOUT says otherwise.
READ_TIMEOUT = 60.0


def read_timeout() -> float:
    """Seconds a NIR file may take to read: SNNC_READ_TIMEOUT, else READ_TIMEOUT."""
    text = os.environ.get("SNNC_READ_TIMEOUT")
    if text is None:
        return READ_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise SNNCError("SNNC_READ_TIMEOUT must be a positive number of seconds, "
                        f"got '{printable(text)}'")
    return seconds


def printable(text: str) -> str:
    """`text` with the bytes of an undecodable file name (which Python carries
    as surrogates U+DC80..U+DCFF) written as \\xNN, and any other surrogate as
    \\uNNNN, so that it can be printed and saved as UTF-8."""
    return _SURROGATE.sub(_escape_surrogate, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
