"""SMS length in GSM 03.38 (GSM-7) or UCS-2: the encoding a text needs and how many segments it costs.

Used by template validation and the planner's SMS counter (``civic.campaigns.content`` re-exports these names).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The basic character set (the escape 0x1B left out). Æ æ Ø ø Å å, and also Ä ä Ö ö Ü ü É Ñ, are in it.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each costs two septets (escape + character).
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM_SINGLE, GSM_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    length: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int  # capacity of one segment at this length (160/153 or 70/67)


def _units(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        return "GSM-7", [2 if ch in GSM_EXTENSION else 1 for ch in text]
    return "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_info(text: str) -> SmsInfo:
    """Return the encoding, length in units and number of segments of an SMS text.

    A multi-part message loses room to the concatenation header (153 septets or 67 UTF-16 units per part),
    and an escape pair or a surrogate pair is never split between parts.
    """
    encoding, costs = _units(text)
    single, multi = (GSM_SINGLE, GSM_MULTI) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_MULTI)
    length = sum(costs)
    if length == 0:
        return SmsInfo(encoding, 0, 0, single)
    if length <= single:
        return SmsInfo(encoding, length, 1, single)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return SmsInfo(encoding, length, segments, multi)



__all__ = [
    "GSM_BASIC",
    "GSM_EXTENSION",
    "GSM_MULTI",
    "GSM_SINGLE",
    "UCS2_MULTI",
    "UCS2_SINGLE",
    "SmsInfo",
    "sms_info",
]
