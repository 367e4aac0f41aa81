"""The events app's sections of the PDF reports (see core.dashboard and reports.documents):
methodical events of the academic year — a school's participation, the municipality's events,
and the information note's prose on the support of schools with low results."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.charts import bar_chart
from core.dashboard import Panel
from core.years import academic_year_bounds
from events.models import AudienceKind, Event, EventFormat, EventStatus, Registration, RegistrationStatus
from events.selectors import held_q
from schools.models import StatusKind
from schools.selectors import schools_with_status

ORDER = 60


def _in_year(year: int, prefix: str = "") -> Q:
    """An event of the academic year that has been held by now (``events.selectors.held_q``):
    documents report what was done, never what is only planned."""
    first, last = academic_year_bounds(year)
    return Q(**{f"{prefix}start__date__gte": first, f"{prefix}start__date__lte": last}) & held_q(prefix=prefix)


def _share(attended: int, registered: int) -> float | None:
    return attended / registered if registered else None


def _format_counts(formats) -> list[tuple[str, int]]:
    """(format label, count) by descending count, then label."""
    labels = dict(EventFormat.choices)
    counts = Counter(formats)
    return sorted(((str(labels.get(f, f)), n) for f, n in counts.items()), key=lambda x: (-x[1], x[0]))


def _format_chart(by_format: list[tuple[str, int]]) -> str:
    if not by_format:
        return ""
    values = [n for _label, n in by_format]
    top = max(4, -(-max(values) // 4) * 4)  # quarter ticks on whole numbers of events
    return bar_chart([label for label, _n in by_format], values, width=640, height=260, max_value=top)


def attended_in_year(schools: QuerySet, year: int) -> QuerySet:
    """The schools of ``schools`` whose people attended at least one event of the academic year."""
    attended = Registration.objects.filter(
        _in_year(year, "event__"),
        school=OuterRef("pk"),
        status=RegistrationStatus.REGISTERED,
        attended=True,
    ).exclude(event__status=EventStatus.CANCELLED)
    return schools.filter(Exists(attended))


# --- School report ------------------------------------------------------------------------


def school_report_sections(school, year: int) -> list[Panel]:
    rows = list(
        Registration.objects.filter(_in_year(year, "event__"), school=school, status=RegistrationStatus.REGISTERED)
        .exclude(event__status=EventStatus.CANCELLED)
        .values("event_id", "event__title", "event__start", "event__format")
        .annotate(registered=Count("id"), attended=Count("id", filter=Q(attended=True)))
        .order_by("event__start", "event_id")
    )
    labels = dict(EventFormat.choices)
    for row in rows:
        row["format_label"] = labels.get(row["event__format"], row["event__format"])
        row["share"] = _share(row["attended"], row["registered"])
    registered = sum(r["registered"] for r in rows)
    attended = sum(r["attended"] for r in rows)
    by_format = _format_counts(r["event__format"] for r in rows if r["attended"])
    return [
        Panel(
            "events/pdf/report_school.html",
            {
                "year": year,
                "rows": rows,
                "events_attended": sum(1 for r in rows if r["attended"]),
                "registered": registered,
                "attended": attended,
                "share": _share(attended, registered),
                "by_format": by_format,
                "chart": _format_chart(by_format),
            },
            order=ORDER,
        )
    ]


# --- Municipal monitoring report ----------------------------------------------------------


def municipal_events(municipality, year: int) -> list[Event]:
    """The municipality's events held in the year with registered/attended counts."""
    return list(
        Event.objects.filter(_in_year(year), municipality=municipality)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("host_school")
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)),
            attended=Count(
                "registrations",
                filter=Q(registrations__status=RegistrationStatus.REGISTERED, registrations__attended=True),
            ),
        )
        .order_by("start", "id")
    )


