"""Privacy fixtures: the focus-group factory and the small registry are shared (imported, not copied)."""

from __future__ import annotations

from tests.campaigns.conftest import small_registry
from tests.focus_groups.conftest import create_fg_participant, create_focus_group

__all__ = ["create_fg_participant", "create_focus_group", "small_registry"]
