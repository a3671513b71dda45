"""Spreadsheet safety for exported text: cells a spreadsheet would run as formulas ("CSV injection")."""

from __future__ import annotations

#: Spreadsheets run text starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Blanks and control characters: spreadsheets (and openpyxl's clean-up of illegal characters) may drop them, so
#: a formula behind them still runs.
_SKIPPABLE = "".join(chr(code) for code in range(0x21)) + "\x7f"


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if text.startswith(FORMULA_PREFIXES) or text.lstrip(_SKIPPABLE).startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
