"""The assessment app's sections of the PDF reports (see core.dashboard and reports.documents):
a school's results and their dynamics, the municipality's indices, spread and programme
effectiveness, and the information note's paragraph on results.

Every figure comes from the stored analysis (GroupResult, Flag, RiskZoneCount, SchoolIndex,
Spread, ProgrammeEffect).  Aggregates over grades are rebuilt from the groups' sums
(participants × mean, with_mark × share), which equals computing them from the rows.  Each
hook runs a fixed number of queries whatever the number of schools."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, FloatField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from assessment.models import Flag, FlagKind, GroupResult, ProgrammeEffect, RiskZoneCount, SchoolIndex, Spread
from assessment.selectors import school_flags, teacher_dynamics
from assessment.templatetags.assessment_flags import flag_numbers, teacher_grades
from core.charts import line_chart
from core.dashboard import Panel
from core.templatetags.opora import num, percent
from core.years import academic_year_label

ORDER = 50
YEARS_BACK = 3  # the report year and the two before it
MAIN_SUBJECTS = 4  # lines on the school's chart: the subjects with the most participants


def _sums(qs, *fields):
    """Participants, mean percent, share of «2» and quality per ``fields``, from the group sums."""
    rows = (
        qs.values(*fields)
        .annotate(
            n=Sum("participants"),
            sum_percent=Sum(F("mean_percent") * F("participants"), output_field=FloatField()),
            marks=Sum("with_mark"),
            fails=Sum(Coalesce(F("share_fail"), 0.0) * F("with_mark"), output_field=FloatField()),
            good=Sum(Coalesce(F("quality_rate"), 0.0) * F("with_mark"), output_field=FloatField()),
        )
        .order_by(*fields)
    )
    for row in rows:
        row["mean_percent"] = row["sum_percent"] / row["n"] if row["n"] else None
        row["share_fail"] = row["fails"] / row["marks"] if row["marks"] else None
        row["quality_rate"] = row["good"] / row["marks"] if row["marks"] else None
        yield row


# --- School report ------------------------------------------------------------------------


def school_report_sections(school, year: int) -> list[Panel]:
    years = list(range(year - YEARS_BACK + 1, year + 1))
    labels = [academic_year_label(y) for y in years]
    groups = GroupResult.objects.filter(school=school, year__in=years)
    table: dict[tuple[str, str], dict[int, dict]] = defaultdict(dict)
    by_subject: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in _sums(groups, "procedure__code", "subject__name", "year"):
        table[(row["procedure__code"], row["subject__name"])][row["year"]] = row
    for row in _sums(groups, "subject__name", "year"):
        by_subject[row["subject__name"]][row["year"]] = row
    rows = [
        {
            "procedure": procedure,
            "subject": subject,
            "current": cells.get(year),
            "dynamics": [cells[y]["mean_percent"] if y in cells else None for y in years],
        }
        for (procedure, subject), cells in sorted(table.items())
    ]
    main = sorted(by_subject, key=lambda s: (-sum(c["n"] for c in by_subject[s].values()), s))[:MAIN_SUBJECTS]
    series = {
        s: [by_subject[s][y]["mean_percent"] if y in by_subject[s] else None for y in years] for s in sorted(main)
    }
    chart = (
        line_chart(labels, series, title=_("Mean percent of completion by year"), max_value=100, unit=" %")
        if series
        else ""
    )
    of_year = Flag.objects.filter(school=school, year=year).select_related("procedure", "subject")
    flags = list(school_flags(of_year).order_by("kind", "procedure__code", "subject__name", "grade"))
    for flag in flags:
        flag.numbers = flag_numbers(flag)
    teachers = list(teacher_dynamics(of_year).order_by("teacher_code", "procedure__code", "subject__name"))
    for flag in teachers:
        flag.grades = teacher_grades(flag)
    risk = list(
        RiskZoneCount.objects.filter(school=school, year=year).select_related("subject").order_by("subject__name")
    )
    index = SchoolIndex.objects.filter(school=school, year=year).first()
    return [
        Panel(
            "assessment/pdf/school_results.html",
            {
                "year": year,
                "year_labels": labels,
                "rows": rows,
                "chart": chart,
                "flags": flags,
                "teachers": teachers,
                "risk": risk,
                "risk_total": sum(r.students for r in risk),
                "index": index,
            },
            order=ORDER,
        )
    ]


# --- Municipal monitoring report ----------------------------------------------------------


def _flag_counts(municipality, year: int) -> list[dict]:
    """The school flags of the year by kind (``selectors.school_flags``: teachers apart)."""
    labels = dict(FlagKind.choices)
    rows = (
        school_flags(Flag.objects.filter(school__municipality=municipality, year=year))
        .values("kind")
        .annotate(n=Count("id"), schools=Count("school", distinct=True))
        .order_by("kind")
    )
    return [{"label": labels.get(r["kind"], r["kind"]), **r} for r in rows]


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    indices = list(
        SchoolIndex.objects.filter(municipality=municipality, year=year)
        .select_related("school")
        .order_by("value", "school__sort_name")
    )
    spreads = list(Spread.objects.filter(municipality=municipality, year__lte=year).order_by("year"))
    effects = list(ProgrammeEffect.objects.filter(municipality=municipality, year__lte=year).order_by("year"))
    chart = (
        line_chart(
            [academic_year_label(s.year) for s in spreads],
            {pgettext("assessment report", "Spread P90 − P10"): [s.spread for s in spreads]},
            title=pgettext("assessment report", "Spread of the school indices by year"),
        )
        if spreads
        else ""
    )
    return [
        Panel(
            "assessment/pdf/municipal_results.html",
            {
                "year": year,
                "indices": indices,
                "candidates": [i for i in indices if i.candidate],
                "spreads": spreads,
                "chart": chart,
                "effects": effects,
                "flag_counts": _flag_counts(municipality, year),
                "teacher_dynamics": teacher_dynamics(
                    Flag.objects.filter(school__municipality=municipality, year=year)
                ).count(),
            },
            order=ORDER,
        )
    ]


# --- Information note ---------------------------------------------------------------------


def info_note_sections(municipality, year: int) -> list[Panel]:
    """One paragraph of prose on the results of the year: schools with low-result flags, the
    spread and its change, candidates for next year's list, the programme schools whose index rose."""
    low = (
        Flag.objects.filter(school__municipality=municipality, year=year, kind=FlagKind.LOW_RESULTS).aggregate(
            schools=Count("school", distinct=True)
        )["schools"]
        or 0
    )
    with_results = (
        GroupResult.objects.filter(school__municipality=municipality, year=year).aggregate(
            schools=Count("school", distinct=True)
        )["schools"]
        or 0
    )
    if not with_results:
        return []
    spreads = {s.year: s for s in Spread.objects.filter(municipality=municipality, year__in=[year - 1, year])}
    candidates = list(
        SchoolIndex.objects.filter(municipality=municipality, year=year, candidate=True)
        .select_related("school")
        .order_by("school__sort_name")
    )
    effect = ProgrammeEffect.objects.filter(municipality=municipality, year=year).first()

    y = academic_year_label(year)
    parts = [
        ngettext(
            "In %(year)s the results of %(n)d school were analysed;",
            "In %(year)s the results of %(n)d schools were analysed;",
            with_results,
        )
        % {"year": y, "n": with_results},
        ngettext(
            "%(n)d of them has the low-results flag in at least one procedure and subject.",
            "%(n)d of them have the low-results flag in at least one procedure and subject.",
            low,
        )
        % {"n": low},
    ]
    current, previous = spreads.get(year), spreads.get(year - 1)
    if current and previous:
        change = round(current.spread, 2) - round(previous.spread, 2)
        if change < 0:
            key = _(
                "The spread of the school indices (P90 − P10) was %(now)s against %(before)s a year before: "
                "the gap between schools narrowed."
            )
        elif change > 0:
            key = _(
                "The spread of the school indices (P90 − P10) was %(now)s against %(before)s a year before: "
                "the gap between schools widened."
            )
        else:
            key = _("The spread of the school indices (P90 − P10) was %(now)s, as a year before.")
        parts.append(key % {"now": num(current.spread, 2), "before": num(previous.spread, 2)})
    elif current:
        parts.append(_("The spread of the school indices (P90 − P10) was %(now)s.") % {"now": num(current.spread, 2)})
    if candidates:
        parts.append(
            ngettext(
                "%(n)d school is a candidate for next year's list of schools with low results: %(schools)s.",
                "%(n)d schools are candidates for next year's list of schools with low results: %(schools)s.",
                len(candidates),
            )
            % {"n": len(candidates), "schools": ", ".join(c.school.short_name for c in candidates)}
        )
    else:
        parts.append(_("No school is a candidate for next year's list of schools with low results."))
    if effect and effect.participants:
        parts.append(
            ngettext(
                "Of %(n)d school of the support programme, the index rose compared with the previous year at "
                "%(rose)d (%(share_rose)s); %(left)d (%(share_left)s) left the status.",
                "Of %(n)d schools of the support programme, the index rose compared with the previous year at "
                "%(rose)d (%(share_rose)s); %(left)d (%(share_left)s) left the status.",
                effect.participants,
            )
            % {
                "n": effect.participants,
                "rose": effect.rose,
                "share_rose": percent(effect.share_rose),
                "left": effect.left_status,
                "share_left": percent(effect.share_left),
            }
        )
    return [
        Panel(
            "assessment/pdf/info_note.html",
            {"year": year, "text": " ".join(parts)},
            order=ORDER,
        )
    ]
