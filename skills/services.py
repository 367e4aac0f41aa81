"""Writes of the skills app: task-plan imports (check → preview → import, whole or nothing),
the skill figures of an analysis run (on assessment's ``analysis_computed``), skill tags of
events and materials, and the one-click registration for a recommended event."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import scoping
from assessment.models import MaxScore, Procedure, Result, Subject
from core.checked_imports import CheckedImportService, ImportRefused
from core.years import academic_year_label
from skills.fileformat import PLAN_FILE, Checked, PlanRows, check_table, plans_of
from skills.models import PlanImport, PlanTask, Skill, TaskPlan, label_sort_key

log = logging.getLogger(__name__)


# --- the plans as the results import reads them -------------------------------------------------


@dataclass(frozen=True)
class PlanShape:
    """A stored plan as the results import checks rows against it."""

    total: int
    tasks: dict[str, tuple[int, int]]  # label → (slot, maximum)
    width: int  # length of a row's task-score array


def plan_shapes(years=None) -> dict[tuple, PlanShape]:
    """(year, procedure_id, subject_id, grade) → PlanShape, for ``years`` (every year by default)."""
    plans = TaskPlan.objects.all()
    if years is not None:
        plans = plans.filter(year__in=list(years))
    tasks: dict[int, dict] = {}
    for plan_id, label, position, max_score in PlanTask.objects.filter(plan__in=plans).values_list(
        "plan_id", "label", "position", "max_score"
    ):
        tasks.setdefault(plan_id, {})[label] = (position, max_score)
    result = {}
    for p in plans:
        t = tasks.get(p.pk, {})
        width = max((pos for pos, _m in t.values()), default=-1) + 1
        result[(p.year, p.procedure_id, p.subject_id, p.grade)] = PlanShape(p.max_total, t, width)
    return result


def work_label(key: tuple, procedures: dict | None = None, subjects: dict | None = None) -> str:
    """«2024/2025, ВПР, Математика, 5 класс» for a (year, procedure_id, subject_id, grade);
    ``procedures`` and ``subjects`` (id → code, id → name) spare the queries."""
    year, procedure_id, subject_id, grade = key
    if procedures is None:
        procedures = dict(Procedure.objects.filter(pk=procedure_id).values_list("id", "code"))
    if subjects is None:
        subjects = dict(Subject.objects.filter(pk=subject_id).values_list("id", "name"))
    procedure = procedures.get(procedure_id, procedure_id)
    subject = subjects.get(subject_id, subject_id)
    return _("%(year)s, %(procedure)s, %(subject)s, grade %(grade)s") % {
        "year": academic_year_label(year),
        "procedure": procedure,
        "subject": subject,
        "grade": grade,
    }


# --- plan import ----------------------------------------------------------------------------------


class PlanImportRefused(ImportRefused):
    """The import cannot be confirmed (already imported, cancelled, not yours)."""

    not_yours = gettext_lazy("Only a coordinator may import task plans.")


def _result_maxima(keys: list[tuple]) -> dict[tuple, set[float]]:
    """The Максимальный балл values of results already imported, per work key."""
    if not keys:
        return {}
    years = sorted({k[0] for k in keys})
    found: dict[tuple, set[float]] = {}
    rows = (
        Result.objects.filter(year__in=years)
        .order_by()
        .values_list("year", "procedure_id", "subject_id", "grade", "max_score")
        .distinct()
    )
    wanted = set(keys)
    for y, p, s, g, m in rows:
        if (y, p, s, g) in wanted:
            found.setdefault((y, p, s, g), set()).add(m)
    return found


def _labels_with_scores(plan: TaskPlan, dropped: dict[str, int]) -> list[str]:
    """Those of ``dropped`` (label → slot) that carry a score on a stored result of the plan's work."""
    if not dropped:
        return []
    R = connection.ops.quote_name(Result._meta.db_table)
    found = []
    with connection.cursor() as c:
        for label, slot in sorted(dropped.items(), key=lambda i: label_sort_key(i[0])):
            cell = (
                f"task_scores[{slot + 1}]"
                if connection.vendor == "postgresql"
                else f"json_extract(task_scores, '$[{slot}]')"
            )
            c.execute(
                f"""SELECT 1 FROM {R} WHERE year = %s AND procedure_id = %s AND subject_id = %s AND grade = %s
                    AND task_scores IS NOT NULL AND {cell} IS NOT NULL LIMIT 1""",
                list(plan.key),
            )
            if c.fetchone():
                found.append(label)
    return found


