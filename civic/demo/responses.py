"""Generate synthetic residents and their answers, correlated with who they are (deterministic)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from civic.demo import free_text
from civic.demo.free_text import DISTRICTS, STREETS, TextProfile

AGE_BANDS = ("16-29", "30-44", "45-66", "67+")
HOUSEHOLDS = ("single", "couple", "family_with_children", "shared")
AGE_WEIGHTS = (0.18, 0.34, 0.30, 0.18)
DISTRICT_WEIGHTS = (0.2, 0.16, 0.14, 0.16, 0.16, 0.18)
HOUSEHOLD_BY_AGE = {
    "16-29": (0.45, 0.2, 0.05, 0.3),
    "30-44": (0.2, 0.25, 0.5, 0.05),
    "45-66": (0.25, 0.35, 0.35, 0.05),
    "67+": (0.45, 0.5, 0.03, 0.02),
}
CAR_SHARE = {"single": 0.45, "couple": 0.65, "family_with_children": 0.78, "shared": 0.28}
# How hard parking is, by area (1 = very difficult, 5 = very easy): commuters press Økern and Risløkka.
PARKING_EASE = {
    "Økern": 1.9,
    "Risløkka": 2.2,
    "Årvoll": 2.6,
    "Tonsenhagen": 3.2,
    "Linderud": 3.0,
    "Veitvet": 3.4,
}
# Problem spots residents mark on the map (lat, lon), and the districts that mark them most.
HOT_SPOTS = (
    ((59.9315, 10.8070), ("Økern",), ("Ved Økern T-bane", "Økernveien ved senteret", "pendlerparkering")),
    ((59.9345, 10.8195), ("Risløkka", "Tonsenhagen"), ("Risløkkakrysset", "Trondheimsveien", "ved T-banen")),
    ((59.9465, 10.8080), ("Årvoll",), ("Utenfor Årvoll skole", "Årvollveien", "gangfeltet ved skolen")),
    ((59.9425, 10.8250), ("Tonsenhagen",), ("Tonsenveien", "Bussholdeplassen", "bakken ned mot skolen")),
    ((59.9400, 10.8370), ("Linderud", "Veitvet"), ("Linderud senter", "Linderudsletta", "innkjøringen")),
    ((59.9370, 10.8000), ("Økern", "Årvoll"), ("Refstadveien", "Krysset ved Refstad skole", "smal vei")),
)
LAT_RANGE = (59.930, 59.950)
LON_RANGE = (10.790, 10.840)
RESERVED_KEYS = ("trades", "home_care", "visitors", "car_sharing", "charging", "deliveries", "disabled")
WINTER_KEYS = ("blocked_plough", "snowbanks", "icy_pavements", "late_clearing", "bus_stops")
PRIORITY_KEYS = ("resident_parking", "school_route", "charging", "snow", "car_free", "bike_parking")
SEED = 2026


@dataclass
class Resident:
    """One synthetic respondent's segments and circumstances."""

    age_band: str
    district: str
    household_type: str
    locale: str
    car: str  # yes / no / sharing
    cars: int
    has_ev: bool
    street: str

    @property
    def family(self) -> bool:
        return self.household_type == "family_with_children"

    @property
    def senior(self) -> bool:
        return self.age_band == "67+"

    @property
    def young(self) -> bool:
        return self.age_band == "16-29"


@dataclass
class GeneratedResponse:
    """A response as plain data: segments, timestamps and answers by question slug."""

    resident: Resident
    state: str
    started_at: datetime
    submitted_at: datetime | None
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)


