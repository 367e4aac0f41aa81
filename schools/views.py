from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import MANAGE
from core.cache import cached, fragment_key
from core.dashboard import can_see, school_sections
from core.generic import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView
from schools.filters import SchoolFilterSet
from schools.forms import SchoolForm
from schools.models import School
from schools.tables import SchoolTable


class SchoolListView(ObjectListView):
    queryset = School.objects.select_related("municipality")
    table_class = SchoolTable
    filterset_class = SchoolFilterSet
    title = _("Schools")
    export_name = "schools"
    create_url_name = "schools:school-create"
    cache_fragment = True


class SchoolDetailView(ObjectDetailView):
    queryset = School.objects.select_related("municipality__region")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        school, user = self.object, self.request.user

        def card():
            history = school.history.select_related("history_user").order_by("-history_date")[:10]
            return {
                "can_manage": can_see(user, MANAGE, school),
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
