"""Which of nb, nn, da, sv, de, en a set of comments is written in: simple and explainable, no model.

Each language has a short list of frequent words (function words, chosen so that close languages differ: bokmål
"ikke/hva/noe/mye", nynorsk "ikkje/kva/noko/mykje", Danish "af/hvad/noget/meget", Swedish "och/att/är/inte").
A word found in several lists counts 1/(number of lists) for each of them, so "og" (nb, nn, da) weighs 1/3 and "ikkje"
(nn only) weighs 1. A text goes to the language with the highest score when that score reaches ``MIN_SCORE``, shared
equally on a tie; otherwise it is "unknown" (too short, or another language). Used to pick stop-word lists and to warn
when the chosen embedder does not cover the texts' language — not to make any claim about a single comment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from analysis.topics.stopwords import LANGUAGES, tokens

MIN_SCORE = 1.0

_MARKERS: dict[str, str] = {
    "nb": """og ikke jeg vi det er til på med den de en et har kan skal vil om for som så men eller også av fra etter
        mellom gjennom uten hva hvorfor hvordan hvem hvis hvor noe noen mye mer ble blir bli vært være hun bare seg
        oss vår våre nå kanskje alltid aldri tilbake ut opp enn sånn slik egen eget kommer bør må dem deres hennes
        sine sitt sin dette disse veldig mange flere ingen får gjør synes tror mener bedre dårlig fremdeles fortsatt
        derfor selv hele""",
    "nn": """og ikkje eg vi me det er til på med den dei ein eit har kan skal vil om for som så men eller òg også av frå
        etter mellom gjennom utan kva kvifor korleis kven viss dersom kvar noko nokon nokre mykje meir vart vert
        verte blir bli vore vere ho berre seg oss vår no kanskje alltid aldri attende tilbake ut opp enn slik eigen
        eige eiga kjem bør må deira deim hennar sine sitt sin dette desse svært mange fleire ingen får gjer synest
        trur meiner sjølv heile difor likevel då medan sidan enno framleis betre dårleg""",
    "da": """og ikke jeg vi det er til på med den de en et har kan skal vil om for som så men eller også af fra efter
        mellem gennem uden hvad hvorfor hvordan hvem hvis hvor noget nogen nogle meget mere blev bliver blive været
        være hun bare sig os vores nu måske altid aldrig tilbage ud op end sådan egen eget kommer bør må dem deres
        hendes sine sit sin dette disse mange flere ingen får gør synes tror mener bedre dårlig stadig derfor selv
        hele endnu lige mig dig jeres""",
    "sv": """och att är inte för till på med den de en ett har kan ska skall vill om som så men eller också av från
        efter mellan genom utan vad varför hur vem vilken om något några någon mycket mer blev blir bli varit vara
        hon bara sig oss vår vårt nu kanske alltid aldrig tillbaka ut upp än sådan egen eget kommer bör måste dem
        deras hennes sina sitt sin detta dessa många fler ingen får gör tycker tror anser bättre dålig fortfarande
        därför själv hela ännu mig dig jag vi där här finns hade""",
    "de": """und ist nicht eine einen einer ein mit sich auf für von dem des auch werden wird sollte sollten sind
        oder aber wenn dass ich wir das der die zu es im zum zur bei nach noch mehr kann können müssen muss wie nur
        schon sehr haben hat keine kein durch über unter gibt diese dieser diesem man mich dich uns euch ihr wäre
        würde besser schlecht immer nie warum""",
    "en": """the and of to is are that this with for be not it we they have has should would could from on which
        there their our about more will can what you your was were been but or if because these those than into an
        as at by do does many much people who why how when where better worse always never also just very""",
}

# Everyday words of hearing comments that bokmål, nynorsk and Danish spell differently ("sentrum"/"centrum",
# "vei"/"veg"/"vej"): function words alone cannot tell written bokmål from Danish in many short sentences.
_SPELLINGS: dict[str, str] = {
    "nb": """sentrum sykkel sykler sykle kveld kvelden bruk bruke trenger gate gata gaten vei veien veier nei kjøre
        kjører kjøpe hjelp hjelpe plass plassen plasser sjelden sjeldent uke uka penger skole skolen bygge bo bor
        beboere""",
    "nn": """sentrum sykkel syklar sykle kveld kvelden bruk bruke treng gate gata veg vegen vegar nei køyre køyrer
        kjøpe hjelp hjelpe plass plassen plassar sjeldan veke veka pengar skule skulen byggje bu bur bebuarar""",
    "da": """centrum cykel cykler cykle aften aftenen brug bruge trænger gade gaden vej vejen veje nej køre kører
        købe hjælp hjælpe plads pladsen pladser sjældent uge ugen penge skole skolen bygge bo bor beboere""",
    "sv": """centrum cykel cyklar cykla kväll kvällen bruk använda behöver gata gatan väg vägen vägar nej köra kör
        köpa hjälp hjälpa plats platsen platser sällan vecka veckan pengar skola skolan bygga bo bor boende""",
}
# Word endings with the same job for compounds ("parkeringsplasser", "tryghed").
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "nb": ("plasser", "plassen", "het", "heten", "heter", "veier", "veien"),
    "nn": ("plassar", "vegar", "vegen", "leg", "lege"),
    "da": ("pladser", "pladsen", "hed", "heden", "heder", "stier", "vejen"),
    "sv": ("platser", "platsen", "het", "heten", "vägar", "vägen"),
}

# How many lists each marker word is in, and so its weight in each (1 / that number).
_WORDS = {code: frozenset(_MARKERS[code].split()) | frozenset(_SPELLINGS.get(code, "").split()) for code in _MARKERS}
_SHARED = Counter(word for words in _WORDS.values() for word in words)
_WEIGHTS: dict[str, dict[str, float]] = {}
for _code, _words in _WORDS.items():
    for _word in _words:
        _WEIGHTS.setdefault(_word, {})[_code] = 1.0 / _SHARED[_word]


def language_scores(text: str) -> dict[str, float]:
    """Score per language for one text (the sum of its marker-word weights)."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for token in tokens(text):
        weights = _WEIGHTS.get(token)
        if weights is None:  # not a marker word: look at its ending (a compound)
            weights = _suffix_weights(token)
        for code, weight in weights.items():
            scores[code] += weight
    return scores