def municipal_report_sections(municipality, year: int) -> list[Panel]:
    events = municipal_events(municipality, year)
    for event in events:
        event.share = _share(event.attended, event.registered)
    by_format = _format_counts(e.format for e in events)
    low = schools_with_status(municipality.schools.filter(is_active=True), StatusKind.LOW_RESULTS, year)
    idle = list(low.exclude(id__in=attended_in_year(low, year).values("id")).order_by("sort_name"))
    return [
        Panel(
            "events/pdf/report_municipal.html",
            {
                "year": year,
                "events": events,
                "by_format": by_format,
                "chart": _format_chart(by_format),
                "participants": sum(e.attended for e in events),
                "idle": idle,
            },
            order=ORDER,
        )
    ]


# --- Information note ---------------------------------------------------------------------


def _formats_phrase(by_format: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label} — {n}" for label, n in by_format)


def _schools_phrase(schools) -> str:
    return ", ".join(s.short_name for s in schools)


def _paragraph(subject: str, by_format, people: int, idle: list, *, in_total: bool = True) -> str:
    """One paragraph; the schools that took part in nothing are named once, in the total's
    paragraph (``in_total``); a theme's paragraph names only those that took part elsewhere
    but had nobody on this theme."""
    events = sum(n for _label, n in by_format)
    text = ngettext(
        "%(subject)s: %(n)d methodical event was held for schools with low results (%(formats)s).",
        "%(subject)s: %(n)d methodical events were held for schools with low results (%(formats)s).",
        events,
    ) % {"subject": subject, "n": events, "formats": _formats_phrase(by_format)}
    text += " " + ngettext(
        "%(n)d teacher of these schools took part in them.",
        "%(n)d teachers of these schools took part in them.",
        people,
    ) % {"n": people}
    if not in_total:
        if idle:
            text += " " + _("Of the schools that took part in events, nobody came on this theme from: %(schools)s.") % {
                "schools": _schools_phrase(idle)
            }
    elif idle:
        text += " " + _("The following schools took part in none of them: %(schools)s.") % {
            "schools": _schools_phrase(idle)
        }
    else:
        text += " " + _("Every school with low results took part in them.")
    return text


def info_note_sections(municipality, year: int) -> list[Panel]:
    """Connected prose: a paragraph per theme on the events held for ШНОР of the municipality
    (events meant for their management teams or attended by their people), their formats, the
    number of their teachers who took part, and the schools that took part in nothing."""
    low = list(
        schools_with_status(municipality.schools.filter(is_active=True), StatusKind.LOW_RESULTS, year).order_by(
            "sort_name"
        )
    )
    if not low:
        return []
    low_ids = [s.pk for s in low]
    held = (
        Event.objects.filter(_in_year(year), municipality=municipality)
        .exclude(status=EventStatus.CANCELLED)
        .filter(
            Q(audience_kind=AudienceKind.MANAGEMENT_LOW_RESULTS)
            | Q(
                registrations__school__in=low_ids,
                registrations__status=RegistrationStatus.REGISTERED,
                registrations__attended=True,
            )
        )
        .values("id")
    )
    # (theme, event, format) once per event and theme; events without a theme fall under None.
    theme_events = list(
        Event.objects.filter(id__in=held)
        .values_list("themes__id", "themes__name", "themes__position", "id", "format")
        .distinct()
    )
    # (theme, school, person) of the ШНОР people who attended those events.
    people = list(
        Registration.objects.filter(
            event__in=held, school__in=low_ids, status=RegistrationStatus.REGISTERED, attended=True
        )
        .values_list("event__themes__id", "school_id", "full_name")
        .distinct()
    )
    themes: dict[int | None, tuple[int, str]] = {}
    formats: dict[int | None, list[str]] = defaultdict(list)
    all_formats: dict[int, str] = {}
    for theme_id, name, position, event_id, fmt in theme_events:
        themes[theme_id] = (position if theme_id else 10**6, name or "")
        formats[theme_id].append(fmt)
        all_formats[event_id] = fmt
    persons: dict[int | None, set] = defaultdict(set)
    took_part: dict[int | None, set] = defaultdict(set)
    for theme_id, school_id, full_name in people:
        persons[theme_id].add((school_id, full_name))
        took_part[theme_id].add(school_id)
    everyone = set().union(*persons.values()) if persons else set()
    anyone = set().union(*took_part.values()) if took_part else set()

    paragraphs = []
    if all_formats:
        paragraphs.append(
            _paragraph(
                pgettext("events report", "In total"),
                _format_counts(all_formats.values()),
                len(everyone),
                [s for s in low if s.pk not in anyone],
            )
        )
        for theme_id, (_position, name) in sorted(themes.items(), key=lambda item: item[1]):
            subject = (
                _("On the theme «%(theme)s»") % {"theme": name} if theme_id else _("Events without a stated theme")
            )
            paragraphs.append(
                _paragraph(
                    subject,
                    _format_counts(formats[theme_id]),
                    len(persons[theme_id]),
                    [s for s in low if s.pk in anyone and s.pk not in took_part[theme_id]],
                    in_total=False,
                )
            )
    return [
        Panel(
            "events/pdf/report_info_note.html",
            {
                "year": year,
                "paragraphs": paragraphs,
                "low_count": len(low),
                "idle": [s for s in low if s.pk not in anyone],
            },
            order=ORDER,
        )
    ]


