"""Who may use each route of the app, and sample URL arguments to reach every one of them.

Staff routes (/manage) carry their roles on the view (``staff_required`` sets ``civic_roles``; the permission matrix in
tests/test_permission_matrix.py checks them role by role). Every other route is listed here by endpoint, so a new
route without an entry fails tests/security/test_route_classification.py until someone decides who may use it.
"""

from __future__ import annotations

import enum
from typing import Any

from flask import Flask
from werkzeug.routing import Rule

from tests.test_permission_matrix import PUBLIC_STAFF_PAGES


class Access(enum.StrEnum):
    STAFF = "staff"  # /manage, @staff_required: the permission matrix checks each role
    STAFF_SIGN_IN = "staff sign-in"  # login, logout, password links, the coat of arms shown on resident pages
    RESIDENT = "resident"  # anyone: public consultation pages and their forms
    PERSONAL_LINK = "personal link"  # anyone holding the secret token in the URL
    PUBLIC_REPORT = "public report"  # anyone: published reports, their PDF and open data
    STATIC = "static"  # CSS, JS, images, vendored libraries
    HEALTH = "health"  # load-balancer probes: no session, no personal data
    WEBHOOK = "webhook"  # called by a mail or SMS provider, authenticated by a signature, not a session


#: Every route that is not @staff_required, by endpoint.
ROUTE_ACCESS: dict[str, Access] = {
    **dict.fromkeys(PUBLIC_STAFF_PAGES, Access.STAFF_SIGN_IN),
    "consultations_public.index": Access.RESIDENT,
    "set_language": Access.RESIDENT,
    "surveys.public_landing": Access.RESIDENT,
    "surveys.public_page": Access.RESIDENT,
    "surveys.public_receipt": Access.RESIDENT,
    "surveys.personal_landing": Access.PERSONAL_LINK,
    "surveys.personal_page": Access.PERSONAL_LINK,
    "surveys.personal_receipt": Access.PERSONAL_LINK,
    "hearings_public.hearing": Access.RESIDENT,
    "hearings_public.section": Access.RESIDENT,
    "hearings_public.attachment": Access.RESIDENT,
    "hearings_public.post_comment": Access.RESIDENT,
    "hearings_public.edit_comment": Access.RESIDENT,
    "hearings_public.delete_comment": Access.RESIDENT,
    "hearings_public.flag_comment": Access.RESIDENT,
    "hearings_public.join": Access.PERSONAL_LINK,
    "hearings_votes.vote": Access.RESIDENT,
    "hearings_votes.statements": Access.RESIDENT,
    "hearings_votes.verify": Access.RESIDENT,
    "hearings_statements.index": Access.RESIDENT,
    "hearings_statements.submit": Access.RESIDENT,
    "hearings_statements.attachment": Access.RESIDENT,
    "focus_groups_public.group": Access.RESIDENT,
    "focus_groups_public.take_part": Access.RESIDENT,
    "focus_groups_public.live": Access.RESIDENT,
    "focus_groups_public.answer": Access.RESIDENT,
    "focus_groups_public.vote": Access.RESIDENT,
    "focus_groups_public.join": Access.PERSONAL_LINK,
    "focus_groups_calendar.download": Access.RESIDENT,
    "focus_groups_console.observe_public": Access.PERSONAL_LINK,
    "focus_groups_console.observe_public_panels": Access.PERSONAL_LINK,
    "campaign_public.stop": Access.PERSONAL_LINK,
    "campaign_public.stop_confirm": Access.PERSONAL_LINK,
    "privacy.find_my_data": Access.RESIDENT,  # a form where residents paste their personal link
    "privacy.my_data": Access.PERSONAL_LINK,
    "privacy.delete_my_data": Access.PERSONAL_LINK,
    "reports_public.report": Access.PUBLIC_REPORT,
    "reports_public.open_data": Access.PUBLIC_REPORT,
    "reports_pdf.download": Access.PUBLIC_REPORT,
    "reports_overview.index": Access.PUBLIC_REPORT,
    "pages.accessibility": Access.RESIDENT,
    "pages.data_protection": Access.RESIDENT,
    "static": Access.STATIC,
    "vendor": Access.STATIC,
    "health.healthz": Access.HEALTH,
    "health.readyz": Access.HEALTH,
    "campaign_public.email_bounce": Access.WEBHOOK,
    "campaign_public.sms_delivery": Access.WEBHOOK,
}

#: POST routes that take no CSRF token, and why. Every other POST must refuse a request without one.
CSRF_EXEMPT: dict[str, str] = {
    "campaign_public.email_bounce": "the mail provider signs it with WEBHOOK_SECRET",
    "campaign_public.sms_delivery": "the SMS provider signs it with WEBHOOK_SECRET",
    "campaign_public.stop_confirm": "RFC 8058 one-click unsubscribe: the mail provider POSTs without a token",
}


def access_of(app: Flask, endpoint: str) -> Access | None:
    """The route's class: STAFF when the view says who may use it, else its entry here (None: unclassified)."""
    if getattr(app.view_functions.get(endpoint), "civic_roles", None):
        return Access.STAFF
    return ROUTE_ACCESS.get(endpoint)


def rules_of(app: Flask, method: str) -> list[Rule]:
    """The app's rules that answer ``method``, sorted so test ids are stable."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in (rule.methods or ())),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def build_path(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    """The rule's URL with ``values`` for its arguments; fails with a hint when a sample value is missing."""
    missing = sorted(set(rule.arguments) - set(values))
    if missing:
        raise LookupError(
            f"{rule.rule} ({rule.endpoint}) needs sample value(s) for {missing}: add them to the public world in "
            "tests/security/conftest.py (or the permission matrix's world for /manage routes)"
        )
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments}, force_external=False)
