"""Stop words for the six languages and the simple language detector (analysis.topics, no model)."""

from __future__ import annotations

import warnings

import pytest

from analysis.topics import LANGUAGES, STOP_WORDS, detect_languages, stop_words_for
from analysis.topics.languages import text_languages
from analysis.topics.stopwords import TOKEN_PATTERN, tokens

# Written for this test (not the sentences the marker lists were tuned on): the same everyday hearing comments in
# each language, so the detector has to tell close languages apart by their own words.
SENTENCES = {
    "nb": [
        "Vi ønsker oss en lekeplass i parken ved skolen.",
        "Hvorfor må vi vente så lenge på at veien blir reparert?",
        "Jeg synes det er bra at kommunen bygger flere sykkelveier.",
        "Det burde vært flere benker langs elva.",
        "Prisen for å parkere har økt mye de siste årene.",
    ],
    "nn": [
        "Vi ønskjer oss ein leikeplass i parken ved skulen.",
        "Kvifor må vi vente så lenge på at vegen blir reparert?",
        "Eg synest det er bra at kommunen byggjer fleire sykkelvegar.",
        "Det burde vore fleire benkar langs elva.",
        "Prisen for å parkere har auka mykje dei siste åra.",
    ],
    "da": [
        "Vi ønsker os en legeplads i parken ved skolen.",
        "Hvorfor skal vi vente så længe på at vejen bliver repareret?",
        "Jeg synes det er godt at kommunen bygger flere cykelstier.",
        "Hvad med lys på stien om aftenen?",
        "Prisen for at parkere er steget meget de seneste år.",
    ],
    "sv": [
        "Vi önskar oss en lekplats i parken vid skolan.",
        "Varför måste vi vänta så länge på att vägen blir lagad?",
        "Jag tycker att det är bra att kommunen bygger fler cykelvägar.",
        "Det borde finnas fler bänkar längs ån.",
        "Priset för att parkera har ökat mycket de senaste åren.",
    ],
    "de": [
        "Wir wünschen uns einen Spielplatz im Park bei der Schule.",
        "Warum müssen wir so lange warten, bis die Straße repariert wird?",
        "Ich finde es gut, dass die Gemeinde mehr Radwege baut.",
        "Es sollte mehr Bänke am Fluss geben.",
        "Der Preis fürs Parken ist in den letzten Jahren stark gestiegen.",
    ],
    "en": [
        "We would like a playground in the park by the school.",
        "Why do we have to wait so long for the road to be repaired?",
        "I think it is good that the council is building more cycle lanes.",
        "There should be more benches along the river.",
        "The price of parking has risen a lot in recent years.",
    ],
}


def test_stop_words_for_all_six_languages():
    assert set(STOP_WORDS) == set(LANGUAGES) == {"nb", "nn", "da", "sv", "de", "en"}
    samples = {
        "nb": {"ikke", "og", "jeg", "bør", "synes", "hva"},
        "nn": {"ikkje", "eg", "kva", "korleis", "noko", "mykje", "berre", "òg"},
        "da": {"ikke", "af", "hvad", "meget", "noget", "synes"},
        "sv": {"och", "att", "inte", "är", "bör", "tycker"},
        "de": {"und", "nicht", "ist", "der", "die", "sollte"},
        "en": {"the", "and", "should", "would", "not"},
    }
    for language, words in samples.items():
        assert len(STOP_WORDS[language]) >= 150, language
        assert words <= STOP_WORDS[language], (language, words - STOP_WORDS[language])
    # content words of hearing comments are not stop words
    for word in ("parkering", "skole", "skule", "parken", "housing", "tax", "verkehr"):
        assert all(word not in STOP_WORDS[language] for language in LANGUAGES), word


def test_stop_words_are_tokens_the_vectorizer_produces():
    from sklearn.feature_extraction.text import CountVectorizer

    union = stop_words_for(None)
    assert union == frozenset().union(*STOP_WORDS.values())
    for word in union:
        assert tokens(word) == [word], word
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn warns when stop words and tokenizer disagree
        CountVectorizer(token_pattern=TOKEN_PATTERN, stop_words=sorted(union)).fit(["ein test av ordet parkering"])


def test_tokens_drop_numbers_and_single_letters_but_keep_words_with_digits():
    assert tokens("Ca. 400 000 kr for E6 og CO2-avgift i 2024, æøå!") == [
        "ca",
        "kr",
        "for",
        "e6",
        "og",
        "co2",
        "avgift",
        "æøå",
    ]


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_detect_languages_tells_the_six_apart(language):
    shares = detect_languages(SENTENCES[language])
    assert set(shares) == {*LANGUAGES, "unknown"}
    assert shares[language] >= 0.8, shares
    assert abs(sum(shares.values()) - 1.0) < 1e-3
    hits = [text for text in SENTENCES[language] if text_languages(text).get(language) == 1.0]
    assert len(hits) >= 4, [(text, text_languages(text)) for text in SENTENCES[language]]


def test_nynorsk_bokmal_and_danish_distinguishing_words():
    assert text_languages("Eg meiner det er ikkje nok plass.") == {"nn": 1.0}
    assert text_languages("Jeg mener det er ikke nok plass.") == {"nb": 1.0}
    assert text_languages("Jeg mener, at der ikke er nok plads.") == {"da": 1.0}


def test_detect_languages_unknown_and_empty():
    assert detect_languages([]) == dict.fromkeys((*LANGUAGES, "unknown"), 0.0)
    shares = detect_languages(["123 456", "???", "", "   ", "Parkering!"])
    assert shares["unknown"] == 1.0  # the empty ones are not counted at all
    mixed = detect_languages(SENTENCES["nb"] + SENTENCES["en"])
    assert mixed["nb"] >= 0.4
    assert mixed["en"] == 0.5
