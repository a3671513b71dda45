"""The words of a public report, made at render time in the reader's language.

Snapshots hold numbers and the residents' or planner's own texts; everything said *about* the numbers — the
one-sentence summary under each chart, labels of sections, themes and segments, the honesty panel's
explanations — is written here with gettext, so one snapshot reads in bokmål, nynorsk and English.
A hidden number (``None`` in the snapshot) is never guessed at: it reads "hidden". Not "under 5": secondary
suppression also hides larger numbers (so that a small one cannot be worked out from the totals), and the snapshot
does not say which is which — saying so would give the small ones away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civic.hearings.moderation import flag_reason_label, reason_label
from civic.outreach import segments
from civic.outreach.segments import dimension_label
from civic.reports.models import Section, Theme

SECTION_LABELS = {
    Section.WHAT_WE_HEARD: _l("What we heard"),
    Section.PARTICIPATION: _l("Who took part"),
    Section.RESULTS: _l("Results"),
    Section.TOPICS: _l("Topics in the written answers"),
    Section.GROUPS: _l("Opinion groups and common ground"),
    Section.STATEMENTS: _l("Formal statements"),
    Section.NEXT_STEPS: _l("What happens next"),
    Section.OUTCOMES: _l("You said, we did"),
    Section.HONESTY: _l("How to read these figures"),
}
THEME_LABELS = {
    Theme.TRAFFIC: _l("Traffic and transport"),
    Theme.URBAN_DEVELOPMENT: _l("Urban development"),
    Theme.ENVIRONMENT: _l("Environment and climate"),
    Theme.HEALTH_WELFARE: _l("Health and welfare"),
    Theme.CHILDHOOD_EDUCATION: _l("Childhood and education"),
    Theme.CULTURE_LEISURE: _l("Culture and leisure"),
    Theme.SERVICES: _l("Municipal services"),
    Theme.OTHER: _l("Other"),
}
LANGUAGE_WORDS = {"nb": _l("bokmål"), "nn": _l("nynorsk"), "en": _l("English")}


# ----------------------------------------------------------------------------------------------- numbers


def pct(share: float | None) -> str:
    """Return a share as the locale's whole percentage ("46 %"); "hidden" for a hidden one."""
    return hidden() if share is None else format_percent(share)


def _pct_tenths(share: float) -> str:
    """A percentage with one decimal in the locale's own pattern ("47,3 %" in Norwegian, "47.3%" in English)."""
    pattern = get_locale().percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)
    return format_percent(share, format=pattern)


def num(value: float | None) -> str:
    """Return a number in the locale's style (1 100, 3,4); "hidden" for a hidden one."""
    return hidden() if value is None else format_decimal(value, format="#,##0.##")


def hidden() -> str:
    return _("hidden")


