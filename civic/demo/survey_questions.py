"""The questions of the Bjerke parking survey as plain data: sections, questions, choices and conditions."""

from __future__ import annotations

from typing import Any

from civic.surveys.models import QuestionKind

K = QuestionKind


def t(nb: str, nn: str, en: str) -> dict[str, str]:
    """Return a {lang: text} dict."""
    return {"nb": nb, "nn": nn, "en": en}


YES_NO_UNSURE = [
    ("yes", t("Ja", "Ja", "Yes")),
    ("no", t("Nei", "Nei", "No")),
    ("unsure", t("Usikker", "Usikker", "Not sure")),
]

# Each question: (slug, kind, text, extra). ``extra`` holds choices, settings, help, required, condition.
SECTIONS: list[dict[str, Any]] = [
    {
        "title": t("Om deg og husstanden", "Om deg og hushaldet", "About you and your household"),
        "description": t(
            "Noen få spørsmål slik at vi kan se svarene i sammenheng.",
            "Nokre få spørsmål slik at vi kan sjå svara i samanheng.",
            "A few questions so we can see the answers in context.",
        ),
        "questions": [
            (
                "has_car",
                K.SINGLE_CHOICE,
                t("Har husstanden din bil?", "Har hushaldet ditt bil?", "Does your household have a car?"),
                {
                    "required": True,
                    "choices": [
                        ("yes", t("Ja", "Ja", "Yes")),
                        ("no", t("Nei", "Nei", "No")),
                        ("sharing", t("Vi bruker bildeling", "Vi brukar bildeling", "We use car sharing")),
                    ],
                },
            ),
            (
                "car_count",
                K.NUMBER,
                t(
                    "Hvor mange biler har husstanden?",
                    "Kor mange bilar har hushaldet?",
                    "How many cars does your household have?",
                ),
                {"settings": {"min": 1, "max": 10, "integer": True}, "condition": ("has_car", ["yes"])},
            ),
            (
                "street",
                K.SHORT_TEXT,
                t("Hvilken gate bor du i?", "Kva gate bur du i?", "Which street do you live in?"),
                {
                    "settings": {"max_length": 80},
                    "help": t(
                        "Bare gatenavnet, ikke husnummer.",
                        "Berre gatenamnet, ikkje husnummer.",
                        "Just the street name, no house number.",
                    ),
                },
            ),
            (
                "moved_in",
                K.DATE,
                t(
                    "Når flyttet du til bydelen?",
                    "Når flytte du til bydelen?",
                    "When did you move to the district?",
                ),
                {
                    "settings": {"min_date": "1940-01-01", "max_date": None},
                    "help": t(
                        "Omtrentlig dato holder.", "Omtrentleg dato held.", "An approximate date is fine."
                    ),
                },
            ),
        ],
    },
    {
        "title": t("Parkering i nabolaget", "Parkering i nabolaget", "Parking in your neighbourhood"),
        "description": t(
            "Om gateparkering, beboerparkering og lading.",
            "Om gateparkering, bebuarparkering og lading.",
            "About street parking, resident parking and charging.",
        ),
        "questions": [
            (
                "parking_ease",
                K.SCALE,
                t(
                    "Hvor lett er det å finne parkering nær der du bor?",
                    "Kor lett er det å finne parkering nær der du bur?",
                    "How easy is it to find parking near where you live?",
                ),
                {
                    "required": True,
                    "settings": {
                        "min": 1,
                        "max": 5,
                        "min_label": t("Svært vanskelig", "Svært vanskeleg", "Very difficult"),
                        "max_label": t("Svært lett", "Svært lett", "Very easy"),
                    },
                },
            ),
            (
                "resident_parking",
                K.SINGLE_CHOICE,
                t(
                    "Bør bydelen innføre beboerparkering i ditt område?",
                    "Bør bydelen innføre bebuarparkering i området ditt?",
                    "Should the district introduce resident parking in your area?",
                ),
                {
                    "required": True,
                    "choices": YES_NO_UNSURE,
                    "help": t(
                        "Med beboerparkering kan bare beboere med tillatelse parkere lenge i gata.",
                        "Med bebuarparkering kan berre bebuarar med løyve parkere lenge i gata.",
                        "With resident parking only permit holders may park long-term in the street.",
                    ),
                },
            ),
            (
                "annual_fee",
                K.NUMBER,
                t(
                    "Hva er det meste du ville betalt per år for en beboerparkeringstillatelse (kroner)?",
                    "Kva er det meste du ville betalt per år for eit bebuarparkeringsløyve (kroner)?",
                    "What is the most you would pay per year for a resident parking permit (NOK)?",
                ),
                {"settings": {"min": 0, "max": 10000, "integer": True}, "condition": ("has_car", ["yes"])},
            ),
            (
                "reserved_for",
                K.MULTIPLE_CHOICE,
                t(
                    "Hvem bør få reserverte plasser i gata? Velg 1–3.",
                    "Kven bør få reserverte plassar i gata? Vel 1–3.",
                    "Who should get reserved spaces in the street? Choose 1–3.",
                ),
                {
                    "required": True,
                    "settings": {"min_choices": 1, "max_choices": 3},
                    "choices": [
                        (
                            "trades",
                            t(
                                "Håndverkere og servicebiler",
                                "Handverkarar og servicebilar",
                                "Tradespeople and service vans",
                            ),
                        ),
                        ("home_care", t("Hjemmetjenesten", "Heimetenesta", "Home care services")),
                        ("visitors", t("Besøkende", "Besøkande", "Visitors")),
                        ("car_sharing", t("Bildeling", "Bildeling", "Car sharing")),
                        ("charging", t("Lading av elbil", "Lading av elbil", "Electric car charging")),
                        ("deliveries", t("Varelevering", "Varelevering", "Deliveries")),
                        (
                            "disabled",
                            t(
                                "Personer med funksjonsnedsettelse",
                                "Personar med funksjonsnedsetjing",
                                "People with disabilities",
                            ),
                        ),
                    ],
                },
            ),
            (
                "charging",
                K.SINGLE_CHOICE,
                t(
                    "Hvor lader du elbilen, eller hvor ville du ladet den?",
                    "Kvar ladar du elbilen, eller kvar ville du ladd han?",
                    "Where do you charge your electric car, or where would you charge it?",
                ),
                {
                    "condition": ("has_car", ["yes"]),
                    "choices": [
                        (
                            "home",
                            t(
                                "Hjemme, egen innkjørsel eller garasje",
                                "Heime, eiga innkøyrsle eller garasje",
                                "At home, own driveway or garage",
                            ),
                        ),
                        (
                            "housing_coop",
                            t(
                                "I borettslagets garasjeanlegg",
                                "I burettslaget sitt garasjeanlegg",
                                "In the housing cooperative's garage",
                            ),
                        ),
                        ("street", t("Ladepunkt i gata", "Ladepunkt i gata", "Charging point in the street")),
                        (
                            "fast",
                            t(
                                "Hurtiglader, f.eks. ved Økern",
                                "Hurtigladar, t.d. ved Økern",
                                "Fast charger, e.g. at Økern",
                            ),
                        ),
                        ("no_ev", t("Har ikke elbil", "Har ikkje elbil", "No electric car")),
                        (
                            "other",
                            t(
                                "Annet, vennligst spesifiser",
                                "Anna, ver venleg og spesifiser",
                                "Other, please specify",
                            ),
                            True,
                        ),
                    ],
                },
            ),
        ],
    },
    {
        "title": t("Trafikksikkerhet og vinter", "Trafikktryggleik og vinter", "Road safety and winter"),
        "description": t(
            "Om skoleveien, bilfrie gater og brøyting.",
            "Om skulevegen, bilfrie gater og brøyting.",
            "About school routes, car-free streets and snow clearing.",
        ),
        "questions": [
            (
                "school_route",
                K.SCALE,
                t(
                    "Hvor trygg er skoleveien for barn i nærområdet ditt?",
                    "Kor trygg er skulevegen for born i nærområdet ditt?",
                    "How safe is the school route for children in your area?",
                ),
                {
                    "settings": {
                        "min": 1,
                        "max": 5,
                        "min_label": t("Svært utrygg", "Svært utrygg", "Very unsafe"),
                        "max_label": t("Svært trygg", "Svært trygg", "Very safe"),
                    }
                },
            ),
            (
                "car_free",
                K.SINGLE_CHOICE,
                t(
                    "Vil du ha bilfrie gater (hjertesoner) rundt skolene i skoletiden?",
                    "Vil du ha bilfrie gater (hjartesoner) rundt skulane i skuletida?",
                    "Would you like car-free streets (heart zones) around schools during school hours?",
                ),
                {"choices": YES_NO_UNSURE},
            ),
            (
                "winter",
                K.MULTIPLE_CHOICE,
                t(
                    "Hva er de største problemene om vinteren? Velg inntil 3.",
                    "Kva er dei største problema om vinteren? Vel inntil 3.",
                    "What are the biggest problems in winter? Choose up to 3.",
                ),
                {
                    "settings": {"min_choices": 0, "max_choices": 3},
                    "choices": [
                        (
                            "blocked_plough",
                            t(
                                "Parkerte biler hindrer brøytebilen",
                                "Parkerte bilar hindrar brøytebilen",
                                "Parked cars block the snow plough",
                            ),
                        ),
                        (
                            "snowbanks",
                            t(
                                "Brøytekanter tar parkeringsplasser",
                                "Brøytekantar tek parkeringsplassar",
                                "Snowbanks take up parking spaces",
                            ),
                        ),
                        ("icy_pavements", t("Glatte fortau", "Glatte fortau", "Icy pavements")),
                        (
                            "late_clearing",
                            t(
                                "Det brøytes for sent",
                                "Det blir brøyta for seint",
                                "Snow is cleared too late",
                            ),
                        ),
                        (
                            "bus_stops",
                            t("Snø ved bussholdeplasser", "Snø ved busshaldeplassar", "Snow at bus stops"),
                        ),
                        ("none", t("Ingen store problemer", "Ingen store problem", "No big problems")),
                    ],
                },
            ),
            (
                "problem_spot",
                K.MAP_POINT,
                t(
                    "Marker et sted der parkering eller trafikk er et problem.",
                    "Merk av ein stad der parkering eller trafikk er eit problem.",
                    "Mark a place where parking or traffic is a problem.",
                ),
                {
                    "help": t(
                        "Klikk i kartet. Du kan hoppe over spørsmålet.",
                        "Klikk i kartet. Du kan hoppe over spørsmålet.",
                        "Click on the map. You may skip this question.",
                    )
                },
            ),
        ],
    },
    {
        "title": t("Prioriteringer", "Prioriteringar", "Priorities"),
        "description": t(
            "Til slutt: hva er viktigst for deg?",
            "Til slutt: kva er viktigast for deg?",
            "Finally: what matters most to you?",
        ),
        "questions": [
            (
                "priorities",
                K.RANKING,
                t(
                    "Ranger hva bydelen bør prioritere, det viktigste først.",
                    "Ranger kva bydelen bør prioritere, det viktigaste først.",
                    "Rank what the district should prioritise, most important first.",
                ),
                {
                    "required": True,
                    "choices": [
                        ("resident_parking", t("Beboerparkering", "Bebuarparkering", "Resident parking")),
                        ("school_route", t("Trygg skolevei", "Trygg skuleveg", "Safe school routes")),
                        ("charging", t("Flere ladepunkter", "Fleire ladepunkt", "More charging points")),
                        ("snow", t("Bedre brøyting", "Betre brøyting", "Better snow clearing")),
                        (
                            "car_free",
                            t(
                                "Bilfrie gater og byliv",
                                "Bilfrie gater og byliv",
                                "Car-free streets and street life",
                            ),
                        ),
                        ("bike_parking", t("Sykkelparkering", "Sykkelparkering", "Bicycle parking")),
                    ],
                },
            ),
            (
                "comments",
                K.LONG_TEXT,
                t(
                    "Er det noe mer du vil at vi skal vite?",
                    "Er det noko meir du vil at vi skal vite?",
                    "Is there anything else you would like us to know?",
                ),
                {"settings": {"max_length": 2000}},
            ),
        ],
    },
]
