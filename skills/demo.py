"""Demo of task-level results: the task plans of the demo works (imported through the ordinary
plan import before the demo results, which then carry task scores: assessment/demo.py), and
per demo municipality, after the analysis, events and bank materials tagged with its weakest
skills — upcoming ones (recommended to the schools with a deficit) and one held in the latest
results' year with attendance (so «did the help help?» has both parts).  Idempotent."""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assessment.synthetic import PLAN_HEADER, plan_rows
from core.models import ImportState
from skills import services
from skills.models import MunicipalSkillResult, PlanImport, SkillResult


def _plan_file(years) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(PLAN_HEADER)
    writer.writerows(plan_rows(years))
    return buf.getvalue().encode("utf-8")


def load_plans(years) -> None:
    content = _plan_file(sorted(years))
    if PlanImport.objects.filter(checksum=hashlib.sha256(content).hexdigest(), status=ImportState.DONE).exists():
        return
    with transaction.atomic():
        batch = services.PLAN_IMPORT.create(user=None, uploaded_file=ContentFile(content, name="demo-task-plans.csv"))
        if batch.status != ImportState.CHECKED:
            raise RuntimeError(f"demo task plans were refused: {batch.errors[:5]}")
        batch = services.PLAN_IMPORT.confirm(batch=batch, user=None)
    if batch.status != ImportState.DONE:
        raise RuntimeError(f"demo task plans were refused: {batch.errors[:5]}")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


FORMATS = {"Математика": "Методический десант", "Русский язык": "Практикум"}
DEMO_SCHOOLS = {"Каменск-Уральский городской округ": ("Лицей № 9", "СШ № 17")}


@transaction.atomic
def load(ctx) -> None:
    from events.demo import _event, _material, _register
    from events.models import AudienceKind, EventStatus, MaterialKind

    latest = MunicipalSkillResult.objects.aggregate(y=Max("year"))["y"]
    if latest is None:
        return
    today = timezone.localdate()
    for n, municipality in enumerate(sorted(ctx.municipalities.values(), key=lambda m: m.name)):
        common = list(
            MunicipalSkillResult.objects.filter(municipality=municipality, year=latest, procedure__code="ВПР")
            .select_related("skill", "subject")
            .order_by("-deficit_schools", "completion")[:20]
        )
        skills = []
        for w in common:  # the two skills most schools lack, of different subjects
            if len(skills) < 2 and w.subject_id not in {s.subject_id for s in skills}:
                skills.append(w.skill)
        for school in DEMO_SCHOOLS.get(municipality.name, ()):  # and the demo users' schools' first deficit
            found = SkillResult.objects.filter(
                school=ctx.school(municipality.name, school), year=latest, deficit=True
            ).select_related("skill__subject")
            top = max(found, key=lambda d: d.gap * d.participants, default=None)
            if top is not None and top.skill not in skills:
                skills.append(top.skill)
        for k, skill in enumerate(skills):
            subject = skill.subject.name
            day = today + datetime.timedelta(days=16 + 7 * k + n)
            title = f"{FORMATS.get(subject, 'Практикум')}: {skill.text[0].lower()}{skill.text[1:]}"
            upcoming = _event(
                municipality,
                title[:480],
                _at(day, 14),
                end=_at(day, 16),
                by_title=True,
                format="seminar_practicum",
                status=EventStatus.PLANNED,
                audience_kind=AudienceKind.TEACHERS,
                audience=f"Учителя предмета «{subject}» школ с дефицитом этого умения",
                place="Центр развития образования",
                capacity=40,
                registration_deadline=_at(day - datetime.timedelta(days=2), 18),
                goal=f"Разбор заданий ВПР, проверяющих умение «{skill.text}», и приёмы его формирования.",
                tasks="Разобрать типичные ошибки по заданиям\nОтработать приёмы на уроке",
            )
            skill.events.add(upcoming)
            material = _material(
                municipality,
                f"Банк заданий и приёмов: {skill.text[0].lower()}{skill.text[1:]}"[:480],
                kind=MaterialKind.METHODICAL,
                description=f"Подборка заданий и методических приёмов по умению «{skill.text}» ({subject}) "
                "по итогам анализа выполнения заданий ВПР.",
                authors="Муниципальное методическое объединение",
                year=today.year,
                themes=["Профилактика учебной неуспешности"],
            )
            skill.materials.add(material)
            _held_event(municipality, skill, latest, n * 10 + k, _event, _register)


def _held_event(municipality, skill, latest: int, seed: int, _event, _register) -> None:
    """An event tagged with the skill held in the academic year ``latest`` (after the deficits of
    ``latest − 1``), attended by every other school with a deficit in that skill then."""
    from events.models import AudienceKind, EventStatus

    deficits = list(
        SkillResult.objects.filter(municipality=municipality, year=latest - 1, skill=skill, deficit=True)
        .order_by("school__sort_name")
        .values_list("school_id", flat=True)
        .distinct()
    )
    if not deficits:
        return
    day = datetime.date(latest, 11, 18)
    event = _event(
        municipality,
        f"Семинар-практикум по итогам ВПР: {skill.text[0].lower()}{skill.text[1:]}"[:480],
        _at(day, 14),
        end=_at(day, 16),
        same_year=True,
        format="seminar_practicum",
        status=EventStatus.HELD,
        audience_kind=AudienceKind.TEACHERS,
        audience="Учителя школ с дефицитом умения",
        place="Центр развития образования",
    )
    skill.events.add(event)
    from schools.models import School

    for i, school in enumerate(School.objects.filter(pk__in=deficits).order_by("sort_name")):
        if i % 2 == 0:
            _register(event, school, 2, seed * 31 + i, attended=True)
