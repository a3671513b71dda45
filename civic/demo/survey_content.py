"""The Bjerke parking survey's texts, and a builder that turns its questions into ORM objects."""

from __future__ import annotations

from dataclasses import dataclass

from civic.consultations.models import Consultation
from civic.demo.survey_questions import SECTIONS
from civic.surveys.models import Question, QuestionChoice, Survey, SurveySection

TITLE = {
    "nb": "Parkering og trafikk i Bydel Bjerke",
    "nn": "Parkering og trafikk i Bydel Bjerke",
    "en": "Parking and traffic in Bjerke district",
}
SUMMARY = {
    "nb": "Hvordan er det å parkere, lade, gå og sykle der du bor? Svarene dine hjelper bydelen å "
    "prioritere beboerparkering, trygg skolevei og vinterdrift.",
    "nn": "Korleis er det å parkere, lade, gå og sykle der du bur? Svara dine hjelper bydelen å "
    "prioritere bebuarparkering, trygg skuleveg og vinterdrift.",
    "en": "What is it like to park, charge, walk and cycle where you live? Your answers help the district "
    "set priorities for resident parking, safe school routes and winter maintenance.",
}
BODY = {
    "nb": "Bydel Bjerke vurderer å søke om beboerparkering i flere områder, og vi planlegger tiltak for "
    "tryggere skoleveier, flere ladepunkter og bedre brøyting.\n\n"
    "Undersøkelsen tar omtrent ti minutter. Du er anonym: vi lagrer ikke navn, e-post eller IP-adresse "
    "sammen med svarene, og resultatene vises bare samlet.\n\n"
    "Alle som bor, jobber eller går på skole i bydelen kan svare. Undersøkelsen er åpen i tre uker. "
    "Resultatene legges fram for bydelsutvalget og publiseres her.",
    "nn": "Bydel Bjerke vurderer å søkje om bebuarparkering i fleire område, og vi planlegg tiltak for "
    "tryggare skulevegar, fleire ladepunkt og betre brøyting.\n\n"
    "Undersøkinga tek omtrent ti minutt. Du er anonym: vi lagrar ikkje namn, e-post eller IP-adresse "
    "saman med svara, og resultata blir berre viste samla.\n\n"
    "Alle som bur, jobbar eller går på skule i bydelen kan svare. Undersøkinga er open i tre veker. "
    "Resultata blir lagde fram for bydelsutvalet og publiserte her.",
    "en": "Bjerke district is considering applying for resident parking in more areas, and we are "
    "planning safer school routes, more charging points and better snow clearing.\n\n"
    "The survey takes about ten minutes. You are anonymous: we do not store names, e-mail or IP "
    "addresses with the answers, and results are only shown in aggregate.\n\n"
    "Everyone who lives, works or goes to school in the district can answer. The survey is open for "
    "three weeks. The results go to the district council and are published here.",
}
LANGUAGES = ["nb", "nn", "en"]


@dataclass
class BuiltSurvey:
    """The survey and its questions by slug (the response generator answers by slug)."""

    survey: Survey
    questions: dict[str, Question]


def question_slugs() -> list[str]:
    """Return the slugs of all questions in answering order."""
    return [q[0] for section in SECTIONS for q in section["questions"]]


def build_survey(consultation: Consultation) -> BuiltSurvey:
    """Build (unflushed) ORM objects for the survey; conditions are wired by ``wire_conditions``."""
    survey = Survey(consultation=consultation, version=1)
    by_slug: dict[str, Question] = {}
    for s_pos, spec in enumerate(SECTIONS):
        section = SurveySection(
            survey=survey, position=s_pos, title=spec["title"], description=spec["description"]
        )
        for q_pos, (slug, kind, text, extra) in enumerate(spec["questions"]):
            question = Question(
                survey=survey,
                section=section,
                position=q_pos,
                kind=kind,
                text=text,
                help_text=extra.get("help", {}),
                is_required=extra.get("required", False),
                settings=dict(extra.get("settings", {})),
                choices=[
                    QuestionChoice(position=i, key=c[0], label=c[1], is_other=len(c) > 2 and c[2])
                    for i, c in enumerate(extra.get("choices", []))
                ],
            )
            by_slug[slug] = question
    return BuiltSurvey(survey=survey, questions=by_slug)


def wire_conditions(built: BuiltSurvey) -> None:
    """Point conditional questions at their controlling question (needs flushed ids)."""
    for section in SECTIONS:
        for slug, _kind, _text, extra in section["questions"]:
            if "condition" in extra:
                controlling, keys = extra["condition"]
                built.questions[slug].condition_question_id = built.questions[controlling].id
                built.questions[slug].condition_choice_keys = list(keys)


def questions_by_slug(survey: Survey) -> dict[str, Question]:
    """Map slugs to a stored survey's questions (same order as SECTIONS)."""
    return dict(zip(question_slugs(), survey.questions, strict=True))