def _suffix_weights(token: str) -> dict[str, float]:
    if len(token) < 6:
        return {}
    codes = [code for code, endings in _SUFFIXES.items() if token.endswith(endings)]
    return {code: 1.0 / len(codes) for code in codes}


def text_languages(text: str) -> dict[str, float]:
    """The language share of one text: {code: 1.0}, shared equally on a tie, or {"unknown": 1.0}."""
    scores = language_scores(text)
    best = max(scores.values())
    if best < MIN_SCORE:
        return {"unknown": 1.0}
    winners = [code for code, score in scores.items() if score >= best - 1e-9]
    return {code: 1.0 / len(winners) for code in winners}


def detect_languages(texts: Sequence[str]) -> dict[str, float]:
    """Share of the non-empty texts per language code (nb, nn, da, sv, de, en, "unknown"); all zero when none."""
    totals = dict.fromkeys((*LANGUAGES, "unknown"), 0.0)
    used = [text for text in texts if isinstance(text, str) and text.strip()]
    for text in used:
        for code, share in text_languages(text).items():
            totals[code] += share
    if used:
        totals = {code: value / len(used) for code, value in totals.items()}
    return {code: round(value, 4) for code, value in totals.items()}


def main_languages(shares: dict[str, float], min_share: float = 0.05) -> frozenset[str]:
    """The languages (not "unknown") with at least ``min_share`` of the texts."""
    return frozenset(code for code, share in shares.items() if code != "unknown" and share >= min_share)