def generate(
    *, now: datetime, opens_at: datetime, submitted: int = 1100, drafts: int = 60, seed: int = SEED
) -> list[GeneratedResponse]:
    """Return ``submitted`` submitted responses over [opens_at, now] and ``drafts`` unfinished ones."""
    rng = random.Random(seed)
    # Times come from their own stream: how many draws they take depends on the clock, and the residents
    # and their answers must not (seeding at 9 or at 17 gives the same data).
    clock = random.Random(seed + 7)
    result = []
    for _ in range(submitted):
        resident = make_resident(rng)
        submitted_at = _submission_time(clock, opens_at, now)
        started_at = max(opens_at, submitted_at - timedelta(seconds=clock.randint(150, 1500)))
        result.append(
            GeneratedResponse(resident, "submitted", started_at, submitted_at, _answers(rng, resident, now))
        )
    for _ in range(drafts):
        resident = make_resident(rng)
        started_at = now - timedelta(seconds=rng.randint(600, 3 * 86400))
        first_page = {k: v for k, v in _answers(rng, resident, now).items() if k in _FIRST_SECTION}
        result.append(GeneratedResponse(resident, "draft", started_at, None, first_page))
    return result


_FIRST_SECTION = frozenset({"has_car", "car_count", "street", "moved_in"})


def make_resident(rng: random.Random) -> Resident:
    """Sample one resident's segments and circumstances."""
    age = rng.choices(AGE_BANDS, AGE_WEIGHTS)[0]
    district = rng.choices(DISTRICTS, DISTRICT_WEIGHTS)[0]
    household = rng.choices(HOUSEHOLDS, HOUSEHOLD_BY_AGE[age])[0]
    p_car = (
        CAR_SHARE[household] + {"16-29": -0.1, "67+": 0.05}.get(age, 0) - (0.1 if district == "Økern" else 0)
    )
    car = "yes" if rng.random() < p_car else ("sharing" if rng.random() < 0.12 else "no")
    cars = 0
    if car == "yes":
        two = {"family_with_children": 0.35, "couple": 0.2}.get(household, 0.05)
        cars = 3 if rng.random() < 0.03 else (2 if rng.random() < two else 1)
    locale = rng.choices(("nb", "nn", "en"), (0.88, 0.06, 0.06))[0]
    return Resident(
        age_band=age,
        district=district,
        household_type=household,
        locale=locale,
        car=car,
        cars=cars,
        has_ev=car == "yes" and rng.random() < (0.35 if age == "67+" else 0.5),
        street=rng.choice(STREETS[district]),
    )


def _submission_time(rng: random.Random, opens_at: datetime, now: datetime) -> datetime:
    """Sample a time with evening peaks, a launch-day rush and a bump after the reminder on day 5."""
    span = (now - opens_at).total_seconds()
    while True:
        t = opens_at + timedelta(seconds=rng.uniform(60, span - 60))
        day = (t - opens_at).days
        hour = (t.astimezone(UTC).hour + 1) % 24  # roughly Oslo time; the shape matters, not the offset
        day_weight = 2.0 if day == 0 else (1.8 if day == 5 else 1.0 / (1 + 0.08 * day))
        hour_weight = (
            0.08 if hour < 6 else (1.6 if 19 <= hour <= 22 else (1.2 if hour in (7, 8, 12) else 0.8))
        )
        if rng.random() < day_weight * hour_weight / 4.0:
            return t


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _scale(rng: random.Random, mean: float) -> int:
    return int(_clamp(round(rng.gauss(mean, 1.0)), 1, 5))


