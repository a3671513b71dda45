"""Texts in the message language: default invitation, reminder and outcome templates, the e-mail footers, deadlines.

These are content, not UI: the resident's KRR language decides which one is used, so they are kept here per
language rather than translated through gettext. ``civic.campaigns.content`` re-exports these names.
"""

from __future__ import annotations

from civic.campaigns.models import Campaign, CampaignTemplate, MessagePurpose
from civic.consultations.models import Consultation, ConsultationKind

#: The languages messages can be written in (and that have default texts).
MESSAGE_LANGUAGES = ("nb", "nn", "en")

FOOTER = {
    "nb": {
        "why": "Du får denne meldingen fordi {organisation} spør innbyggere som berøres av saken. "
        "Kontaktinformasjonen kommer fra Kontakt- og reservasjonsregisteret og lagres ikke hos oss.",
        "stop": "Vil du ikke få flere meldinger om denne saken, verken påminnelser eller beskjed om hva som blir "
        "bestemt? {stop_link}",
        "stop_label": "Stopp meldinger",
        "answer": "Svar her",
        "no_deadline": "høringen stenger",
    },
    "nn": {
        "why": "Du får denne meldinga fordi {organisation} spør innbyggjarar som saka gjeld. "
        "Kontaktinformasjonen kjem frå Kontakt- og reservasjonsregisteret og blir ikkje lagra hos oss.",
        "stop": "Vil du ikkje få fleire meldingar om denne saka, verken påminningar eller melding om kva som blir "
        "bestemt? {stop_link}",
        "stop_label": "Stopp meldingar",
        "answer": "Svar her",
        "no_deadline": "høyringa stengjer",
    },
    "en": {
        "why": "You are receiving this message because {organisation} is asking residents affected by this matter. "
        "Your contact details come from the Common Contact Register (KRR) and are not stored by us.",
        "stop": "Don't want more messages about this matter, neither reminders nor news of the decision? {stop_link}",
        "stop_label": "Stop messages",
        "answer": "Respond here",
        "no_deadline": "the consultation closes",
    },
}
#: The footer of an outcome message ("you said, we did"). It has no stop link: the message carries no personal
#: token, goes once, and only to residents who did not stop messages; ``link`` is the public report.
OUTCOME_FOOTER = {
    "nb": {
        "why": "Du får denne meldingen fordi du deltok i «{title}» etter en invitasjon fra {organisation}. "
        "Kontaktinformasjonen kommer fra Kontakt- og reservasjonsregisteret og lagres ikke hos oss. "
        "Dette er den siste meldingen om saken.",
        "answer": "Les rapporten",
        "link_label": "Hva innbyggerne sa, og hva som ble bestemt",
    },
    "nn": {
        "why": "Du får denne meldinga fordi du var med i «{title}» etter ein invitasjon frå {organisation}. "
        "Kontaktinformasjonen kjem frå Kontakt- og reservasjonsregisteret og blir ikkje lagra hos oss. "
        "Dette er den siste meldinga om saka.",
        "answer": "Les rapporten",
        "link_label": "Kva innbyggjarane sa, og kva som vart bestemt",
    },
    "en": {
        "why": "You are receiving this message because you took part in “{title}” after an invitation from "
        "{organisation}. Your contact details come from the Common Contact Register (KRR) and are not stored by us. "
        "This is the last message about this matter.",
        "answer": "Read the report",
        "link_label": "What residents said, and what was decided",
    },
}
DEADLINE_PATTERN = {"nb": "d. MMMM y 'kl.' HH:mm", "nn": "d. MMMM y 'kl.' HH:mm", "en": "d MMMM y 'at' HH:mm"}

