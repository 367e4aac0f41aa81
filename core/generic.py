"""Declarative, scoped class-based views (NetBox style): a view names its model, table,
filterset, form and template; the queryset always passes through the policy (core.policy)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from core.cache import fragment_key
from core.errors import Frozen, service_error_messages
from core.policy import MANAGE, VIEW, frozen_reason, has_school_scope, works_in_one_municipality
from core.redirects import return_url
from core.xlsx import table_rows, xlsx_response


class ScopedMixin(LoginRequiredMixin):
    """Restrict the view's queryset to what the user may do (``scope_action``)."""

    scope_action = VIEW

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action)


class LenientPaginator(Paginator):
    """A page number that is not a number, or below 1, shows the first page; one past the
    end (a bookmark of a list that has since shrunk) shows the last page — never a 404.  A
    page holds at most ``MAX_PAGE_SIZE`` rows whatever ``?per_page=`` asks (the whole list
    is the xlsx export's job)."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, min(int(per_page), settings.MAX_PAGE_SIZE), *args, **kwargs)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except PageNotAnInteger:
            return 1
        except EmptyPage:
            return 1 if int(number) < 1 else self.num_pages


class ObjectListView(ScopedMixin, SingleTableMixin, FilterView):
    """A filtered, sortable, paginated table; ``?export=xlsx`` returns the same rows as xlsx.

    The table paginates (django-tables2, with ``LenientPaginator``); Django's own list
    pagination is switched off (``paginate_queryset``), so a page counts its rows once."""

    template_name = "core/object_list.html"
    paginate_by = settings.PAGE_SIZE
    paginator_class = LenientPaginator
    title = ""
    export_name = "export"
    create_url_name: str | None = None
    create_action = MANAGE
    # Cache the rendered filter form and table (core/cache.py: generation, scope, date,
    # language, full query string).  Only for a table whose cells show nothing beyond the
    # user's scope — no per-user text, no forms with the reader's CSRF token.
    cache_fragment = False

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            self.table_pagination = False
        return super().get(request, *args, **kwargs)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        # Someone who works within one municipality has nothing to choose between: the page's
        # form drops the field (the FilterSet keeps the filter, so the API still reads
        # ?municipality=, and a link carrying it lists the same rows as without it).
        if works_in_one_municipality(self.request.user):
            filterset.form.fields.pop("municipality", None)
        return filterset

    def paginate_queryset(self, queryset, page_size):
        # MultipleObjectMixin would build a paginator of its own (a second COUNT, and a 404
        # for a bad ?page=); the table's paginator is the one shown, so leave it to the table.
        return None, None, queryset, False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        table = ctx["table"]
        if getattr(table, "page", None) is not None:  # the usual names, from the table's paginator
            ctx.update(paginator=table.paginator, page_obj=table.page, is_paginated=table.paginator.num_pages > 1)
        ctx["title"] = self.title
        ctx["create_url_name"] = self.create_url_name if self.can_create() else None
        ctx["fragment_key"] = (
            fragment_key(
                "list", self.request.user, type(self).__name__, self.request.get_full_path(), request=self.request
            )
            if self.cache_fragment
            else None
        )
        return ctx

    def filters_active(self) -> bool:
        """Whether the reader has narrowed the list (a filter with a value, or one the form
        refused — a strict FilterSet then shows nothing); sorting and paging do not count."""
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound:
            return False
        if not filterset.is_valid():
            return True
        return any(value not in (None, "") and value != [] for value in filterset.form.cleaned_data.values())

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if self.filters_active() and self.table_class._meta.empty_text is None:
            kwargs["empty_text"] = _("Nothing found — change the filters")
        # Someone who works within one municipality needn't read its name on every row.
        if "municipality" in self.table_class.base_columns and works_in_one_municipality(self.request.user):
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "municipality")
        return kwargs

    def can_create(self) -> bool:
        return bool(self.create_url_name) and has_school_scope(self.request.user, self.create_action)

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("export") == "xlsx":
            headers, rows = table_rows(context["table"])
            return xlsx_response(self.export_name, headers, rows)
        return super().render_to_response(context, **response_kwargs)


class ObjectDetailView(ScopedMixin, DetailView):
    pass


class PreparedObjectMixin:
    """``get_object`` through the view's scoped queryset prepared once per view and reader's
    scope (core/compiled.py), the id from the URL as argument: for a view whose queryset
    depends on nothing but the reader's scope (the school card, a school's results)."""

    def get_object(self, queryset=None):
        if queryset is not None:
            return super().get_object(queryset)
        from core.compiled import prepared
        from core.policy import scope_key

        view = type(self)
        found = list(
            prepared(
                (view.__module__, view.__qualname__, "object", scope_key(self.request.user)),
                lambda pk: self.get_queryset().filter(pk=pk),
                int(self.kwargs[self.pk_url_kwarg]),
            )
        )
        if not found:
            model = self.get_queryset().model
            raise Http404(
                _("No %(verbose_name)s found matching the query") % {"verbose_name": model._meta.verbose_name}
            )
        return found[0]


class ScopedFormMixin:
    """Pass the user to the form (so it can limit its choices to the user's scope) and
    confirm a successful save with a message."""

    success_message = gettext_lazy("Saved.")
    template_name = "core/object_form.html"
    title = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_message)
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        return ctx


class ObjectCreateView(LoginRequiredMixin, ScopedFormMixin, CreateView):
    create_action = MANAGE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_school_scope(request.user, self.create_action):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ObjectUpdateView(ScopedMixin, ScopedFormMixin, UpdateView):
    """The edit form of an object in the user's ``scope_action`` scope (404 outside it).  A
    record its workflow has frozen (``accounts.scoping.frozen_reason``: submitted, approved…)
    is not edited: the form answers with the reason on the object's page, as the API's 409."""

    scope_action = MANAGE

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if reason := frozen_reason(obj):
            raise Frozen(reason)
        return obj

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Frozen as exc:
            messages.error(request, str(exc))
            obj = super().get_object()
            return redirect(obj)


class ObjectActionView(LoginRequiredMixin, View):
    """One POST action on one object (submit, approve, return, confirm, roll back, create a
    report of a roadmap, delete a node…), declared: the object comes from ``queryset``
    restricted to ``scope_action`` (404 outside it — a foreign object looks like a missing
    one); ``actions`` names each action's service call ``(view, obj) -> result`` and its
    message of success (a text, a callable of the result, or None for none); a service's
    refusal (``core.errors``) becomes messages (``service_error_messages``); the answer goes
    back to the safe ``next`` (``core.redirects.return_url``) or to ``get_success_url(obj)`` —
    or, where the action returns a response (a redirect to the report it created), that.

    An URL without an ``action`` argument runs ``default_action``.  ``confirm_required``
    names the actions whose form must carry ``confirm=1`` (what cannot be undone).  A view
    that answers otherwise (an htmx fragment) overrides ``succeeded`` and ``refused``."""

    http_method_names = ["post"]
    queryset = None
    scope_action = VIEW
    actions: dict = {}
    default_action = ""
    error_lead: dict = {}  # action → a sentence before the service's messages
    confirm_required: tuple = ()
    confirm_message = gettext_lazy("Nothing was changed: tick the box to confirm.")
    atomic = False

    def get_queryset(self):
        return self.queryset

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None or not str(pk).isdigit():
            raise Http404
        return get_object_or_404(self.get_queryset().restrict(self.request.user, self.scope_action), pk=pk)

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_refused_url(self, obj, action: str) -> str:
        return self.get_success_url(obj)

    def post(self, request, *args, **kwargs):
        action = kwargs.get("action") or self.default_action
        if action not in self.actions:
            raise Http404
        obj = self.get_object()
        perform, done = self.actions[action]
        if action in self.confirm_required and request.POST.get("confirm") != "1":
            messages.error(request, self.confirm_message)
            return redirect(return_url(request, self.get_refused_url(obj, action)))
        try:
            if self.atomic:
                with transaction.atomic():
                    result = perform(self, obj)
            else:
                result = perform(self, obj)
        except ValidationError as exc:
            return self.refused(obj, action, exc)
        return self.succeeded(obj, action, result, done(result) if callable(done) else done)

    def succeeded(self, obj, action: str, result, message):
        if message:
            messages.success(self.request, message)
        if isinstance(result, HttpResponse):
            return result
        return redirect(return_url(self.request, self.get_success_url(obj)))

    def refused(self, obj, action: str, exc: ValidationError):
        service_error_messages(self.request, exc, self.error_lead.get(action))
        return redirect(return_url(self.request, self.get_success_url(obj)))