def day(value: str | date | datetime | None, style: str = "long") -> str:
    """Return an ISO date or datetime as the locale's date ("24. november 2026")."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_date(value, style)


# ------------------------------------------------------------------------------------------------ labels


def section_label(section: str) -> str:
    return str(SECTION_LABELS.get(section, section))  # type: ignore[call-overload]


def theme_label(theme: str) -> str:
    return str(THEME_LABELS.get(theme, theme))  # type: ignore[call-overload]


def segment_label(dimension: str, value: str) -> str:
    if dimension == "age_band" and value:
        return _("%(band)s years", band=value.replace("-", "–"))
    return segments.segment_label(dimension, value)


def moderation_reason(code: str) -> str:
    if code == "moderator":
        return _("A moderator's judgement under the house rules")
    label = reason_label(code)
    return flag_reason_label(code) if label == code else label


# ------------------------------------------------------------------------------------- chart summaries


def _visible(options: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> list[tuple[str, float]]:
    ranked = [(label, o["share"]) for o, label in zip(options, labels, strict=True) if o.get("share") is not None]
    return sorted(ranked, key=lambda item: -item[1])


def choice_summary(options: Sequence[Mapping[str, Any]], labels: Sequence[str], *, multiple: bool) -> str:
    """Return "Most chose X (46 %), then Y (30 %)." from the visible options."""
    ranked = _visible(options, labels)
    if not ranked:
        return _("Too few people answered to show how the answers are distributed.")
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        text = _(
            "“%(first)s” and “%(second)s” were chosen equally often (%(share)s each).",
            first=ranked[0][0],
            second=ranked[1][0],
            share=pct(ranked[0][1]),
        )
    elif len(ranked) > 1:
        text = _(
            "Most chose “%(first)s” (%(first_share)s), then “%(second)s” (%(second_share)s).",
            first=ranked[0][0],
            first_share=pct(ranked[0][1]),
            second=ranked[1][0],
            second_share=pct(ranked[1][1]),
        )
    else:
        text = _("Most chose “%(first)s” (%(first_share)s).", first=ranked[0][0], first_share=pct(ranked[0][1]))
    if multiple:
        text += " " + _("Several answers were allowed, so the shares can add up to more than %(total)s.", total=pct(1))
    return text


def scale_summary(stats: Mapping[str, Any] | None, low: str, high: str, respondents: int) -> str:
    if not stats or stats.get("mean") is None:
        return _("%(n)s people answered.", n=num(respondents))
    return _(
        "The mean rating is %(mean)s and the median %(median)s, on a scale from %(low)s to %(high)s "
        "(%(n)d respondents).",
        mean=num(stats["mean"]),
        median=num(stats["median"]),
        low=low,
        high=high,
        n=respondents,
    )


def number_summary(stats: Mapping[str, Any] | None, respondents: int) -> str:
    if not stats or stats.get("mean") is None:
        return _("%(n)s people answered.", n=num(respondents))
    return _(
        "The mean is %(mean)s and the median %(median)s; answers range from %(low)s to %(high)s (%(n)d respondents).",
        mean=num(stats["mean"]),
        median=num(stats["median"]),
        low=num(stats.get("min")),
        high=num(stats.get("max")),
        n=respondents,
    )


def histogram_summary(bins: Sequence[Mapping[str, Any]], respondents: int) -> str:
    shown = [b for b in bins if b.get("count") is not None]
    if not shown:
        return _("Too few people answered to show how the answers are distributed.")
    top = max(shown, key=lambda b: b["count"])
    return _(
        "Most answers lie in %(label)s (%(count)s of %(n)s respondents).",
        label=top["label"],
        count=num(top["count"]),
        n=num(respondents),
    )


def ranking_summary(best_label: str, mean_rank: float | None, first: int | None, respondents: int) -> str:
    if first is None or not respondents:
        return _("“%(label)s” has the best average rank (%(rank)s).", label=best_label, rank=num(mean_rank))
    return _(
        "“%(label)s” has the best average rank (%(rank)s); %(share)s of %(n)d respondents ranked it first.",
        label=best_label,
        rank=num(mean_rank),
        share=pct(first / respondents),
        n=respondents,
    )


def map_summary(points: int) -> str:
    return (
        _("%(n)d respondents marked a place on the map.", n=points)
        + " "
        + _("Squares with fewer than 5 places are not shown.")
    )


def breakdown_summary(dimension: str, winners: Sequence[tuple[str, str | None, float | None]]) -> str:
    """Say which answer each group chose most; ``winners`` holds (segment, answer or None, share) per group."""
    shown = [(segment, answer, share or 0.0) for segment, answer, share in winners if answer is not None]
    if not shown:
        return _("Every group is too small to show its answers.")
    by_answer: dict[str, list[tuple[str, float]]] = {}
    for segment, answer, share in shown:
        by_answer.setdefault(answer, []).append((segment, share))
    if len(by_answer) == 1:
        answer, groups = next(iter(by_answer.items()))
        low, high = min(groups, key=lambda g: g[1]), max(groups, key=lambda g: g[1])
        text = _(
            "“%(answer)s” was the most chosen answer in every group, from %(low)s (%(low_group)s) to %(high)s "
            "(%(high_group)s).",
            answer=answer,
            low=pct(low[1]),
            low_group=low[0],
            high=pct(high[1]),
            high_group=high[0],
        )
    else:
        ranked = sorted(by_answer.items(), key=lambda item: -len(item[1]))
        parts = [
            _("“%(answer)s” in %(groups)s", answer=answer, groups=", ".join(segment for segment, _share in groups))
            for answer, groups in ranked
        ]
        text = _(
            "The most chosen answer differs by %(dimension)s: %(parts)s.",
            dimension=dimension_label(dimension).lower(),
            parts="; ".join(parts),
        )
    if len(shown) < len(winners):
        text += " " + _("Some groups are too small to show.")
    return text


def weeks_summary(weeks: Sequence[Mapping[str, Any]]) -> str:
    shown = [w for w in weeks if w.get("respondents") is not None]
    if not shown:
        return _("Too few took part in any one week to show the weeks.")
    top = max(shown, key=lambda w: w["respondents"])
    return _(
        "Most took part in the week starting %(week)s (%(count)s).",
        week=day(top["week"], "medium"),
        count=num(top["respondents"]),
    )


def representation_summary(segment: Mapping[str, Any]) -> str:
    """Name the under-represented groups of one dimension in words (not only by colour)."""
    dimension = segment["dimension"]
    if not segment.get("population_source"):
        shown = [row for row in segment["rows"] if row.get("respondent_share") is not None]
        unknown = _("The make-up of the population is not known, so representation cannot be judged.")
        if not shown:
            return unknown
        top = max(shown, key=lambda row: row["respondent_share"])
        largest = _(
            "The largest group is %(segment)s (%(share)s of respondents).",
            segment=segment_label(dimension, top["segment"]),
            share=pct(top["respondent_share"]),
        )
        return f"{largest} {unknown}"
    under = [row for row in segment["rows"] if row.get("under_represented")]
    if not under:
        return _(
            "No group is clearly under-represented: each has at least %(threshold)s of its share of the population.",
            threshold=pct(0.8),
        )
    parts = [
        _(
            "%(segment)s (%(respondents)s of respondents, %(population)s of the population)",
            segment=segment_label(dimension, row["segment"]),
            respondents=pct(row.get("respondent_share")),
            population=pct(row.get("population_share")),
        )
        for row in under
    ]
    return _("Under-represented: %(groups)s.", groups="; ".join(parts))


def topics_summary(topics: Sequence[Mapping[str, Any]]) -> str:
    ranked = sorted(topics, key=lambda t: -(t.get("size") or 0))[:3]
    if not ranked:
        return _("No topics were found.")
    parts = [_("“%(topic)s” (%(share)s)", topic=t["label"], share=pct(t.get("share"))) for t in ranked]
    return _("The largest topics: %(topics)s.", topics=", ".join(parts))


# ------------------------------------------------------------------------------------------ honesty panel


def criteria_words(criteria: Mapping[str, Any] | None) -> str:
    """Describe stored campaign criteria ("aged 18–66, living in Årvoll or Linderud") in the reader's language."""
    criteria = criteria or {}
    parts: list[str] = []
    low, high = criteria.get("age_min"), criteria.get("age_max")
    if low is not None and high is not None:
        parts.append(_("aged %(low)d to %(high)d", low=low, high=high))
    elif low is not None:
        parts.append(_("aged %(low)d or older", low=low))
    elif high is not None:
        parts.append(_("aged %(high)d or younger", high=high))
    if criteria.get("sub_districts"):
        parts.append(_("living in %(places)s", places=", ".join(criteria["sub_districts"])))
    if criteria.get("polygon"):
        parts.append(_("living inside an area drawn on the map"))
    if criteria.get("streets"):
        parts.append(_("living in %(streets)s", streets=", ".join(criteria["streets"])))
    child_low, child_high = criteria.get("child_age_min"), criteria.get("child_age_max")
    if child_low is not None or child_high is not None:
        parts.append(
            _("in households with children aged %(low)d to %(high)d", low=child_low or 0, high=child_high or 17)
        )
    if criteria.get("languages"):
        words = [str(LANGUAGE_WORDS.get(code, code)) for code in criteria["languages"]]
        parts.append(_("preferring %(languages)s", languages=", ".join(words)))
    return ", ".join(parts) if parts else _("all residents")


