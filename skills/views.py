"""Pages of the skills app: the municipality's weak skills and the schools' deficits, a
school's skills profile (heat map, tasks, municipality beside it, recommended help), the task
plans and the skill catalogue, plan imports (upload → preview or every error → confirm), the
one-click registration for a recommended event, and «did the help help?»."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts import scoping
from accounts.scoping import VIEW, municipalities_overseen
from assessment.models import Procedure, Subject
from core import imports
from core.generic import ObjectActionView, ObjectDetailView, ObjectListView
from core.years import academic_year_label
from schools.models import School
from skills import selectors, services
from skills.filters import (
    MunicipalSkillFilterSet,
    PlanImportFilterSet,
    SkillFilterSet,
    SkillResultFilterSet,
    TaskPlanFilterSet,
)
from skills.forms import PlanImportForm
from skills.models import MunicipalSkillResult, Skill, SkillResult, TaskPlan
from skills.tables import MunicipalSkillTable, PlanImportTable, SkillResultTable, SkillTable, TaskPlanTable


class _LatestYearDefault:
    """Without a chosen year, the list opens on the latest year of its figures."""

    default_filters: dict = {}

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        if not data or set(data) <= {"page", "sort", "per_page"}:
            year = self.get_queryset().aggregate(y=Max("year"))["y"]
            if year is not None:
                data["year"] = str(year)
            for k, v in self.default_filters.items():
                data.setdefault(k, v)
        kwargs["data"] = data
        return kwargs

    def get_table_kwargs(self):
        """A value the filter names (year, municipality, the flag) is not repeated on every row of
        the page (the export keeps them)."""
        kwargs = super().get_table_kwargs()
        form = self.filterset.form
        if self.request.GET.get("export") != "xlsx" and form.is_valid():
            named = [
                n for n in ("year", "municipality", *self.default_filters) if form.cleaned_data.get(n) not in (None, "")
            ]
            kwargs["exclude"] = (*kwargs.get("exclude", ()), *named)
        return kwargs


class WeakSkillsView(_LatestYearDefault, ObjectListView):
    """The municipality's skills by completion: the weak ones (below 50 %) first, with the
    number of schools that have a deficit in them."""

    queryset = MunicipalSkillResult.objects.select_related("municipality", "procedure", "subject", "skill").order_by(
        "completion"
    )
    table_class = MunicipalSkillTable
    filterset_class = MunicipalSkillFilterSet
    template_name = "skills/weak_skills.html"
    title = gettext_lazy("Weak skills of the municipality")
    export_name = "weak-skills"
    default_filters = {"weak": "true"}


class DeficitListView(_LatestYearDefault, ObjectListView):
    """The schools' skill completion against the municipality's: the deficits by default."""

    queryset = SkillResult.objects.select_related("school", "procedure", "subject", "skill").order_by("-gap")
    table_class = SkillResultTable
    filterset_class = SkillResultFilterSet
    template_name = "skills/deficit_list.html"
    title = gettext_lazy("Skill deficits of the schools")
    export_name = "skill-deficits"
    default_filters = {"deficit": "true"}


class SchoolProfileView(LoginRequiredMixin, TemplateView):
    """A school's skills profile: the skills × years heat map (the municipality beside each
    cell), the tasks behind each skill, the deficits and the recommended help."""

    template_name = "skills/school.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        school = get_object_or_404(
            School.objects.restrict(self.request.user, VIEW).select_related("municipality"), pk=kwargs["pk"]
        )
        procedure = self.request.GET.get("procedure", "")
        subject = self.request.GET.get("subject", "")
        procedure_id = int(procedure) if procedure.isdigit() else None
        subject_id = int(subject) if subject.isdigit() else None
        profile = selectors.school_profile(school, procedure_id, subject_id)
        present = SkillResult.objects.filter(school=school)
        ctx.update(
            school=school,
            profile=profile,
            chart=selectors.profile_chart(profile, _("Skill completion, %")) if profile["rows"] else "",
            procedures=Procedure.objects.filter(pk__in=present.values("procedure_id")),
            subjects=Subject.objects.filter(pk__in=present.values("subject_id")),
            procedure_id=procedure_id,
            subject_id=subject_id,
            help=selectors.school_help(school, user=self.request.user),
            may_register=scoping.may_register_for(self.request.user, school),
        )
        return ctx


# --- task plans and the catalogue ---------------------------------------------------------------


class PlanListView(ObjectListView):
    queryset = TaskPlan.objects.select_related("procedure", "subject").annotate(n_tasks=Count("tasks"))
    table_class = TaskPlanTable
    filterset_class = TaskPlanFilterSet
    template_name = "skills/plan_list.html"
    title = gettext_lazy("Task plans")
    export_name = "task-plans"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_import"] = scoping.may_import(self.request.user)
        return ctx


class PlanDetailView(ObjectDetailView):
    queryset = TaskPlan.objects.select_related("procedure", "subject", "batch")
    template_name = "skills/plan_detail.html"
    context_object_name = "plan"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tasks"] = selectors.plan_tasks(self.object)
        ctx["can_import"] = scoping.may_import(self.request.user)
        return ctx


class SkillListView(ObjectListView):
    queryset = Skill.objects.select_related("subject").annotate(
        n_tasks=Count("tasks", distinct=True),
        n_events=Count("events", distinct=True),
        n_materials=Count("materials", distinct=True),
    )
    table_class = SkillTable
    filterset_class = SkillFilterSet
    title = gettext_lazy("Skill catalogue")
    export_name = "skills"


# --- plan imports ------------------------------------------------------------------------------


class ImportUploadView(imports.ImportUploadView):
    service = services.PLAN_IMPORT
    form_class = PlanImportForm
    template_name = "skills/import_form.html"


class ImportListView(imports.ImportListView):
    service = services.PLAN_IMPORT
    table_class = PlanImportTable
    filterset_class = PlanImportFilterSet
    title = gettext_lazy("Task plan imports")
    export_name = "task-plan-imports"


class ImportDetailView(imports.ImportDetailView):
    """A checked file: its works and tasks as they would be imported, new or replacing a plan,
    and the buttons to import or cancel; a refused one: every error."""

    template_name = "skills/import_detail.html"
    service = services.PLAN_IMPORT

    def preview(self, batch) -> dict:
        return {"preview": services.plan_import_preview(batch)}


# --- one click: register the school's teachers for a recommended event -----------------------------


def _register_for_event(view, school):
    try:
        return services.register_for_recommended(user=view.request.user, school=school, event_id=view.kwargs["event"])
    except PermissionDenied:
        raise Http404 from None


class RegisterForEventView(ObjectActionView):
    """One click: the school's teachers registered for an event recommended to it."""

    queryset = School.objects.all()
    actions = {
        "register": (
            _register_for_event,
            lambda created: (
                _("Registered for «%(event)s»: %(names)s.")
                % {"event": created[0].event.title, "names": ", ".join(r.full_name for r in created)}
            ),
        )
    }
    default_action = "register"

    def get_object(self):
        self.kwargs["pk"] = self.kwargs["school"]
        return super().get_object()

    def get_success_url(self, school) -> str:
        return reverse("skills:school", args=[school.pk])


