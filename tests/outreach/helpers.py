"""Read what the outbox transport wrote, for assertions."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

RESET_LINK = re.compile(r"https?://[^\s]+/manage/password/reset/([A-Za-z0-9_.\-]+)")


def read_outbox(folder: str | Path) -> list[EmailMessage]:
    """Return every message in the outbox folder, oldest first."""
    root = Path(folder)
    if not root.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(root.glob("*.eml"))]


def text_of(message: EmailMessage) -> str:
    """Return the plain-text body."""
    return message.get_body(preferencelist=("plain",)).get_content()


def reset_path(message: EmailMessage) -> str:
    """Return the path of the password link in a message (for the test client)."""
    match = RESET_LINK.search(text_of(message))
    assert match, "no password link in the e-mail"
    return f"/manage/password/reset/{match.group(1)}"
