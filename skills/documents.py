"""The skills app's sections of the analytical documents (registered in reports/sections.py):
the school report's «Дефициты умений и рекомендованная помощь», the municipal report's
«Слабые умения» and «Помогла ли помощь?».  They read the same selectors as the pages."""

from __future__ import annotations

from assessment.models import Procedure, Subject
from core.dashboard import Panel
from skills import selectors
from skills.models import MunicipalSkillResult, Skill

ORDER = 57  # after the assessment results (50) and the context (55)


def school_skills(school, year: int) -> Panel | None:
    """The school's deficits of its latest year with figures up to ``year`` and the events and
    materials recommended for them, each with its numbers (``selectors.school_help``)."""
    latest = (
        MunicipalSkillResult.objects.filter(municipality_id=school.municipality_id, year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if latest is None:
        return None
    help = selectors.school_help(school, latest)
    return Panel("skills/pdf/school_skills.html", {"help": help, "school": school, "static": True}, order=ORDER)


def municipal_weak_skills(municipality, year: int) -> Panel | None:
    """The municipality's weak skills of ``year`` (``selectors.weak_skills``)."""
    if not MunicipalSkillResult.objects.filter(municipality=municipality, year=year).exists():
        return None
    weak = selectors.weak_skills(municipality, year)
    return Panel("skills/pdf/municipal_weak_skills.html", {"year": year, "weak": weak}, order=ORDER)


def help_cases(municipality, year: int) -> list[dict]:
    """«Did the help help?» for the deficits of ``year − 1`` where help was given: someone of a
    school with the deficit attended an event with the skill held in ``year``."""
    cases = []
    for o in selectors.help_effect_options(municipality):
        if o["year"] + 1 != year:
            continue
        effect = selectors.help_effect(municipality, o["procedure_id"], o["subject_id"], o["skill_id"], o["year"])
        if effect.helped:
            cases.append(
                {
                    "procedure": Procedure.objects.get(pk=o["procedure_id"]).code,
                    "subject": Subject.objects.get(pk=o["subject_id"]).name,
                    "skill": Skill.objects.get(pk=o["skill_id"]).text,
                    "effect": effect,
                }
            )
    return cases


def municipal_help_effect(municipality, year: int) -> Panel | None:
    cases = help_cases(municipality, year)
    if not cases:
        return None
    return Panel("skills/pdf/municipal_help_effect.html", {"year": year, "cases": cases}, order=ORDER)


# The hook of core.dashboard.collect (each app's documents.py), kept for any reader of it.


def school_report_sections(school, year: int) -> list[Panel]:
    return [p for p in (school_skills(school, year),) if p is not None]


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    return [p for p in (municipal_weak_skills(municipality, year), municipal_help_effect(municipality, year)) if p]
