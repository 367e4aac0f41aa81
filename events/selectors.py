"""Reads of the events app worth naming: calendar, feedback summary, participation, .ics."""

from __future__ import annotations

import calendar
import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.scoping import VIEW, schools_for
from core.cache import scope_key
from core.charts import bar_chart
from core.compiled import prepared, prepared_aggregate
from core.years import current_academic_year
from events.models import (
    Event,
    EventFormat,
    EventStatus,
    FeedbackAnswer,
    Material,
    QuestionKind,
    Registration,
    RegistrationStatus,
)


def events_visible(user) -> QuerySet:
    return Event.objects.restrict(user, VIEW).select_related("municipality", "host_school")


def events_upcoming(user, limit: int = 5) -> list[Event]:
    """The next ``limit`` events the user sees (not over, not cancelled) with their
    registrations; compiled once per reader's scope (core/compiled.py)."""

    def build(now):
        return (
            events_visible(user)
            .filter(end__gte=now)
            .exclude(status=EventStatus.CANCELLED)
            .order_by("start")
            .annotate(registered=Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)))[
                :limit
            ]
        )

    return list(prepared(("events.upcoming", scope_key(user), limit), build, timezone.now()))


def registrations_of_school(school, *, upcoming: bool = True) -> QuerySet:
    return _registrations_of_school(school.pk, timezone.now() if upcoming else None)


def _registrations_of_school(school_id: int, now=None) -> QuerySet:
    """The school's registrations (cancelled ones left out) of events not over at ``now``
    (None: every event)."""
    qs = Registration.objects.filter(school_id=school_id).exclude(status=RegistrationStatus.CANCELLED)
    if now is not None:
        qs = qs.filter(event__end__gte=now)
    return qs.select_related("event").order_by("event__start", "full_name")


def registration_counts(event: Event) -> dict:
    counts = Counter(event.registrations.values_list("status", flat=True))
    attended = event.registrations.filter(status=RegistrationStatus.REGISTERED, attended=True).count()
    registered = counts.get(RegistrationStatus.REGISTERED, 0)
    return {
        "registered": registered,
        "waitlisted": counts.get(RegistrationStatus.WAITLISTED, 0),
        "cancelled": counts.get(RegistrationStatus.CANCELLED, 0),
        "attended": attended,
        "attendance_share": (attended / registered) if registered else None,
        "free": None if event.capacity is None else max(event.capacity - registered, 0),
    }


# --- Calendar -----------------------------------------------------------------------------


def month_grid(events: QuerySet, year: int, month: int) -> list[list[dict]]:
    """Weeks (Monday first) of day cells, each with the events that touch that day."""
    tz = timezone.get_current_timezone()
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    by_day: dict[datetime.date, list[Event]] = defaultdict(list)
    for event in events.filter(start__lt=end, end__gte=start).order_by("start"):
        day = max(timezone.localtime(event.start).date(), first)
        stop = min(timezone.localtime(event.end).date(), last)
        while day <= stop:
            by_day[day].append(event)
            day += datetime.timedelta(days=1)
    today = timezone.localdate()
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [{"date": d, "in_month": d.month == month, "today": d == today, "events": by_day.get(d, [])} for d in week]
        )
    return weeks


def event_ics(events, *, name: str = "") -> bytes:
    """An iCalendar file (RFC 5545) of the given events."""
    from icalendar import Calendar
    from icalendar import Event as IcsEvent

    cal = Calendar()
    cal.add("prodid", "-//Opora//events//RU")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    host = (settings.ALLOWED_HOSTS or ["opora"])[0].lstrip(".") or "opora"
    for event in events:
        item = IcsEvent()
        item.add("uid", f"event-{event.pk}@{host if host != '*' else 'opora'}")
        item.add("summary", f"{event.get_format_display()}: {event.title}")
        item.add("dtstart", event.start)
        item.add("dtend", event.end)
        item.add("dtstamp", timezone.now())
        place = event.place or (event.host_school.short_name if event.host_school_id else "")
        if place:
            item.add("location", place)
        if event.link:
            item.add("url", event.link)
        description = "\n".join(p for p in (event.goal, event.audience, event.link) if p)
        if description:
            item.add("description", description)
        item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
        cal.add_component(item)
    return cal.to_ical()


# --- Feedback -----------------------------------------------------------------------------


