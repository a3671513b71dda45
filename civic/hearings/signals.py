"""Events the hearings domain publishes; upper domains subscribe in their handlers.py."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

comment_written = _signals.signal("hearing-comment-written")
comment_written.__doc__ = """A comment was posted or its text edited (flushed, not yet committed).

Sender: the Comment. Subscribers must not commit; they queue work with core.after_commit.
"""
