"""Texts in the message language: default invitation and reminder templates, the e-mail footer, deadlines.

These are content, not UI: the resident's KRR language decides which one is used, so they are kept here per
language rather than translated through gettext. ``civic.campaigns.content`` re-exports these names.
"""

from __future__ import annotations

from civic.campaigns.models import CampaignTemplate, MessagePurpose
from civic.consultations.models import Consultation

#: The languages messages can be written in (and that have default texts).
MESSAGE_LANGUAGES = ("nb", "nn", "en")

FOOTER = {
    "nb": {
        "why": "Du får denne meldingen fordi {organisation} spør innbyggere som berøres av saken. "
        "Kontaktinformasjonen kommer fra Kontakt- og reservasjonsregisteret og lagres ikke hos oss.",
        "stop": "Vil du ikke få flere påminnelser om denne saken? {stop_link}",
        "stop_label": "Stopp påminnelser",
        "answer": "Svar her",
        "no_deadline": "høringen stenger",
    },
    "nn": {
        "why": "Du får denne meldinga fordi {organisation} spør innbyggjarar som saka gjeld. "
        "Kontaktinformasjonen kjem frå Kontakt- og reservasjonsregisteret og blir ikkje lagra hos oss.",
        "stop": "Vil du ikkje få fleire påminningar om denne saka? {stop_link}",
        "stop_label": "Stopp påminningar",
        "answer": "Svar her",
        "no_deadline": "høyringa stengjer",
    },
    "en": {
        "why": "You are receiving this message because {organisation} is asking residents affected by this matter. "
        "Your contact details come from the Common Contact Register (KRR) and are not stored by us.",
        "stop": "Don't want more reminders about this matter? {stop_link}",
        "stop_label": "Stop reminders",
        "answer": "Respond here",
        "no_deadline": "the consultation closes",
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
            "sms": "Hei {first_name}! {organisation} vil høre din mening om \"{title}\". "
            "Svar innen {deadline}: {link}",
        },
        "reminder": {
            "subject": "Påminnelse: {title}",
            "body": "Hei {first_name},\n\nVi har ikke fått svaret ditt om «{title}» ennå. "
            "Det tar bare noen minutter, og svaret ditt teller.\n\nDu kan svare fram til {deadline}.\n\n"
            "{link}\n\nVennlig hilsen\n{organisation}",
            "sms": "Påminnelse fra {organisation}: svar om \"{title}\" innen {deadline}: {link} "
            "Stopp påminnelser: {stop_link}",
        },
    },
    "nn": {
        "invitation": {
            "subject": "Sei meininga di: {title}",
            "body": "Hei {first_name},\n\n{organisation} vil gjerne høyre kva du meiner om «{title}». "
            "Du er invitert fordi saka gjeld deg.\n\nDu kan svare fram til {deadline}. "
            "Lenkja er personleg, så ikkje del ho med andre.\n\n{link}\n\nVenleg helsing\n{organisation}",
            "sms": "Hei {first_name}! {organisation} vil høyre meininga di om \"{title}\". "
            "Svar innan {deadline}: {link}",
        },
        "reminder": {
            "subject": "Påminning: {title}",
            "body": "Hei {first_name},\n\nVi har ikkje fått svaret ditt om «{title}» enno. "
            "Det tek berre nokre minutt, og svaret ditt tel.\n\nDu kan svare fram til {deadline}.\n\n"
            "{link}\n\nVenleg helsing\n{organisation}",
            "sms": "Påminning frå {organisation}: svar om \"{title}\" innan {deadline}: {link} "
            "Stopp påminningar: {stop_link}",
        },
    },
    "en": {
        "invitation": {
            "subject": "Have your say: {title}",
            "body": "Hello {first_name},\n\n{organisation} would like to hear what you think about “{title}”. "
            "You are invited because this matter affects you.\n\nYou can respond until {deadline}. "
            "The link is personal, so please do not share it.\n\n{link}\n\nKind regards\n{organisation}",
            "sms": "Hello {first_name}! {organisation} would like your opinion on \"{title}\". "
            "Respond by {deadline}: {link}",
        },
        "reminder": {
            "subject": "Reminder: {title}",
            "body": "Hello {first_name},\n\nWe have not received your response about “{title}” yet. "
            "It only takes a few minutes, and your view counts.\n\nYou can respond until {deadline}.\n\n"
            "{link}\n\nKind regards\n{organisation}",
            "sms": "Reminder from {organisation}: respond about \"{title}\" by {deadline}: {link} "
            "Stop reminders: {stop_link}",
        },
    },
}


def default_templates(consultation: Consultation) -> list[CampaignTemplate]:
    """Return new (unsaved) invitation and reminder templates in each of the consultation's languages."""
    languages = [lang for lang in consultation.languages or [] if lang in MESSAGE_LANGUAGES] or ["nb"]
    templates = []
    for language in dict.fromkeys(languages):
        for purpose in (MessagePurpose.INVITATION, MessagePurpose.REMINDER):
            templates.append(default_template(purpose, language))
    return templates


def default_template(purpose: str, language: str) -> CampaignTemplate:
    """Return a new template with the default texts (bokmål ones for a language without defaults)."""
    texts = DEFAULT_TEXTS.get(language, DEFAULT_TEXTS["nb"])[str(purpose)]
    return CampaignTemplate(
        purpose=str(purpose),
        language=language,
        email_subject=texts["subject"],
        email_body=texts["body"],
        sms_body=texts["sms"],
    )



__all__ = [
    "DEADLINE_PATTERN",
    "DEFAULT_TEXTS",
    "FOOTER",
    "MESSAGE_LANGUAGES",
    "default_template",
    "default_templates",
]
