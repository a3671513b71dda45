"""Compose realistic free-text answers from topic templates, local place names and human noise."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from civic.demo.free_text_nb import CLOSERS_NB, OPENERS_NB, SHORT_NB, TOPICS_NB
from civic.demo.free_text_other import (
    CLOSERS_EN,
    CLOSERS_NN,
    OPENERS_EN,
    OPENERS_NN,
    SHORT_EN,
    SHORT_NN,
    TOPICS_EN,
    TOPICS_NN,
)

TOPICS = tuple(TOPICS_NB)
DISTRICTS = ("Årvoll", "Tonsenhagen", "Veitvet", "Risløkka", "Linderud", "Økern")

STREETS: dict[str, tuple[str, ...]] = {
    "Årvoll": ("Årvollveien", "Årvollåsen", "Refstadveien", "Bjerkealleen"),
    "Tonsenhagen": ("Tonsenveien", "Kaldbakkveien", "Sletteløkka", "Tonsenhagenveien"),
    "Veitvet": ("Veitvetveien", "Veitvetsvingen", "Statsråd Mathiesens vei"),
    "Risløkka": ("Risløkkveien", "Trondheimsveien", "Kaldbakkveien"),
    "Linderud": ("Linderudsletta", "Linderudkollen", "Statsråd Mathiesens vei"),
    "Økern": ("Økernveien", "Trondheimsveien", "Refstadveien"),
}
ALL_STREETS = tuple(sorted({s for streets in STREETS.values() for s in streets}))
SCHOOLS = {
    "Årvoll": "Årvoll skole",
    "Tonsenhagen": "Tonsenhagen skole",
    "Veitvet": "Veitvet skole",
    "Risløkka": "Risløkka skole",
    "Linderud": "Linderud skole",
    "Økern": "Refstad skole",
}
STATIONS = {
    "Årvoll": "Vollebekk",
    "Tonsenhagen": "Risløkka",
    "Veitvet": "Veitvet",
    "Risløkka": "Risløkka",
    "Linderud": "Linderud",
    "Økern": "Økern",
}
BUSES = ("25-bussen", "31-bussen", "66-bussen", "bussen til Linderud", "nattbussen", "60-bussen")
TIMES = ("halv åtte om morgenen", "sju-tiden", "kl 7", "tidlig morgen", "åtte om morgenen", "kl. 06.30")
KIDS = ("Datteren min", "Jenta vår", "Datteren vår på 8", "Lillesøsteren min", "Jenta mi på 9 år")
MAX_LENGTH = 2000


@dataclass
class TextProfile:
    """What shapes one resident's comment: language, where they live, what they care about."""

    locale: str
    district: str
    street: str
    topic_weights: dict[str, float] = field(default_factory=dict)


def compose(rng: random.Random, profile: TextProfile, *, short_share: float = 0.08) -> str:
    """Return one resident's comment: a short "nothing more" or one to four sentences on their topics."""
    topics, openers, closers, shorts = _language(profile.locale)
    if rng.random() < short_share:
        return rng.choice(shorts)
    names = list(TOPICS)
    weights = [profile.topic_weights.get(name, 1.0) for name in names]
    main = rng.choices(names, weights)[0]
    sentences = rng.sample(topics[main], k=2 if rng.random() < 0.4 and len(topics[main]) > 1 else 1)
    if rng.random() < 0.3:
        second = rng.choices(names, weights)[0]
        if second != main:
            sentences.append(rng.choice(topics[second]))
    if rng.random() < 0.25:
        sentences.insert(0, rng.choice(openers))
    if rng.random() < 0.22:
        sentences.append(rng.choice(closers))
    slots = _slots(rng, profile)
    text = " ".join(_capitalise(_fill(s, slots)) for s in sentences)
    return _noise(rng, text)[:MAX_LENGTH]