def _quarter_max(value: int) -> int:
    """A scale top divisible by 4, so the chart's quarter ticks are whole numbers of answers."""
    return max(4, -(-value // 4) * 4)


def feedback_summary(event: Event) -> dict:
    """Per question: the mean rating and the distribution (with an SVG chart), or the open answers."""
    questions = list(event.questions.all())
    answers = FeedbackAnswer.objects.filter(question__event=event)
    stats = {
        row["question_id"]: row
        for row in answers.filter(rating__isnull=False).values("question_id").annotate(avg=Avg("rating"), n=Count("id"))
    }
    dist: dict[int, Counter] = defaultdict(Counter)
    for qid, rating in answers.filter(rating__isnull=False).values_list("question_id", "rating"):
        dist[qid][rating] += 1
    texts: dict[int, list[str]] = defaultdict(list)
    for qid, text in answers.exclude(text="").values_list("question_id", "text"):
        texts[qid].append(text)
    items = []
    for q in questions:
        if q.kind == QuestionKind.RATING:
            counts = [dist[q.pk].get(i, 0) for i in range(1, 6)]
            row = stats.get(q.pk, {})
            items.append(
                {
                    "question": q,
                    "avg": row.get("avg"),
                    "n": row.get("n", 0),
                    "chart": bar_chart(
                        ["1", "2", "3", "4", "5"], counts, width=360, height=180, max_value=_quarter_max(max(counts))
                    )
                    if any(counts)
                    else "",
                }
            )
        else:
            items.append({"question": q, "texts": texts.get(q.pk, [])})
    responses = event.registrations.filter(feedback__isnull=False).count()
    return {"items": items, "responses": responses}


# --- The bank -----------------------------------------------------------------------------


def materials_search(queryset: QuerySet, text: str) -> QuerySet:
    """Full-text search in Russian on PostgreSQL («оценивание» finds «оцениванию»);
    a plain substring search on SQLite."""
    text = (text or "").strip()
    if not text:
        return queryset
    if settings.IS_POSTGRES:
        vector = (
            SearchVector("title", weight="A", config="russian")
            + SearchVector("description", weight="B", config="russian")
            + SearchVector("authors", weight="C", config="russian")
        )
        query = SearchQuery(text, config="russian", search_type="websearch")
        return (
            queryset.annotate(rank=SearchRank(vector, query))
            .filter(Q(rank__gt=0) | Q(themes__name__icontains=text))
            .distinct()
            .order_by("-rank", "-id")
        )
    return queryset.filter(
        Q(title__icontains=text)
        | Q(description__icontains=text)
        | Q(authors__icontains=text)
        | Q(themes__name__icontains=text)
    ).distinct()


def materials_visible(user) -> QuerySet:
    return Material.objects.restrict(user, VIEW).select_related("school", "municipality").prefetch_related("themes")


# --- Participation analytics --------------------------------------------------------------


def participation_by_school(user, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Per school in the user's scope: people who attended, events attended, by format and by theme."""
    schools = schools_for(user, VIEW).select_related("municipality").order_by("municipality__name", "sort_name")
    attended = Registration.objects.filter(
        school__in=schools,
        status=RegistrationStatus.REGISTERED,
        attended=True,
        event__start__date__gte=date_from,
        event__start__date__lte=date_to,
    ).order_by()  # no default ordering in the GROUP BY
    people = dict(attended.values("school_id").annotate(n=Count("id")).values_list("school_id", "n"))
    events = dict(
        attended.values("school_id").annotate(n=Count("event_id", distinct=True)).values_list("school_id", "n")
    )
    by_format: dict[int, Counter] = defaultdict(Counter)
    for school_id, fmt, n in attended.values_list("school_id", "event__format").annotate(
        n=Count("event_id", distinct=True)
    ):
        by_format[school_id][fmt] = n
    by_theme: dict[int, Counter] = defaultdict(Counter)
    for school_id, theme, n in (
        attended.filter(event__themes__isnull=False)
        .values_list("school_id", "event__themes__name")
        .annotate(n=Count("event_id", distinct=True))
    ):
        by_theme[school_id][theme] = n
    labels = dict(EventFormat.choices)
    rows = []
    for school in schools:
        if school.pk not in events and not school.is_active:
            continue
        rows.append(
            {
                "school": school,
                "events": events.get(school.pk, 0),
                "people": people.get(school.pk, 0),
                "formats": sorted(
                    ((labels.get(f, f), n) for f, n in by_format[school.pk].items()), key=lambda x: -x[1]
                ),
                "themes": sorted(by_theme[school.pk].items(), key=lambda x: -x[1]),
            }
        )
    total_by_format = Counter()
    for counter in by_format.values():
        total_by_format.update(counter)
    chart = ""
    if total_by_format:
        items = total_by_format.most_common(10)
        chart = bar_chart([str(labels.get(f, f)) for f, _ in items], [n for _, n in items], width=640, height=280)
    return {"rows": rows, "chart": chart}


def low_results_schools(user) -> QuerySet:
    """Schools in the user's scope with a current ШНОР status (``schools.selectors``)."""
    from schools.selectors import low_results_schools as holding

    return holding(schools_for(user, VIEW), current_academic_year())


def low_results_without_participation(user, months: int = 6) -> QuerySet:
    """ШНОР of the user's scope whose people attended no event in the last ``months`` months."""
    now = timezone.now()
    return _without_participation(user, now, _months_before(now, months))


def low_results_without_participation_head(user, months: int = 6, limit: int = 10) -> list:
    """The first ``limit`` rows of ``low_results_without_participation`` (the home panel),
    compiled once per reader's scope and year (core/compiled.py)."""
    now = timezone.now()
    key = ("events.idle", scope_key(user), current_academic_year(), limit)
    return list(
        prepared(
            key, lambda now, since: _without_participation(user, now, since)[:limit], now, _months_before(now, months)
        )
    )


def low_results_count(user) -> int:
    """How many schools ``low_results_schools`` gives: the home's schools panel's figure
    (compiled once per scope and year, read once per page: schools.selectors)."""
    from schools.selectors import low_results_count_kept

    return low_results_count_kept((scope_key(user),), lambda: low_results_schools(user), current_academic_year())


def _months_before(now, months: int):
    return now - datetime.timedelta(days=round(months * 30.44))


def _without_participation(user, now, since) -> QuerySet:
    attended = Registration.objects.filter(
        school=OuterRef("pk"),
        status=RegistrationStatus.REGISTERED,
        attended=True,
        event__start__gte=since,
        event__start__lte=now,
    )
    last = Registration.objects.filter(
        school=OuterRef("pk"), status=RegistrationStatus.REGISTERED, attended=True
    ).order_by("-event__start")
    from django.db.models import Subquery

    return (
        low_results_schools(user)
        .exclude(Exists(attended))
        .annotate(last_event=Subquery(last.values("event__start")[:1]))
        .select_related("municipality")
        .order_by("municipality__name", "sort_name")
    )


def school_participation(school, since_days: int = 365) -> dict:
    """The card's participation of one school: its queries compiled once for every school
    (core/compiled.py; the school's id and the times swapped in)."""
    now = timezone.now()
    since = now - datetime.timedelta(days=since_days)

    def regs(sid, since):
        return Registration.objects.filter(school_id=sid, event__start__gte=since).exclude(
            status=RegistrationStatus.CANCELLED
        )

    counts = prepared_aggregate(
        ("events.participation",),
        regs,
        school.pk,
        since,
        n_registered=Count("id"),
        n_attended=Count("id", filter=Q(attended=True)),
        n_events=Count("event_id", filter=Q(attended=True), distinct=True),
    )
    recent = prepared(
        ("events.participation_recent",),
        lambda sid, since: (
            regs(sid, since)
            .filter(attended=True)
            .select_related("event")
            .order_by("-event__start")
            .values("event_id", "event__title", "event__start")[:5]
        ),
        school.pk,
        since,
    )
    upcoming = prepared(
        ("events.school_upcoming",),
        lambda sid, now: _registrations_of_school(sid, now)[:5],
        school.pk,
        now,
    )
    return {
        "registered": counts["n_registered"],
        "attended": counts["n_attended"],
        "events": counts["n_events"],
        "recent": list(recent),
        "upcoming": list(upcoming),
    }


def event_summary_context(event: Event) -> dict:
    """What the summary (итоговая справка) shows: programme, participants by school,
    attendance, feedback, decisions."""
    by_school = list(
        event.registrations.filter(status=RegistrationStatus.REGISTERED)
        .values("school__short_name")
        .annotate(registered=Count("id"), attended=Count("id", filter=Q(attended=True)))
        .order_by("school__sort_name")
    )
    for row in by_school:
        row["share"] = row["attended"] / row["registered"] if row["registered"] else None
    counts = registration_counts(event)
    return {
        "event": event,
        "agenda": list(event.agenda.all()),
        "organiser_schools": list(event.organiser_schools.all()),
        "by_school": by_school,
        "counts": counts,
        "feedback": feedback_summary(event),
        "attendance_chart": bar_chart(
            [r["school__short_name"] for r in by_school], [r["attended"] for r in by_school], width=640, height=240
        )
        if by_school
        else "",
    }


# --- Figures: one selector per figure (tests/test_figures.py) ---------------------------


def held_q(as_of: datetime.datetime | None = None, prefix: str = "") -> Q:
    """An event held by ``as_of`` (default: now): not cancelled and over — by its date and its
    status together; a planned event is never counted as held before its end, whatever its
    status says."""
    as_of = as_of or timezone.now()
    return Q(**{f"{prefix}end__lte": as_of}) & ~Q(**{f"{prefix}status": EventStatus.CANCELLED})


def events_held(events: QuerySet | None = None, year: int | None = None, as_of=None) -> QuerySet:
    """Events held among ``events`` (default: all), of academic ``year`` when given."""
    from core.years import academic_year_bounds

    qs = Event.objects.all() if events is None else events
    qs = qs.filter(held_q(as_of))
    if year is not None:
        first, last = academic_year_bounds(year)
        qs = qs.filter(start__date__gte=first, start__date__lte=last)
    return qs
