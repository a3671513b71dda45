"""Organisation branding: colours that stay readable, and a coat of arms that is really a small image."""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation
from civic.core.errors import InvalidInputError

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # WCAG 2.x AA for normal text
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 1000
#: Magic bytes → (Pillow format, file extension).
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("PNG", "png"),
    b"\xff\xd8\xff": ("JPEG", "jpg"),
}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Return the WCAG relative luminance of a #rrggbb colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """Return the WCAG contrast ratio between two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def colour_problem(colour: str, *, needs_white_text: bool = False) -> str | None:
    """Return a message if ``colour`` is not #rrggbb, or too light for white text; None if it is fine."""
    if not HEX_COLOUR.match(colour or ""):
        return _("Enter a colour as # followed by six hexadecimal digits, for example #2a2859.")
    if needs_white_text:
        ratio = contrast_ratio("#ffffff", colour)
        if ratio < MIN_CONTRAST:
            return _(
                "White text on this colour has a contrast of %(ratio)s:1; at least %(minimum)s:1 is needed "
                "so everyone can read it. Choose a darker colour.",
                ratio=f"{ratio:.2f}",
                minimum=f"{MIN_CONTRAST}",
            )
    return None


@dataclass(frozen=True)
class CheckedImage:
    """A validated, re-encoded image ready to be stored."""

    data: bytes
    extension: str


def check_image(raw: bytes) -> CheckedImage:
    """Accept only a PNG or JPEG of at most 1 MB and 1000×1000 px, judged by content; re-encode it."""
    if len(raw) > MAX_IMAGE_BYTES:
        raise InvalidInputError(_("The image is larger than 1 MB. Please upload a smaller file."))
    kind = next((kind for magic, kind in IMAGE_SIGNATURES.items() if raw.startswith(magic)), None)
    if kind is None:
        raise InvalidInputError(_("Only PNG and JPEG images can be used as a coat of arms."))
    pillow_format, extension = kind
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != pillow_format:
                raise InvalidInputError(_("Only PNG and JPEG images can be used as a coat of arms."))
            width, height = image.size
            if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
                raise InvalidInputError(
                    _(
                        "The image is %(width)d×%(height)d pixels; at most %(max)d×%(max)d is allowed.",
                        width=width,
                        height=height,
                        max=MAX_IMAGE_SIDE,
                    )
                )
            image.load()
            # Re-encoding drops metadata (e.g. GPS) and anything smuggled after the image data.
            out = io.BytesIO()
            image.save(out, format=pillow_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInputError(
            _("The image has far too many pixels; at most %(max)d×%(max)d is allowed.", max=MAX_IMAGE_SIDE)
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInputError(_("The file could not be read as an image. It may be damaged.")) from None
    return CheckedImage(out.getvalue(), extension)


def store_image(upload_folder: str, image: CheckedImage) -> str:
    """Write the image under a random name in ``upload_folder``; return the file name.

    Written to a temporary name and renamed when complete, so a full disk (OSError ENOSPC, raised to the caller)
    leaves no half-written image that a page could show: the partial file is removed.
    """
    folder = Path(upload_folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"coat-of-arms-{secrets.token_hex(16)}.{image.extension}"
    partial = folder / f".{name}.partial"
    try:
        partial.write_bytes(image.data)
        partial.replace(folder / name)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return name


def remove_image(upload_folder: str, name: str) -> None:
    """Delete a stored image we replaced; a missing file is fine."""
    if name and "/" not in name and "\\" not in name:
        (Path(upload_folder) / name).unlink(missing_ok=True)


def update_organisation(
    session: Session,
    organisation: Organisation,
    *,
    name: str,
    parent_name: str,
    contact_email: str,
    primary_color: str,
    accent_color: str,
    coat_of_arms: str | None = None,
) -> Organisation:
    """Change name, contact and colours (and the coat of arms file name when given)."""
    if not name.strip():
        raise InvalidInputError(_("The organisation needs a name."))
    for colour, white_text in ((primary_color, True), (accent_color, False)):
        problem = colour_problem(colour, needs_white_text=white_text)
        if problem:
            raise InvalidInputError(problem)
    organisation.name = name.strip()
    organisation.parent_name = parent_name.strip()
    organisation.contact_email = contact_email.strip().lower()
    organisation.primary_color = primary_color.lower()
    organisation.accent_color = accent_color.lower()
    if coat_of_arms is not None:
        organisation.coat_of_arms = coat_of_arms
    session.flush()
    return organisation
