"""What every cursor, in pages and API alike, may carry."""

from __future__ import annotations

import math
from typing import Any


def storable(value: Any) -> bool:
    """Whether a cursor's value can be a query parameter as it is: the databases
    refuse NUL bytes in text and integers past 64 bits, and JSON admits NaN and
    Infinity.  Each list's own decoder then checks the key's shape and types."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= 1000 and "\x00" not in value
    return False
