"""The analytical documents as ordered registries of sections.  A section is a template and a
context function; the document numbers its sections 1, 2, 3 … when it renders them, so a
section with nothing to say keeps its place with one line instead of leaving a gap.

To add a section (h16's «skill deficits» and «did the help help», for instance): write the
context function ``(subject, year) -> Panel | dict | None`` in your app's ``documents.py`` and
its template (its first ``<h2>`` is the heading; a number written in it is replaced), then add
one ``Section`` to ``SCHOOL_REPORT``, ``MUNICIPAL_REPORT`` or ``INFO_NOTE`` below, where it
belongs in the order.  ``None`` from the context function prints ``empty`` under ``title``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.dashboard import Panel


@dataclass(frozen=True)
class Section:
    key: str
    source: str  # "app.documents:function" → (subject, year) -> Panel | dict | None; "…:hook#i" → the hook's i-th panel
    template: str = ""  # when the function returns a dict
    title: str | Promise = ""  # the heading when the section has nothing to say
    empty: str | Promise = ""  # the one line then
    landscape: bool = False  # a wide table: its own landscape pages


def _call(source: str, subject, year: int, memo: dict):
    path, _sep, index = source.partition("#")
    module, func = path.split(":")
    if path not in memo:
        memo[path] = getattr(import_module(module), func)(subject, year)
    result = memo[path]
    if index:
        result = result[int(index)] if len(result) > int(index) else None
    return result


HEADING = re.compile(r"^\s*<h2([^>]*)>\s*(?:\d+\.\s*)?", re.S)


def render_sections(registry: list[Section], subject, year: int) -> list[str]:
    """Each section rendered to HTML in order, its heading numbered 1, 2, 3 …"""
    memo: dict = {}
    out = []
    for number, section in enumerate(registry, start=1):
        result = _call(section.source, subject, year, memo)
        if isinstance(result, Panel):
            template, context = result.template, result.context
        elif result:
            template, context = section.template, result
        else:
            template, context = "reports/pdf/_empty_section.html", {"title": section.title, "line": section.empty}
        html = render_to_string(template, {"ctx": context})
        html, found = HEADING.subn(lambda m, n=number: f"<h2{m.group(1)}>{n}. ", html, count=1)
        if not found:
            html = f"<h2>{number}. {section.title}</h2>{html}"
        css = "doc-section landscape" if section.landscape else "doc-section"
        out.append(mark_safe(f'<section class="{css}">{html}</section>'))
    return out


SCHOOL_REPORT: list[Section] = [
    Section("profile", "schools.documents:school_report_sections#0"),
    Section("statuses", "schools.documents:school_report_sections#1"),
    Section("risks", "schools.documents:school_report_sections#2"),
    Section("curators", "curators.documents:school_report_sections#0"),
    Section("roadmaps", "roadmaps.documents:school_report_sections#0"),
    Section("results", "assessment.documents:school_report_sections#0", landscape=True),
    Section(
        "context",
        "socialcontext.documents:school_report_sections#0",
        title=_("Results against the school context"),
        empty=_("No context data of the school for this year."),
    ),
    Section("events", "events.documents:school_report_sections#0"),
    Section(
        "skills",
        "skills.documents:school_skills",
        title=_("Skill deficits and recommended help"),
        empty=_("No task-level results of the school up to this year."),
    ),
]

MUNICIPAL_REPORT: list[Section] = [
    Section("low_results", "schools.documents:municipal_report_sections#0"),
    Section("risks", "schools.documents:municipal_report_sections#1", landscape=True),
    Section("curators", "curators.documents:municipal_report_sections#0"),
    Section("roadmaps", "roadmaps.documents:municipal_report_sections#0"),
    Section("events", "events.documents:municipal_report_sections#0"),
    Section("results", "assessment.documents:municipal_report_sections#0"),
    Section(
        "context",
        "socialcontext.documents:municipal_report_sections#0",
        title=_("Results against the school context"),
        empty=_("No context data of the schools for this year."),
    ),
    Section(
        "weak_skills",
        "skills.documents:municipal_weak_skills",
        title=_("Weak skills"),
        empty=_("No task-level results of the municipality for this year."),
    ),
    Section(
        "help_effect",
        "skills.documents:municipal_help_effect",
        title=_("Did the help help?"),
        empty=_("No school with a skill deficit the year before attended an event with that skill this year."),
    ),
]

INFO_NOTE: list[Section] = [
    Section("low_results", "schools.documents:info_note_sections#0"),
    Section("curators", "curators.documents:info_note_sections#0"),
    Section("roadmaps", "roadmaps.documents:info_note_sections#0"),
    Section(
        "events",
        "events.documents:info_note_sections#0",
        title=_("Methodical support of schools with low results"),
        empty=_("No school is on the list of schools with low results this year."),
    ),
    Section(
        "results",
        "assessment.documents:info_note_sections#0",
        title=_("Assessment results"),
        empty=_("No results of the year have been analysed yet."),
    ),
]

REGISTRIES: dict[str, list[Section]] = {"school": SCHOOL_REPORT, "municipal": MUNICIPAL_REPORT, "info_note": INFO_NOTE}


def sections_of(kind: str) -> list[Section]:
    return REGISTRIES[kind]