# --- Official papers of an event: the certificate and the programme ------------------------


def event_requisites(event, day):
    """Who issues an event's papers: its municipality's education authority, or for a
    regional event the region's (reports.requisites), as of ``day``."""
    from reports.requisites import municipal_requisites, regional_requisites

    if event.municipality_id:
        return municipal_requisites(event.municipality, day)
    return regional_requisites(event.region, day)


def event_dates(event, *, times: bool = False) -> str:
    from django.utils import timezone

    start, end = timezone.localtime(event.start), timezone.localtime(event.end)
    if start.date() == end.date():
        return f"{start:%d.%m.%Y}" + (f", {start:%H:%M}–{end:%H:%M}" if times else "")
    if times:
        return f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def hours_words(n: int) -> str:
    """«в объёме 1 часа / 2 часов / 21 часа» — the genitive after «в объёме»."""
    return f"{n} часа" if n % 10 == 1 and n % 100 != 11 else f"{n} часов"


def certificate_pdf(reg) -> bytes:
    """A participant's certificate: the event, its dates and hours, the issuing body and its
    head's signature; no system text (the checksum lives in the metadata).  Refused
    (``reports.requisites.RequisitesMissing``) where the issuer's head is not kept."""
    from django.utils import timezone

    from reports.pdf import render_pdf

    event = reg.event
    day = timezone.localtime(event.end).date()
    requisites = event_requisites(event, day).require()
    with translation.override("ru"):  # an official Russian paper, whatever the reader's language
        return render_pdf(
            "events/pdf/certificate.html",
            {
                "reg": reg,
                "event": event,
                "requisites": requisites,
                "dates": event_dates(event),
                "hours_words": hours_words(event.certificate_hours),
            },
            municipality=requisites,
            title="Сертификат участника",
            number=f"{event.pk}-{reg.pk}",
            doc_date=day,
        )


def programme_pdf(event) -> bytes:
    """The event's programme (the seeds' programmes are the model): dates and times, place,
    organisers, audience, goal, tasks, expected results and the agenda with its times."""
    from django.utils import timezone

    from reports.pdf import render_pdf

    requisites = event_requisites(event, timezone.localdate())
    with translation.override("ru"):  # an official Russian paper, whatever the reader's language
        return render_pdf(
            "events/pdf/programme.html",
            {
                "event": event,
                "requisites": requisites,
                "dates": event_dates(event, times=True),
                "organisers": "; ".join(event.organiser_parts()),
                "agenda": event.agenda_with_times(),
            },
            municipality=requisites,
            title=f"Программа: {event.title}",
            doc_date=timezone.localdate(),
        )