def sampling_frame(frame: Mapping[str, Any]) -> str:
    kind = frame.get("kind")
    criteria = frame.get("criteria")
    criteria_list = criteria if isinstance(criteria, list) else [criteria] if criteria else []
    who = "; ".join(criteria_words(c) for c in criteria_list) if criteria_list else _("all residents")
    invited = frame.get("invited")
    if kind == "registry":
        return _(
            "Personal invitations went to %(n)s residents picked from the population register: %(who)s.",
            n=num(invited),
            who=who,
        )
    if kind == "mixed":
        return _(
            "Personal invitations went to %(n)s residents picked from the population register (%(who)s), and "
            "anyone with the public link could also answer.",
            n=num(invited),
            who=who,
        )
    return _("Anyone with the public link could take part; there was no list of who was asked.")


def response_rate(participation: Mapping[str, Any]) -> str:
    rate = participation.get("response_rate")
    if rate is None:
        if participation.get("invited"):
            return _(
                "A response rate cannot be given: more answered than were invited, because the public link "
                "was open too."
            )
        return _("A response rate cannot be given: there was no list of who was asked.")
    return _(
        "%(rate)s of those invited answered (%(responded)s of %(invited)s).",
        rate=pct(rate),
        responded=num(participation.get("responded")),
        invited=num(participation.get("invited")),
    )


