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
from schools.selectors import attach_statuses_now, finish_figures, school_figures, without_finished, working_table
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
    # The page's rows through prepared queries (``get``); False: FilterView's own way (the
    # xlsx export always; tests compare the two).
    prepared_rows = True

    def get(self, request, *args, **kwargs):
        """FilterView's ``get``, with the page's rows read through prepared queries: the
        filterset validates and shows the filters, and its values (with the reader's scope,
        the year and the date) are the key of the rows' SQL (``core.tables.PreparedTableData``),
        which is built (``filtered``) only when it is compiled.  The xlsx export (every row)
        takes FilterView's own way."""
        self.year = current_academic_year()
        self.results_year = self.latest_results_year()
        if not self.rows_prepared():
            return super().get(request, *args, **kwargs)
        from core.tables import PreparedTableData

        self.filterset = self.get_filterset(self.get_filterset_class())
        self.object_list = PreparedTableData(
            School, self.rows_key(), self.filtered, attach=self.attach_page, read=without_finished
        )
        return self.render_to_response(self.get_context_data(filter=self.filterset, object_list=self.object_list))

    def attach_page(self, rows: list) -> None:
        """A page's rows as ``working_table`` gives them: its statuses (instead of the
        prefetch) and the figures finished in Python (``without_finished``)."""
        finish_figures(rows)
        attach_statuses_now(rows, self.year)

    def latest_results_year(self) -> int | None:
        """``assessment.selectors.results_year`` of the reader's schools, prepared per scope."""
        from django.db.models import Max

        from assessment.selectors import results_of
        from core.cache import scope_key
        from core.compiled import prepared_aggregate

        schools = super().get_queryset()
        key = ("schools.list.results_year", scope_key(self.request.user))
        return prepared_aggregate(key, lambda: results_of(schools), y=Max("year"))["y"]

    def get_queryset(self):
        # 0, not None: «no results year» (None would make working_table look it up again)
        return working_table(super().get_queryset(), self.year, self.results_year or 0)

    def rows_prepared(self) -> bool:
        return self.prepared_rows and self.request.GET.get("export") != "xlsx"

    def get_filterset_kwargs(self, filterset_class):
        if not self.rows_prepared():
            return super().get_filterset_kwargs(filterset_class)
        # FilterView's, but the page's filterset is never read for rows (``filtered`` is): it
        # gets a queryset that costs nothing to build.
        return {"data": self.request.GET or None, "request": self.request, "queryset": School.objects.none()}

    def filtered(self):
        """The working table narrowed by the filters: FilterView's ``object_list``."""
        filterset = self.filterset
        schools = self.get_queryset()
        if not filterset.is_bound:
            return schools.all()
        if filterset.is_valid() or not self.get_strict():
            filterset.errors  # noqa: B018  (FilterSet.qs validates first)
            return filterset.filter_queryset(schools.all())
        return schools.none()

    def rows_key(self) -> tuple:
        """Everything ``filtered``'s SQL depends on: the reader's scope, the year, the results
        year, the date (the «last visit» filter counts days) and the filters' values."""
        from django.utils import timezone

        from core.cache import scope_key

        filterset = self.filterset
        if not filterset.is_bound:
            state = None
        elif filterset.is_valid() or not self.get_strict():
            state = tuple(sorted((name, _plain(value)) for name, value in filterset.form.cleaned_data.items()))
        else:
            state = "invalid"
        user = self.request.user
        return ("schools.list", scope_key(user), self.year, self.results_year, timezone.localdate(), state)

    def get_table_kwargs(self):
        from core.cache import scope_key
        from core.compiled import prepared

        kwargs = {**super().get_table_kwargs(), "year": self.year, "results_year": self.results_year}
        # The municipality column only where the reader's schools lie in several (a curator's
        # schools are this year's: the year is in the key).
        user = self.request.user
        municipalities = prepared(
            ("schools.list.municipalities", scope_key(user), self.year),
            lambda: schools_for(user).values_list("municipality_id", flat=True).order_by().distinct()[:2],
        )
        if len(set(municipalities)) <= 1:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "municipality")
        return kwargs

    def can_create(self) -> bool:
        """``has_school_scope(user, MANAGE)`` — one EXISTS — prepared per scope and year."""
        from core.cache import scope_key
        from core.compiled import prepared_exists

        user = self.request.user
        key = ("schools.list.may_add", scope_key(user), self.year)
        return bool(self.create_url_name) and prepared_exists(key, lambda: schools_for(user, self.create_action))


def _plain(value):
    """A filter's cleaned value as part of a key: an object by its model and id."""
    from django.db.models import Model, QuerySet

    if isinstance(value, Model):
        return (value._meta.label, value.pk)
    if isinstance(value, list | tuple | set | frozenset | QuerySet):
        return tuple(_plain(v) for v in value)
    return repr(value)


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
