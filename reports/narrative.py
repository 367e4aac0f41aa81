"""The information note as an editable narrative (DOCUMENTS.md; the seeds' notes, e.g.
kazachinsky-district-low-results-report.txt): generated from the data in the seeds' order —
with whom (the schools and their movement), what was done (the curators' work, roadmaps,
methodical events held), what changed (the results), what is next — as plain text the
coordinator edits in the browser before issuing it as PDF and .docx.

The text is made of the information note's sections (reports.sections.INFO_NOTE, so a section
added there joins the narrative): each section's heading and its paragraphs, the same figures
from the same selectors as the pages.  In the text a line «# Title» is a heading; headings are
numbered when the note is rendered, so deleting a part leaves no gap; paragraphs are separated
by an empty line."""

from __future__ import annotations

import html as html_lib
import re

from django.utils import timezone, translation

from core.years import academic_year_bounds, academic_year_label

HEADING = "# "
MAX_CHARS = 60_000


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _section_parts(section_html: str) -> tuple[str, list[str]]:
    """The heading (without its number) and the paragraphs of a rendered section (tables and
    charts are left to the reports: a note is prose)."""
    heading = re.search(r"<h2[^>]*>(.*?)</h2>", section_html, re.S)
    title = re.sub(r"^\d+\.\s*", "", _text(heading.group(1))) if heading else ""
    paragraphs = [_text(p) for p in re.findall(r"<p[^>]*>(.*?)</p>", section_html, re.S)]
    return title, [p for p in paragraphs if p]


def _next_steps(municipality, year: int) -> list[str]:
    """What is next: the events still to be held this year, overdue recommendations, late
    roadmap reports and the candidates for next year's list."""
    from assessment.models import SchoolIndex
    from curators.models import Recommendation
    from curators.selectors import overdue_q
    from events.models import Event, EventStatus
    from events.selectors import held_q

    first, last = academic_year_bounds(year)
    planned = list(
        Event.objects.filter(municipality=municipality, start__date__gte=first, start__date__lte=last)
        .exclude(held_q())
        .exclude(status=EventStatus.CANCELLED)
        .order_by("start")[:10]
    )
    overdue = Recommendation.objects.filter(visit__school__municipality=municipality).filter(overdue_q()).count()
    candidates = list(
        SchoolIndex.objects.filter(municipality=municipality, year=year, candidate=True)
        .select_related("school")
        .order_by("school__sort_name")
    )
    steps = []
    if planned:
        steps.append(
            "провести запланированные методические мероприятия: "
            + "; ".join(f"«{e.title}» ({timezone.localtime(e.start):%d.%m.%Y})" for e in planned)
        )
    if overdue:
        steps.append(f"обеспечить выполнение просроченных рекомендаций кураторов (их {overdue})")
    if candidates:
        steps.append(
            "рассмотреть кандидатов в перечень школ с низкими образовательными результатами на следующий учебный год: "
            + ", ".join(c.school.short_name for c in candidates)
        )
    steps.append("продолжить сопровождение школ по их дорожным картам и принять отчёты о ходе их реализации в срок")
    return ["В ближайший период необходимо: " + "; ".join(steps) + "."]


def generate(municipality, year: int) -> str:
    """The generated narrative (Russian: it is the authority's paper)."""
    from reports.sections import INFO_NOTE, render_sections
    from schools.selectors import low_results_schools

    with translation.override("ru"):
        rendered = render_sections(INFO_NOTE, municipality, year)
    y = academic_year_label(year)
    blocks = [
        f"В целях реализации на территории муниципального образования «{municipality.name}» мероприятий по "
        "повышению качества образования в школах с низкими результатами обучения и в школах, функционирующих в "
        f"неблагоприятных социальных условиях, в {y} учебном году проведена следующая работа."
    ]
    for index, section_html in enumerate(rendered):
        title, paragraphs = _section_parts(section_html)
        blocks.append(HEADING + title)
        blocks += paragraphs
        if index == 0:
            names = [s.short_name for s in low_results_schools(municipality.schools.all(), year).order_by("sort_name")]
            if names:
                blocks.append("В перечень входят: " + ", ".join(names) + ".")
    blocks.append(HEADING + "Дальнейшая работа")
    blocks += _next_steps(municipality, year)
    return "\n\n".join(blocks)


def parts(text: str) -> list[dict]:
    """The text as headings (numbered 1, 2, 3 … in order) and paragraphs."""
    out, number = [], 0
    for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")):
        block = block.strip()
        if not block:
            continue
        if block.startswith(HEADING.strip()):
            lines = block.split("\n", 1)
            number += 1
            out.append({"heading": lines[0].lstrip("#").strip(), "number": number})
            if len(lines) > 1 and lines[1].strip():
                out.append({"text": " ".join(lines[1].split())})
        else:
            out.append({"text": " ".join(block.split())})
    return out
