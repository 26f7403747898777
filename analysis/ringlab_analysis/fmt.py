"""How the reports print values: no Python literals, units, and labels that name only what differs."""
from __future__ import annotations

import math


def value(x, missing: str = "not reported") -> str:
    """A recorded value as a reader wants it: None is 'not reported', booleans are yes/no."""
    if x is None or x == "":
        return missing
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return sig(x)
    return str(x)


def sig(x, digits: int = 3) -> str:
    """x to `digits` significant figures, without exponent notation for everyday magnitudes."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    if -4 <= mag < 6:
        decimals = max(0, digits - 1 - mag)
        return f"{round(x, decimals - 0):.{decimals}f}" if decimals else f"{round(x):.0f}"
    return f"{x:.{digits - 1}e}"


def hz(x) -> str:
    """A clock rate in its unit: 2599999480.0 -> '2.600 GHz'."""
    if x is None:
        return "not reported"
    for unit, scale in (("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3)):
        if abs(x) >= scale:
            v = x / scale  # four significant figures: 2.600 GHz, 25.00 MHz, 512.0 MHz
            return f"{v:.{max(0, 3 - math.floor(math.log10(abs(v))))}f} {unit}"
    return f"{x:.0f} Hz"


def _axes(label: str) -> list:
    return [p for p in label.split("/") if p]


def trim_labels(labels: list) -> tuple:
    """(what every label shares, each label with only its differing parts).

    Labels are '/'-separated 'axis:value' parts (benchmark names and config keys); a part every
    label has in common moves to the first element, so a table's rows name only the axes that
    differ.  A lone label keeps everything."""
    if len(labels) < 2:
        return "", list(labels)
    parts = [_axes(lbl) for lbl in labels]
    common = [p for p in parts[0] if all(p in q for q in parts[1:])]
    trimmed = ["/".join(p for p in q if p not in common) or "(same)" for q in parts]
    return "/".join(common), trimmed
