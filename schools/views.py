from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import MANAGE, schools_for
from core.cache import cached, fragment_key
from core.compiled import prepared
from core.dashboard import can_see, school_sections
from core.generic import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView, PreparedObjectMixin
from core.years import current_academic_year
from schools.filters import SchoolFilterSet
from schools.forms import SchoolForm
from schools.models import School
from schools.selectors import school_figures, working_table
from schools.tables import SchoolTable


class SchoolListView(ObjectListView):
    """The coordinator's working table: status this year, index, flags, risk level, curators,
    last visit and roadmap progress of every school in scope — one query for the page's rows
    whatever their number (``schools.selectors.working_table``), the same in the xlsx."""

    queryset = School.objects.select_related("municipality")
    table_class = SchoolTable
    filterset_class = SchoolFilterSet
    title = _("Schools")
    export_name = "schools"
    create_url_name = "schools:school-create"
    template_name = "schools/school_list.html"
    cache_fragment = True

    def get_queryset(self):
        from assessment.selectors import results_year

        schools = super().get_queryset()
        self.year = current_academic_year()
        self.results_year = results_year(schools)
        return working_table(schools, self.year, self.results_year)

    def get_table_kwargs(self):
        kwargs = {**super().get_table_kwargs(), "year": self.year, "results_year": self.results_year}
        # The municipality column only where the reader's schools lie in several.
        municipalities = schools_for(self.request.user).values_list("municipality_id", flat=True)
        if len(set(municipalities.order_by().distinct()[:2])) <= 1:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "municipality")
        return kwargs


class SchoolDetailView(PreparedObjectMixin, ObjectDetailView):
    queryset = School.objects.select_related("municipality__region")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        school, user = self.object, self.request.user

        def card():
            history = prepared(
                ("card.history",),
                lambda sid: School.history.filter(id=sid).select_related("history_user").order_by("-history_date")[:10],
                school.pk,
            )
            return {
                "can_manage": can_see(user, MANAGE, school),
                "figures": school_figures(school),
                "sections": school_sections(user, school),
                "history": list(history),
            }

        # The card's figures under the data generation and the user's scope (core/cache.py);
        # the school itself was just read through the scope check (404 outside it).
        ctx.update(cached(fragment_key("card-page", user, school.pk, request=self.request), card))
        return ctx


class SchoolCreateView(ObjectCreateView):
    model = School
    form_class = SchoolForm
    title = _("New school")
    success_message = _("The school has been created.")


class SchoolUpdateView(ObjectUpdateView):
    model = School
    form_class = SchoolForm
    title = _("Edit school")
    success_message = _("The school has been saved.")

    def get_success_url(self) -> str:
        return reverse("schools:school-detail", args=[self.object.pk])
