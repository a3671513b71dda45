"""URL helpers shared by every domain."""

from __future__ import annotations

from urllib.parse import urlsplit

#: Longer return paths are refused: nothing civic links to is this long, and they bloat headers and logs.
MAX_LOCAL_PATH_LENGTH = 2000


def safe_local_path(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default`` (no open redirects).

    Browsers read a backslash as a slash and drop tabs and line breaks anywhere in a URL, so "/\\evil.example" and
    "/<tab>/evil.example" both lead off-site as "//evil.example" does; any control character is refused (a line
    break would also split the Location header).
    """
    if not target or len(target) > MAX_LOCAL_PATH_LENGTH:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
