"""The skills app's sections of the PDF reports (collected by core.dashboard / reports.documents):
the school report's «Дефициты умений и рекомендованная помощь» and the municipal report's
«Слабые умения» with «Помогла ли помощь?».  They read the same selectors as the pages."""

from __future__ import annotations

from core.dashboard import Panel
from skills import selectors
from skills.models import MunicipalSkillResult

ORDER = 57  # after the assessment results (50) and the context (55)


def school_report_sections(school, year: int) -> list[Panel]:
    """The deficits of the school in ``year`` (the latest year with figures up to it) and the
    events and materials recommended for them, each with its numbers."""
    year = (
        MunicipalSkillResult.objects.filter(municipality_id=school.municipality_id, year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is None:
        return []
    help = selectors.school_help(school, year)
    return [Panel("skills/pdf/school_skills.html", {"help": help, "school": school, "static": True}, order=ORDER)]


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    """The municipality's weak skills of ``year`` and «did the help help» for the deficits of
    the year before where help was given (someone of such a school attended an event with the
    skill held in ``year``)."""
    weak = selectors.weak_skills(municipality, year)
    from assessment.models import Procedure, Subject
    from skills.models import Skill

    cases = []
    for o, effect in (
        (o, selectors.help_effect(municipality, o["procedure_id"], o["subject_id"], o["skill_id"], o["year"]))
        for o in selectors.help_effect_options(municipality)
        if o["year"] + 1 == year
    ):
        if effect.helped:  # where help was given: someone of a school with the deficit attended
            cases.append(
                {
                    "procedure": Procedure.objects.get(pk=o["procedure_id"]).code,
                    "subject": Subject.objects.get(pk=o["subject_id"]).name,
                    "skill": Skill.objects.get(pk=o["skill_id"]).text,
                    "effect": effect,
                }
            )
    if not weak and not cases:
        return []
    return [
        Panel(
            "skills/pdf/municipal_skills.html",
            {"year": year, "weak": weak, "cases": cases},
            order=ORDER,
        )
    ]