def _answers(rng: random.Random, r: Resident, now: datetime) -> dict[str, dict[str, Any]]:
    a: dict[str, dict[str, Any]] = {"has_car": {"choice_keys": [r.car]}}
    if r.car == "yes":
        a["car_count"] = {"number": float(r.cars)}
    if rng.random() < 0.85:
        a["street"] = {"text": free_text.street_answer(rng, r.street)}
    if rng.random() < 0.8:
        a["moved_in"] = {"date_value": _moved_in(rng, r, now)}
    ease = _scale(rng, PARKING_EASE[r.district] - (0.2 if r.car == "yes" else 0))
    a["parking_ease"] = {"number": float(ease)}
    resident_parking = _resident_parking(rng, r, ease)
    a["resident_parking"] = {"choice_keys": [resident_parking]}
    if r.car == "yes" and rng.random() < 0.85:
        a["annual_fee"] = {"number": _fee(rng, r, resident_parking)}
    a["reserved_for"] = {"choice_keys": _reserved(rng, r)}
    if r.car == "yes" and rng.random() < 0.9:
        a["charging"] = _charging(rng, r)
    if rng.random() < (0.97 if r.family else 0.8):
        mean = (
            3.1
            - (0.5 if r.family else 0)
            + {"Risløkka": -0.4, "Økern": -0.4, "Tonsenhagen": 0.2}.get(r.district, 0)
        )
        a["school_route"] = {"number": float(_scale(rng, mean))}
    if rng.random() < 0.9:
        a["car_free"] = {"choice_keys": [_car_free(rng, r)]}
    if rng.random() < 0.88:
        a["winter"] = {"choice_keys": _winter(rng, r)}
    if rng.random() < 0.62:
        a["problem_spot"] = _map_point(rng, r)
    priorities = _ranking(rng, _priority_weights(r))
    a["priorities"] = {"choice_keys": priorities}
    if rng.random() < 0.97:
        profile = TextProfile(r.locale, r.district, r.street, _topic_weights(r, priorities[0]))
        a["comments"] = {"text": free_text.compose(rng, profile)}
    return a


def _moved_in(rng: random.Random, r: Resident, now: datetime) -> date:
    max_years = {"16-29": 10, "30-44": 18, "45-66": 35, "67+": 55}[r.age_band]
    days = int(rng.uniform(0.05, 1) ** 1.3 * max_years * 365)
    return max(date(1940, 1, 1), (now - timedelta(days=days + 20)).date())


def _resident_parking(rng: random.Random, r: Resident, ease: int) -> str:
    p_yes = 0.36 + (3 - ease) * 0.12 + (0.05 if r.car == "yes" else 0) - (0.1 if r.senior else 0)
    p_no = 0.32 - (3 - ease) * 0.05 + (0.1 if r.cars >= 2 else 0) - (0.1 if r.car != "yes" else 0)
    p_yes, p_no = _clamp(p_yes, 0.05, 0.9), _clamp(p_no, 0.05, 0.8)
    roll = rng.random()
    if roll < p_yes:
        return "yes"
    return "no" if roll < p_yes + p_no else "unsure"


def _fee(rng: random.Random, r: Resident, stance: str) -> float:
    if stance == "no":
        fee = 0 if rng.random() < 0.45 else rng.uniform(200, 900)
    elif stance == "unsure":
        fee = rng.uniform(500, 2200)
    else:
        fee = rng.lognormvariate(math.log(2300), 0.35)
    if r.senior:
        fee *= 0.7
    step = 500 if rng.random() < 0.4 else 100
    return float(min(10000, round(fee / step) * step))


