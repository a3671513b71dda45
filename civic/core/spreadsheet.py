"""Spreadsheet safety for exported text: cells a spreadsheet would run as formulas ("CSV injection")."""

from __future__ import annotations

#: Spreadsheets run text starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
