"""The consultation page tests assert the English messages."""

import pytest


@pytest.fixture(autouse=True)
def _english(english_ui) -> None:
    """Serve English unless a test asks for another language."""