def margin_of_error(moe: Mapping[str, Any] | None) -> list[str]:
    """Return the margin of error and what it means, as paragraphs."""
    if not moe or moe.get("points") is None:
        return [_("No margin of error can be given for these answers.")]
    points = float(moe["points"])
    confidence = pct(moe.get("confidence") or 0.95)
    return [
        _(
            "Margin of error: ±%(points)s percentage points (%(confidence)s confidence, %(n)s respondents).",
            points=num(round(points, 1)),
            confidence=confidence,
            n=num(moe.get("n")),
        ),
        _(
            "What it means: if half of the respondents chose an answer, the share among everyone asked would lie "
            "between %(low)s and %(high)s in %(confidence)s of such surveys.",
            low=_pct_tenths(0.5 - points / 100),
            high=_pct_tenths(0.5 + points / 100),
            confidence=confidence,
        ),
        _(
            "This holds only for a random sample. Here people chose themselves whether to take part, and those who "
            "do often differ from those who do not, so the real uncertainty is larger and cannot be calculated. "
            "Read the figures as what those who took part said, not as a poll of all residents."
        ),
    ]


def topics_method(topics: Mapping[str, Any]) -> list[str]:
    """Say how the topics were made: the model, its settings, and what staff changed."""
    if topics.get("mode") == "fixed" and topics.get("n_topics"):
        setting = _("asked to find %(n)d topics", n=topics["n_topics"])
    else:
        setting = _("left to find the number of topics itself")
    edits = topics.get("edits") or {}
    return [
        _(
            "The topics were found by a computer model (%(model)s) in %(texts)s written answers, %(setting)s. "
            "%(outliers)s answers did not fit any topic.",
            model=topics.get("model") or topics.get("embedder") or _("no language model"),
            texts=num(topics.get("texts")),
            setting=setting,
            outliers=num(topics.get("outliers")),
        ),
        _(
            "Staff then reviewed the topics: %(rename)d renamed, %(merge)d merged, %(split)d split and "
            "%(hide)d hidden. The quotes are picked by the model as typical of each topic.",
            rename=edits.get("rename", 0),
            merge=edits.get("merge", 0),
            split=edits.get("split", 0),
            hide=edits.get("hide", 0),
        ),
    ]


def suppression_rule(min_cell: int, hidden_cells: int) -> str:
    return _(
        "To protect privacy, no number of fewer than %(min)d people is shown. Some larger numbers are hidden too, "
        "so that a small one cannot be worked out from the totals. Both read “%(word)s”; %(hidden)d numbers are "
        "hidden in this report.",
        min=min_cell,
        word=hidden(),
        hidden=hidden_cells,
    )