DEFAULT_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "nb": {
        "invitation": {
            "subject": "Si din mening: {title}",
            "body": "Hei {first_name},\n\n{organisation} vil gjerne høre hva du mener om «{title}». "
            "Du er invitert fordi saken berører deg.\n\nDu kan svare fram til {deadline}. "
            "Lenken er personlig, så ikke del den med andre.\n\n{link}\n\nVennlig hilsen\n{organisation}",
            "sms": 'Hei {first_name}! {organisation} vil høre din mening om "{title}". Svar innen {deadline}: {link}',
        },
        "reminder": {
            "subject": "Påminnelse: {title}",
            "body": "Hei {first_name},\n\nVi har ikke fått svaret ditt om «{title}» ennå. "
            "Det tar bare noen minutter, og svaret ditt teller.\n\nDu kan svare fram til {deadline}.\n\n"
            "{link}\n\nVennlig hilsen\n{organisation}",
            "sms": 'Påminnelse fra {organisation}: svar om "{title}" innen {deadline}: {link} '
            "Stopp påminnelser: {stop_link}",
        },
        "outcome": {
            "subject": "Dette ble bestemt: {title}",
            "body": "Hei {first_name},\n\nTakk for at du deltok i «{title}». Nå er saken avgjort, og {organisation} "
            "har publisert en rapport om hva innbyggerne sa og hva som ble bestemt.\n\n{link}\n\n"
            "Vennlig hilsen\n{organisation}",
            "sms": 'Hei {first_name}! Takk for at du deltok i "{title}". Les hva innbyggerne sa og hva '
            "{organisation} bestemte: {link}",
        },
    },
    "nn": {
        "invitation": {
            "subject": "Sei meininga di: {title}",
            "body": "Hei {first_name},\n\n{organisation} vil gjerne høyre kva du meiner om «{title}». "
            "Du er invitert fordi saka gjeld deg.\n\nDu kan svare fram til {deadline}. "
            "Lenkja er personleg, så ikkje del ho med andre.\n\n{link}\n\nVenleg helsing\n{organisation}",
            "sms": 'Hei {first_name}! {organisation} vil høyre meininga di om "{title}". Svar innan {deadline}: {link}',
        },
        "reminder": {
            "subject": "Påminning: {title}",
            "body": "Hei {first_name},\n\nVi har ikkje fått svaret ditt om «{title}» enno. "
            "Det tek berre nokre minutt, og svaret ditt tel.\n\nDu kan svare fram til {deadline}.\n\n"
            "{link}\n\nVenleg helsing\n{organisation}",
            "sms": 'Påminning frå {organisation}: svar om "{title}" innan {deadline}: {link} '
            "Stopp påminningar: {stop_link}",
        },
        "outcome": {
            "subject": "Dette vart bestemt: {title}",
            "body": "Hei {first_name},\n\nTakk for at du var med i «{title}». No er saka avgjord, og {organisation} "
            "har publisert ein rapport om kva innbyggjarane sa og kva som vart bestemt.\n\n{link}\n\n"
            "Venleg helsing\n{organisation}",
            "sms": 'Hei {first_name}! Takk for at du var med i "{title}". Les kva innbyggjarane sa og kva '
            "{organisation} bestemte: {link}",
        },
    },
    "en": {
        "invitation": {
            "subject": "Have your say: {title}",
            "body": "Hello {first_name},\n\n{organisation} would like to hear what you think about “{title}”. "
            "You are invited because this matter affects you.\n\nYou can respond until {deadline}. "
            "The link is personal, so please do not share it.\n\n{link}\n\nKind regards\n{organisation}",
            "sms": 'Hello {first_name}! {organisation} would like your opinion on "{title}". '
            "Respond by {deadline}: {link}",
        },
        "reminder": {
            "subject": "Reminder: {title}",
            "body": "Hello {first_name},\n\nWe have not received your response about “{title}” yet. "
            "It only takes a few minutes, and your view counts.\n\nYou can respond until {deadline}.\n\n"
            "{link}\n\nKind regards\n{organisation}",
            "sms": 'Reminder from {organisation}: respond about "{title}" by {deadline}: {link} '
            "Stop reminders: {stop_link}",
        },
        "outcome": {
            "subject": "What was decided: {title}",
            "body": "Hello {first_name},\n\nThank you for taking part in “{title}”. A decision has now been made, "
            "and {organisation} has published a report on what residents said and what was decided.\n\n{link}\n\n"
            "Kind regards\n{organisation}",
            "sms": 'Hello {first_name}! Thank you for taking part in "{title}". Read what residents said and what '
            "{organisation} decided: {link}",
        },
    },
}

