"""The staff menu: each domain adds its entries in register(app), with the roles that see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    label: Callable[[], str]  # lazily translated
    roles: frozenset[str]


def add_menu_entry(app: Flask, endpoint: str, label: Callable[[], str], roles: tuple[str, ...]) -> None:
    """Add an entry to the staff menu."""
    app.extensions.setdefault("civic_menu", []).append(MenuEntry(endpoint, label, frozenset(roles)))


def menu_for(app: Flask, role: str) -> list[dict[str, Any]]:
    """Return the entries a staff member with ``role`` may see."""
    return [
        {"url": url_for(entry.endpoint), "label": entry.label()}
        for entry in app.extensions.get("civic_menu", [])
        if role in entry.roles
    ]
