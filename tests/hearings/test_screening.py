"""Screening hearing comments: personal data, links, repeats and bursts decide whether a comment is held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.hearings.screening import (
    Finding,
    hold_reasons,
    is_burst,
    is_repeat,
    normalise,
    screen_text,
)
from civic.registry.synthetic import fnr_is_valid

# Checksum-valid identity numbers (check digits computed with civic.registry.synthetic's mod-11 routine).
FNR = "15037545632"  # 15.03.1975
D_NUMBER = "41019012393"  # day + 40: 01.01.1990
TENOR = "01819012365"  # month + 80: Tenor's synthetic test numbers
IMPOSSIBLE_DATE = "99139912337"  # checksum valid, but day 99 / month 13 under every convention
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, text[finding.start : finding.end]) for finding in screen_text(text)]


def test_fixture_numbers_have_the_expected_checksums() -> None:
    assert all(fnr_is_valid(n) for n in (FNR, D_NUMBER, TENOR, IMPOSSIBLE_DATE))
    assert not fnr_is_valid(FNR[:-1] + "3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Mitt fødselsnummer er {FNR}, ring meg.", [("national_id", FNR)]),
        ("Fnr: 150375 45632.", [("national_id", "150375 45632")]),
        (f"D-nummer {D_NUMBER}", [("national_id", D_NUMBER)]),
        (f"Testperson {TENOR}", [("national_id", TENOR)]),
    ],
)
def test_valid_national_ids_are_found(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"Saksnummer {FNR[:-1]}3 gjelder parkering.",  # wrong check digit
        f"Referanse {IMPOSSIBLE_DATE}",
        f"Kode 9{FNR}",  # part of a longer number
        "150375  45632",  # two spaces: not how the number is written
    ],
)
def test_other_11_digit_numbers_are_not_national_ids(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Ring 22 33 44 55 hvis dere lurer.", "22 33 44 55"),
        ("Send SMS til +47 912 34 567.", "+47 912 34 567"),
        ("mobil 91234567", "91234567"),
        ("Nabolaget kan nås på 912 34 567", "912 34 567"),
        ("tlf:41234567!", "41234567"),
    ],
)
def test_norwegian_phone_numbers_are_found(text: str, number: str) -> None:
    assert found(text) == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Bussen går 0730 og 0800 fra Linderud.",
        "Det er stille etter kl. 1800.",
        "Beboerkortet koster 3 600 kr, altså 12 500 000 kr for hele bydelen.",
        "Fra 2019 til 2024 økte trafikken med 15 %.",
        "Postnummer 0585 Oslo.",
        "Kontonummer 1234.56.78903",
    ],
)
def test_times_prices_years_and_postcodes_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Skriv til ola.nordmann@example.no om dette.", "ola.nordmann@example.no"),
        ("Kontakt bjørn.ærlig-åsen@firma.no!", "bjørn.ærlig-åsen@firma.no"),
        ("postmottak@bjerke.oslo.kommune.no", "postmottak@bjerke.oslo.kommune.no"),
        ("kari+hoering@example.com.", "kari+hoering@example.com"),
    ],
)
def test_email_addresses_are_found_without_a_separate_link(text: str, address: str) -> None:
    assert found(text) == [("email", address)]


@pytest.mark.parametrize("text", ["Vi møtes @ Linderud senter", "ola@localhost", "a@b.c", "@bydelbjerke på Instagram"])
def test_at_signs_that_are_not_addresses(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (
            "Les mer på https://www.oslo.kommune.no/parkering/boligsone/ før fristen",
            "https://www.oslo.kommune.no/parkering/boligsone/",
        ),
        ("se www.oslo.kommune.no/parkering", "www.oslo.kommune.no/parkering"),
        ("se www.oslo.kommune.no/parkering.", "www.oslo.kommune.no/parkering"),
        ("Som (vg.no) skrev i går", "vg.no"),
        ("Underskriftskampanje på minsak.no/sak/123?ref=fb", "minsak.no/sak/123?ref=fb"),
        ("bjerke-vel.org har mer", "bjerke-vel.org"),
        ("Se OSLO.KOMMUNE.NO", "OSLO.KOMMUNE.NO"),
        ("http://example.net/a,b", "http://example.net/a,b"),
        ("Kartet på bjerke.github.io-siden", None),  # "io-siden" continues the word: no link
        ("Kartet på bjerke.github.io", "bjerke.github.io"),
    ],
)
def test_links_are_found(text: str, link: str | None) -> None:
    assert found(text) == ([("link", link)] if link else [])


@pytest.mark.parametrize(
    "text",
    [
        "Møtet er kl. 14.30 på Veitvet.",
        "Bussen går kl.10 og ca.5 minutter senere.",
        "Ca. 5 biler, dvs. altfor mange, f.eks. i Refstadveien.",
        "Jeg bor i bydelen.No mer parkering på fortauet!",
        "Se side 3.no er ikke et domene.",
        "Gebyret er 1.5 mill. kr.",
        "Dette gjelder bl.a. Årvollveien osv.",
    ],
)
def test_abbreviations_times_and_numbers_are_not_links(text: str) -> None:
    assert [kind for kind, _ in found(text)] == []


def test_findings_are_sorted_and_do_not_overlap() -> None:
    text = f"Ring 91234567 eller se https://example.no/91234567, e-post ola@example.no, fnr {FNR}"
    assert found(text) == [
        ("phone", "91234567"),
        ("link", "https://example.no/91234567"),
        ("email", "ola@example.no"),
        ("national_id", FNR),
    ]
    assert all(isinstance(f, Finding) for f in screen_text(text))


def test_ordinary_comment_has_no_findings() -> None:
    text = (
        "Jeg støtter forslaget, men sone B2 bør utvides til hele Årvollveien. Det er 40 plasser og "
        "ca. 120 biler etter kl. 17. Prisen på 3 600 kr er grei."
    )
    assert screen_text(text) == []


def test_normalise_folds_case_punctuation_and_space() -> None:
    assert normalise("  Nei TIL   bom-ring!!!\n") == "nei til bom ring"
    assert normalise("Straße") == "strasse"


@pytest.mark.parametrize(
    ("text", "earlier", "repeat"),
    [
        ("Nei til boligsoneparkering!", ["NEI TIL BOLIGSONEPARKERING"], True),
        ("Enig.", ["enig"], True),  # identical after normalising, whatever the length
        ("Enig", ["Uenig"], False),  # short texts are compared only for identity
        (
            "Jeg er sterkt imot at Årvollveien blir en del av sone B2.",
            ["Jeg er sterkt imot at Årvollveien blir del av sone B2."],
            True,
        ),
        (
            "Jeg er sterkt imot at Årvollveien blir en del av sone B2.",
            ["Jeg er for at Refstadveien blir en del av sone B1, det trengs."],
            False,
        ),
        ("Nei til boligsoneparkering!", [], False),
        ("!!!", ["???"], False),  # nothing left to compare
    ],
)
def test_is_repeat(text: str, earlier: list[str], repeat: bool) -> None:
    assert is_repeat(text, earlier) is repeat


def test_is_repeat_is_fast_for_long_different_texts() -> None:
    long_text = "Parkering i Bydel Bjerke er et problem for oss som bor her. " * 80
    others = [f"Innspill nummer {n}: " + "trafikk og støy langs Trondheimsveien " * 100 for n in range(20)]
    assert not is_repeat(long_text, others)


@pytest.mark.parametrize(
    ("minutes_ago", "burst"),
    [
        ([0.1, 0.5, 1, 1.5, 1.9], True),  # five earlier posts within two minutes: the sixth is held
        ([0.1, 0.5, 1, 1.5], False),
        ([0.1, 0.5, 1, 1.5, 2], False),  # exactly two minutes ago is outside the window
        ([3, 4, 5, 6, 7, 8], False),
        ([-0.5, 0.1, 0.5, 1, 1.5], True),  # a slightly future time (clock skew) still counts
    ],
)
def test_is_burst(minutes_ago: list[float], burst: bool) -> None:
    times = [NOW - timedelta(minutes=m) for m in minutes_ago]
    assert is_burst(times, NOW) is burst


def test_is_burst_limit_and_window_are_parameters() -> None:
    times = [NOW - timedelta(seconds=s) for s in (10, 20)]
    assert is_burst(times, NOW, limit=2)
    assert not is_burst(times, NOW, limit=2, window=timedelta(seconds=15))


def test_hold_reasons_for_a_clean_comment_are_empty() -> None:
    earlier_today = [NOW - timedelta(hours=1)]
    assert hold_reasons("Bra forslag, men tenk på syklistene.", ["Noe helt annet."], earlier_today, NOW) == []


def test_hold_reasons_are_all_given_in_stable_order() -> None:
    text = f"Se https://minsak.no/sak/1 og ring 22 33 44 55, fnr {FNR}"
    times = [NOW - timedelta(seconds=s) for s in (5, 15, 25, 35, 45)]
    assert hold_reasons(text, [text], times, NOW) == ["personal_data", "link", "repeat", "burst"]


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("Skriv til meg på kari@example.no", ["personal_data"]),
        (f"Naboen har fnr {FNR}", ["personal_data"]),
        ("Se www.oslo.kommune.no/parkering", ["link"]),
    ],
)
def test_hold_reasons_per_finding_kind(text: str, reasons: list[str]) -> None:
    assert hold_reasons(text, [], [], NOW) == reasons