def _weighted_sample(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    # Efraimidis–Spirakis: keys u**(1/w) give a weighted sample without replacement.
    keyed = sorted(weights, key=lambda key: rng.random() ** (1.0 / weights[key]), reverse=True)
    return keyed[:k]


def _reserved(rng: random.Random, r: Resident) -> list[str]:
    w = dict.fromkeys(RESERVED_KEYS, 1.0)
    w["trades"] = 1.6
    if r.senior:
        w["home_care"] *= 3
        w["disabled"] *= 2
    if r.family:
        w["visitors"] *= 1.5
    if r.has_ev:
        w["charging"] *= 3
    if r.car != "yes":
        w["car_sharing"] *= 2.5
        w["deliveries"] *= 1.5
    return _weighted_sample(rng, w, rng.choices((1, 2, 3), (0.3, 0.4, 0.3))[0])


def _charging(rng: random.Random, r: Resident) -> dict[str, Any]:
    if not r.has_ev:
        if rng.random() < 0.9:
            return {"choice_keys": ["no_ev"]}
        return {"choice_keys": ["other"], "text": free_text.other_charging_text(rng, False)}
    villa = r.district in ("Årvoll", "Tonsenhagen")
    weights = {
        "home": 0.45 if villa else 0.2,
        "housing_coop": 0.15 if villa else 0.35,
        "street": 0.2,
        "fast": 0.12,
        "other": 0.08,
    }
    key = rng.choices(list(weights), list(weights.values()))[0]
    if key == "other":
        return {"choice_keys": ["other"], "text": free_text.other_charging_text(rng, True)}
    return {"choice_keys": [key]}


def _car_free(rng: random.Random, r: Resident) -> str:
    p_yes = 0.4 + (0.2 if r.young else 0) + (0.15 if r.family else 0) - (0.2 if r.senior else 0)
    p_yes += -0.1 if r.car == "yes" else 0.1
    roll = rng.random()
    if roll < p_yes:
        return "yes"
    return "no" if roll < p_yes + (1 - p_yes) * 0.6 else "unsure"


def _winter(rng: random.Random, r: Resident) -> list[str]:
    if rng.random() < (0.03 if r.senior else 0.08):
        return ["none"]
    w = dict.fromkeys(WINTER_KEYS, 1.0)
    if r.senior:
        w["icy_pavements"] *= 3
        w["bus_stops"] *= 2
    if r.car == "yes":
        w["blocked_plough"] *= 2
        w["snowbanks"] *= 2
    return _weighted_sample(rng, w, rng.choices((1, 2, 3), (0.35, 0.4, 0.25))[0])


def _map_point(rng: random.Random, r: Resident) -> dict[str, Any]:
    if rng.random() < 0.12:
        return {"lat": round(rng.uniform(*LAT_RANGE), 6), "lon": round(rng.uniform(*LON_RANGE), 6)}
    weights = [4.0 if r.district in districts else 1.0 for _spot, districts, _notes in HOT_SPOTS]
    (lat, lon), _districts, notes = rng.choices(HOT_SPOTS, weights)[0]
    point: dict[str, Any] = {
        "lat": round(_clamp(rng.gauss(lat, 0.0012), *LAT_RANGE), 6),
        "lon": round(_clamp(rng.gauss(lon, 0.002), *LON_RANGE), 6),
    }
    if rng.random() < 0.3:  # some residents name the place as well
        point["text"] = rng.choice(notes)
    return point


def _priority_weights(r: Resident) -> dict[str, float]:
    w = dict.fromkeys(PRIORITY_KEYS, 1.0)
    if r.car == "yes":
        w["resident_parking"] *= 2.5
    else:
        w["resident_parking"] *= 0.6
        w["car_free"] *= 2
        w["bike_parking"] *= 2
    if r.district in ("Økern", "Risløkka"):
        w["resident_parking"] *= 1.5
    if r.has_ev:
        w["charging"] *= 3
    if r.family:
        w["school_route"] *= 3.5
    if r.senior:
        w["snow"] *= 3.5
    if r.young:
        w["car_free"] *= 2.5
        w["bike_parking"] *= 2.5
    return w


def _ranking(rng: random.Random, weights: dict[str, float]) -> list[str]:
    """Return a full order (Plackett–Luce via the Gumbel trick)."""
    return sorted(
        weights, key=lambda k: math.log(weights[k]) - math.log(-math.log(rng.random() or 1e-12)), reverse=True
    )


def _topic_weights(r: Resident, top_priority: str) -> dict[str, float]:
    w = dict.fromkeys(free_text.TOPICS, 1.0)
    if r.district in ("Økern", "Risløkka"):
        w["commuters"] *= 3
        w["through_traffic"] *= 2
    if r.car == "yes":
        w["commuters"] *= 1.5
        w["resident_fee"] *= 2
        w["snow"] *= 1.3
    else:
        w["car_free"] *= 2
        w["transit"] *= 2.5
    if r.has_ev:
        w["charging"] *= 4
    if r.family:
        w["school_route"] *= 4
    if r.senior:
        w["snow"] *= 3.5
        w["trades_care"] *= 3
    if r.young:
        w["bikes"] *= 2.5
        w["car_free"] *= 2
        w["transit"] *= 1.5
    topic_of_priority = {
        "resident_parking": "resident_fee",
        "school_route": "school_route",
        "charging": "charging",
        "snow": "snow",
        "car_free": "car_free",
        "bike_parking": "bikes",
    }
    w[topic_of_priority[top_priority]] *= 2
    return w