# --- did the help help? --------------------------------------------------------------------------


class HelpEffectView(LoginRequiredMixin, TemplateView):
    """TASKS.md §5 for a municipality, procedure, subject, skill and year Y → Y+1."""

    template_name = "skills/help_effect.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        overseen = municipalities_overseen(self.request.user)
        if not overseen.exists():
            raise Http404
        get = self.request.GET
        muni_id = get.get("municipality", "")
        municipality = (overseen.filter(pk=int(muni_id)).first() if muni_id.isdigit() else None) or overseen.order_by(
            "name"
        ).first()
        options = selectors.help_effect_options(municipality)
        skills = Skill.objects.in_bulk({o["skill_id"] for o in options})
        procedures = Procedure.objects.in_bulk({o["procedure_id"] for o in options})
        subjects = Subject.objects.in_bulk({o["subject_id"] for o in options})
        choices = [
            {
                "value": f"{o['procedure_id']}-{o['subject_id']}-{o['skill_id']}-{o['year']}",
                "label": f"{academic_year_label(o['year'])} → {academic_year_label(o['year'] + 1)}: "
                f"{procedures[o['procedure_id']].code}, {subjects[o['subject_id']].name} — {skills[o['skill_id']].text}",
                **o,
            }
            for o in options
        ]
        choices.sort(key=lambda c: (-c["year"], c["label"]))
        chosen = get.get("case", "")
        case = next((c for c in choices if c["value"] == chosen), choices[0] if choices else None)
        effect = None
        if case is not None:
            effect = selectors.help_effect(
                municipality, case["procedure_id"], case["subject_id"], case["skill_id"], case["year"]
            )
        ctx.update(
            municipalities=overseen.order_by("name"),
            municipality=municipality,
            choices=choices,
            case=case,
            skill=skills.get(case["skill_id"]) if case else None,
            effect=effect,
        )
        return ctx
