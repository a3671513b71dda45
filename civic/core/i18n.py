"""Locale selection and helpers for content written in several languages."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, redirect, request, session
from flask_babel import get_locale

from civic.core.urls import safe_local_path

LOCALE_SESSION_KEY = "locale"


def select_locale() -> str:
    """Use the resident's explicit choice, then the browser's preference, then bokmål."""
    if not has_request_context():  # services called from tasks or the CLI speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get(LOCALE_SESSION_KEY)
    if chosen in languages:
        return chosen
    # Browsers often send plain "no" for Norwegian; treat it as bokmål.
    best = request.accept_languages.best_match([*languages, "no"])
    if best == "no" or best is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return best


def localized(value: dict[str, str] | str | None, locale: str, fallback: str = "nb") -> str:
    """Pick the text for ``locale`` from a {lang: text} dict, falling back to any filled language."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for lang in (locale, fallback, "nb", "nn", "en"):
        text = value.get(lang)
        if text:
            return text
    return next((text for text in value.values() if text), "")


LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def current_locale() -> str:
    """Return the active locale code (nb, nn or en)."""
    return str(get_locale())


def init_app(app: Any) -> None:
    """Register the language switch, the ``loc`` filter and template helpers."""

    @app.template_filter("loc")
    def _loc(value: dict[str, str] | str | None) -> str:
        return localized(value, current_locale())

    @app.context_processor
    def _helpers() -> dict[str, Any]:
        return {
            "current_locale": current_locale,
            "language_choices": lambda: [(c, LANGUAGE_NAMES[c]) for c in app.config["LANGUAGES"]],
        }

    @app.post("/language")
    def set_language() -> Any:
        chosen = request.form.get("lang")
        if chosen in app.config["LANGUAGES"]:
            session[LOCALE_SESSION_KEY] = chosen
        # Drop a ?lang= from the return URL so the stored choice wins.
        target = safe_local_path(request.form.get("next"), "/").split("?lang=")[0]
        return redirect(target, code=303)