#: Focus groups invite to a session at a time ({when}: "tirsdag 1. desember 2026 kl. 18:00-19:30", or for an
#: asynchronous group "fra 1. desember til 8. desember 2026"), not to answer by a deadline. The e-mail also
#: carries the .ics (live groups); {calendar_link} serves it to SMS readers and other mail clients.
FOCUS_GROUP_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "nb": {
        "invitation": {
            "subject": "Invitasjon til fokusgruppe: {title}",
            "body": "Hei {first_name},\n\n{organisation} inviterer deg til en digital fokusgruppe om «{title}». "
            "Du er invitert fordi saken berører deg. Samtalen foregår skriftlig på nett, og de andre deltakerne "
            "ser deg bare under et tilfeldig navn.\n\nTid: {when}\n\nLegg den i kalenderen din: {calendar_link}"
            "\n\nBruk lenken under for å delta. Den er personlig, så ikke del den med andre.\n\n{link}\n\n"
            "Vennlig hilsen\n{organisation}",
            "sms": 'Hei {first_name}! {organisation} inviterer deg til fokusgruppe om "{title}", {when}. '
            "Delta: {link} Kalender: {calendar_link}",
        },
        "reminder": {
            "subject": "Påminnelse: fokusgruppe om {title}",
            "body": "Hei {first_name},\n\nHusk den digitale fokusgruppen om «{title}».\n\nTid: {when}\n\n"
            "Legg den i kalenderen din: {calendar_link}\n\nBruk den personlige lenken din for å delta:\n\n"
            "{link}\n\nVennlig hilsen\n{organisation}",
            "sms": 'Påminnelse fra {organisation}: fokusgruppe om "{title}", {when}. Delta: {link} '
            "Stopp påminnelser: {stop_link}",
        },
    },
    "nn": {
        "invitation": {
            "subject": "Invitasjon til fokusgruppe: {title}",
            "body": "Hei {first_name},\n\n{organisation} inviterer deg til ei digital fokusgruppe om «{title}». "
            "Du er invitert fordi saka gjeld deg. Samtalen går føre seg skriftleg på nett, og dei andre "
            "deltakarane ser deg berre under eit tilfeldig namn.\n\nTid: {when}\n\nLegg ho i kalenderen din: "
            "{calendar_link}\n\nBruk lenkja under for å vere med. Ho er personleg, så ikkje del ho med andre."
            "\n\n{link}\n\nVenleg helsing\n{organisation}",
            "sms": 'Hei {first_name}! {organisation} inviterer deg til fokusgruppe om "{title}", {when}. '
            "Ver med: {link} Kalender: {calendar_link}",
        },
        "reminder": {
            "subject": "Påminning: fokusgruppe om {title}",
            "body": "Hei {first_name},\n\nHugs den digitale fokusgruppa om «{title}».\n\nTid: {when}\n\n"
            "Legg ho i kalenderen din: {calendar_link}\n\nBruk den personlege lenkja di for å vere med:\n\n"
            "{link}\n\nVenleg helsing\n{organisation}",
            "sms": 'Påminning frå {organisation}: fokusgruppe om "{title}", {when}. Ver med: {link} '
            "Stopp påminningar: {stop_link}",
        },
    },
    "en": {
        "invitation": {
            "subject": "Invitation to a focus group: {title}",
            "body": "Hello {first_name},\n\n{organisation} invites you to an online focus group about “{title}”. "
            "You are invited because this matter affects you. The conversation is written, online, and other "
            "participants only see you under a random name.\n\nWhen: {when}\n\nAdd it to your calendar: "
            "{calendar_link}\n\nUse the link below to take part. It is personal, so please do not share it."
            "\n\n{link}\n\nKind regards\n{organisation}",
            "sms": 'Hello {first_name}! {organisation} invites you to a focus group on "{title}", {when}. '
            "Join: {link} Calendar: {calendar_link}",
        },
        "reminder": {
            "subject": "Reminder: focus group on {title}",
            "body": "Hello {first_name},\n\nA reminder of the online focus group about “{title}”.\n\n"
            "When: {when}\n\nAdd it to your calendar: {calendar_link}\n\nUse your personal link to take part:"
            "\n\n{link}\n\nKind regards\n{organisation}",
            "sms": 'Reminder from {organisation}: focus group on "{title}", {when}. Join: {link} '
            "Stop reminders: {stop_link}",
        },
    },
}


def default_templates(consultation: Consultation) -> list[CampaignTemplate]:
    """Return new (unsaved) invitation and reminder templates in each of the consultation's languages.

    Outcome texts are not made here: they are needed only after the decision, often by campaigns created before
    outcome messages existed, so they come from :func:`missing_outcome_templates` when first shown or used.
    """
    languages = [lang for lang in consultation.languages or [] if lang in MESSAGE_LANGUAGES] or ["nb"]
    templates = []
    for language in dict.fromkeys(languages):
        for purpose in (MessagePurpose.INVITATION, MessagePurpose.REMINDER):
            templates.append(default_template(purpose, language, kind=consultation.kind))
    return templates


def default_template(purpose: str, language: str, *, kind: str = ConsultationKind.SURVEY) -> CampaignTemplate:
    """Return a new template with the default texts (bokmål ones for a language without defaults).

    Focus groups have their own invitation and reminder texts (a session at a time); outcome texts are shared.
    """
    table = DEFAULT_TEXTS
    if kind == ConsultationKind.FOCUS_GROUP and str(purpose) != MessagePurpose.OUTCOME:
        table = FOCUS_GROUP_TEXTS
    texts = table.get(language, table["nb"])[str(purpose)]
    return CampaignTemplate(
        purpose=str(purpose),
        language=language,
        email_subject=texts["subject"],
        email_body=texts["body"],
        sms_body=texts["sms"],
    )


def missing_outcome_templates(campaign: Campaign) -> list[CampaignTemplate]:
    """Return new (unsaved, unattached) default outcome templates for each of the campaign's message languages
    that has none yet; the caller appends them to ``campaign.templates`` to keep them."""
    have = {t.language for t in campaign.templates if t.purpose == MessagePurpose.OUTCOME}
    languages = dict.fromkeys(t.language for t in campaign.templates if t.language in MESSAGE_LANGUAGES) or {"nb": None}
    return [default_template(MessagePurpose.OUTCOME, language) for language in languages if language not in have]


__all__ = [
    "DEADLINE_PATTERN",
    "DEFAULT_TEXTS",
    "FOCUS_GROUP_TEXTS",
    "FOOTER",
    "MESSAGE_LANGUAGES",
    "OUTCOME_FOOTER",
    "default_template",
    "default_templates",
    "missing_outcome_templates",
]