def _stored_plans(checked: Checked) -> dict[tuple, TaskPlan]:
    return {p.key: p for p in TaskPlan.objects.filter(year__in=checked.years).prefetch_related("tasks")}


def plan_import_check(table) -> Checked:
    """Check a plan file: its rows (``check_table``), then each work against the database — the
    catalogue's maximum, the maximum of results already imported, and the labels with scores
    that a new plan would drop."""
    checked = check_table(table)
    if checked.errors:
        return checked
    plans = plans_of(checked)
    catalogue = {(m.procedure_id, m.subject_id, m.grade): m.max_score for m in MaxScore.objects.all()}
    maxima = _result_maxima(list(plans))
    stored = _stored_plans(checked)
    for key, plan in plans.items():
        line = plan.lines[0]
        _y, p, s, g = key
        known = catalogue.get((p, s, g)) or catalogue.get((p, s, None))
        if known is not None and abs(known - plan.total) > 1e-9:
            checked.error(
                line,
                "max_score",
                plan.total,
                _(
                    "The tasks' maxima of %(work)s add up to %(sum)s, but the catalogue's maximum of the work "
                    "is %(max)s."
                )
                % {"work": work_label(key), "sum": plan.total, "max": f"{known:g}"},
            )
        for value in sorted(maxima.get(key, ())):
            if abs(value - plan.total) > 1e-9:
                checked.error(
                    line,
                    "max_score",
                    plan.total,
                    _(
                        "The tasks' maxima of %(work)s add up to %(sum)s, but results already imported for it "
                        "have the maximum score %(max)s."
                    )
                    % {"work": work_label(key), "sum": plan.total, "max": f"{value:g}"},
                )
        old = stored.get(key)
        if old is not None:
            new_labels = {t.label for t in plan.tasks}
            dropped = {t.label: t.position for t in old.tasks.all() if t.label not in new_labels}
            lost = _labels_with_scores(old, dropped)
            if lost:
                checked.error(
                    line,
                    "task",
                    ", ".join(lost),
                    _(
                        "The new plan of %(work)s lacks tasks that have scores in imported results: %(labels)s. "
                        "Keep these tasks in the plan (or import the results again without them first)."
                    )
                    % {"work": work_label(key), "labels": ", ".join(lost)},
                )
    checked.errors.sort(key=lambda e: e["row"])
    return checked


class PlanImportService(CheckedImportService):
    model = PlanImport
    file = PLAN_FILE
    refused = PlanImportRefused

    def may_import(self, user) -> bool:
        return scoping.may_import(user)

    def validate(self, table, batch) -> Checked:
        return plan_import_check(table)

    def summary(self, batch, checked):
        plans = plans_of(checked)
        replaced = set(_stored_plans(checked)) & set(plans)
        message = _("Check passed: %(n)d tasks of %(plans)d works. Look through them and confirm the import.")
        return {
            "plans_total": len(plans),
            "plans_replaced": len(replaced),
            "message": message % {"n": len(checked.rows), "plans": len(plans)},
        }

    def apply(self, batch, checked, user):
        """Each work's plan replaces the stored one (scores stay attached by label); the
        analysis follows for the years it touched."""
        plans = plans_of(checked)
        replaced = sum(_write_plan(plan, batch) for plan in plans.values())
        years = checked.years
        transaction.on_commit(lambda: _queue_analysis(years, f"plans:{batch.pk}"))
        message = _("Imported %(n)d tasks of %(plans)d works (%(replaced)d plans replaced).")
        return {
            "plans_total": len(plans),
            "plans_replaced": replaced,
            "message": message % {"n": len(checked.rows), "plans": len(plans), "replaced": replaced},
        }

    def lock(self) -> None:
        """No results import writes meanwhile: what the check found stays true."""
        from assessment.services import _import_lock

        _import_lock()


# Upload and check (refused with every error, or checked and waiting), import a checked batch
# whole (checked again first), cancel it, the command's door: ``PLAN_IMPORT.create`` …
PLAN_IMPORT = PlanImportService()