def street_answer(rng: random.Random, street: str) -> str:
    """Return the street as a resident would type it (case, abbreviations, the odd house number)."""
    roll = rng.random()
    if roll < 0.12:
        return street.lower()
    if roll < 0.2 and street.endswith("veien"):
        return street.removesuffix("veien") + rng.choice(("vn.", "vn", "v."))
    if roll < 0.26:
        return f"{street} {rng.randint(1, 120)}"
    if roll < 0.29:
        return street.replace("å", "aa").replace("Å", "Aa").replace("ø", "o").replace("Ø", "O")
    return street


def other_charging_text(rng: random.Random, has_ev: bool) -> str:
    """Return an "other, please specify" text for the charging question."""
    if not has_ev:
        return rng.choice(
            (
                "Planlegger å kjøpe elbil neste år",
                "Har hybrid",
                "Vurderer elbil, men usikker på lading",
                "Hydrogen",
                "Har ikke elbil ennå",
                "vi skal kjøpe elbil til høsten",
            )
        )
    return rng.choice(
        (
            "På jobben",
            "Hos svigermor",
            "På jobb i Nydalen",
            "Ved kjøpesenteret på Linderud",
            "Circle K på Økern",
            "Med skjøteledning fra vinduet",
            "På hytta i helgene",
            "hos naboen",
            "Ladestasjon ved Storo",
            "Varierer, der det er ledig",
            "IKEA Furuset",
        )
    )


def _language(locale: str) -> tuple[dict[str, list[str]], list[str], list[str], list[str]]:
    if locale == "nn":
        return TOPICS_NN, OPENERS_NN, CLOSERS_NN, SHORT_NN
    if locale == "en":
        return TOPICS_EN, OPENERS_EN, CLOSERS_EN, SHORT_EN
    return TOPICS_NB, OPENERS_NB, CLOSERS_NB, SHORT_NB


def _slots(rng: random.Random, profile: TextProfile) -> dict[str, str]:
    # Most residents write about their own street and area; some about where they pass every day.
    district = profile.district if rng.random() < 0.8 else rng.choice(DISTRICTS)
    street = profile.street if rng.random() < 0.7 else rng.choice(ALL_STREETS)
    street2 = rng.choice([s for s in ALL_STREETS if s != street])
    in_place = rng.choice((f"på {district}", f"på {district}", f"her på {district}", "i bydelen", "i Bjerke"))
    return {
        "street": street,
        "street2": street2,
        "place": district,
        "in_place": in_place,
        "school": SCHOOLS[district],
        "station": STATIONS[district],
        "time": rng.choice(TIMES),
        "n": str(rng.randint(2, 12)),
        "kr": str(rng.choice((500, 1000, 1200, 1500, 2000, 2500, 3000, 3600))),
        "bus": rng.choice(BUSES),
        "kid": rng.choice(KIDS),
        "years": str(rng.randint(2, 40)),
    }


def _fill(template: str, slots: dict[str, str]) -> str:
    # "cars cut through Trondheimsveien to avoid Trondheimsveien" would give the generator away.
    if slots["street"] in template:
        slots = {**slots, "street": slots["street2"]}
    return template.format(**slots)


def _capitalise(sentence: str) -> str:
    # Slots such as "bussen til Linderud" may start a sentence inside a template.
    sentence = re.sub(r"([.!?] )(\w)", lambda m: m.group(1) + m.group(2).upper(), sentence)
    return sentence[:1].upper() + sentence[1:]


def _noise(rng: random.Random, text: str) -> str:
    """Add the typos and informal touches real answers have."""
    if rng.random() < 0.15:
        text = _typo(rng, text)
    if rng.random() < 0.06:
        text = _typo(rng, text)
    roll = rng.random()
    if roll < 0.07:
        text = text.lower()
    elif roll < 0.1:
        text = text.replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    if rng.random() < 0.08:
        text = text.rstrip(".")
    if rng.random() < 0.05:
        text = text.rstrip(".") + rng.choice(("!!", "!!!", " :)", "..", " ."))
    if rng.random() < 0.04:
        text = text.replace(". ", ".  ", 1)
    return text


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    elif kind < 0.7:
        word = word[:j] + word[j + 1 :]
    else:
        word = word[:j] + word[j] + word[j:]
    words[i] = word
    return " ".join(words)