@dataclass
class PreviewPlan:
    work: str
    tasks: list  # TaskRow
    total: int
    replaces: bool
    old_tasks: int


def plan_import_preview(batch: PlanImport) -> list[PreviewPlan]:
    """The works of a checked batch as they would be imported, each new or replacing a stored plan."""
    checked = PLAN_IMPORT.check(batch)
    if checked.errors:
        return []
    stored = _stored_plans(checked)
    out = []
    for key, plan in plans_of(checked).items():
        old = stored.get(key)
        out.append(
            PreviewPlan(work_label(key), plan.tasks, plan.total, old is not None, len(old.tasks.all()) if old else 0)
        )
    return out


def _queue_analysis(years: list[int], trigger: str) -> None:
    from assessment.services import _queue_analysis as queue

    queue(years, trigger)


def _skill(subject_id: int, text: str, key: str, cache: dict) -> Skill:
    skill = cache.get((subject_id, key))
    if skill is None:
        skill = Skill.objects.filter(subject_id=subject_id, key=key).first()
        if skill is None:
            skill = Skill(subject_id=subject_id, text=text)
            skill.save()
        cache[(subject_id, key)] = skill
    return skill


def _write_plan(rows: PlanRows, batch: PlanImport | None, cache: dict | None = None) -> int:
    """Write one work's plan; returns 1 when it replaced a stored plan.  A label keeps its slot."""
    cache = {} if cache is None else cache
    plan, created = TaskPlan.objects.get_or_create(
        year=rows.year,
        procedure_id=rows.procedure_id,
        subject_id=rows.subject_id,
        grade=rows.grade,
        defaults={"max_total": rows.total, "batch": batch},
    )
    old = {t.label: t for t in plan.tasks.all()}
    next_slot = max((t.position for t in old.values()), default=-1) + 1
    keep = set()
    for order, t in enumerate(rows.tasks):
        skill = _skill(rows.subject_id, t.skill, t.skill_key, cache)
        task = old.get(t.label)
        if task is None:
            task = PlanTask(plan=plan, label=t.label, position=next_slot)
            next_slot += 1
        task.max_score, task.skill, task.kes_codes, task.topic, task.order = (
            t.max_score,
            skill,
            t.kes_codes,
            t.topic,
            order,
        )
        task.save()
        keep.add(task.pk)
    plan.tasks.exclude(pk__in=keep).delete()
    if not created:
        plan.max_total, plan.batch = rows.total, batch
        plan.save(update_fields=["max_total", "batch", "updated"])
    return 0 if created else 1


# --- targeted help: one click registers the school's teachers ---------------------------------------


def teachers_for(school, deficits) -> list:
    """The people one click registers: the teachers of the deficits' results by their anonymous
    codes (the school renames them on the event's page), or one «teacher of the subject»."""
    from events.services import Person

    codes = []
    for d in deficits:
        found = (
            Result.objects.filter(
                school=school, year=d.year, procedure_id=d.procedure_id, subject_id=d.subject_id, grade=d.grade
            )
            .exclude(teacher_code="")
            .order_by("teacher_code")
            .values_list("teacher_code", flat=True)
            .distinct()
        )
        for code in found:
            if code not in codes:
                codes.append(code)
    subject = deficits[0].subject.name if deficits else ""
    position = _("teacher of %(subject)s") % {"subject": subject}
    if not codes:
        return [Person(full_name=_("Teacher of %(subject)s") % {"subject": subject}, position=position)]
    return [Person(full_name=_("Teacher %(code)s") % {"code": code}, position=position) for code in codes[:10]]


def register_for_recommended(*, user, school, event_id: int) -> list:
    """Register the school's teachers for an event recommended to it (through the events'
    own registration service: its scope, capacity and deadline rules)."""
    from django.core.exceptions import ValidationError

    from events.services import registrations_create
    from skills import selectors

    recommended = {r.item.pk: r for r in selectors.recommended_events(school)}
    rec = recommended.get(int(event_id))
    if rec is None:
        raise ValidationError(_("The event is not among the events recommended to the school."))
    return registrations_create(user, rec.item, school, teachers_for(school, rec.covers))
