"""The scoped viewset every app's API builds on."""

import hashlib

from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from core import cache as portal_cache
from core.errors import Frozen
from core.policy import EDIT, MANAGE, VIEW, can, frozen_reason, require_change, require_delete


class CachedListMixin:
    """List responses cached whole (rendered JSON) under the data generation, the
    caller's scope, the full query string, the language and the media type
    (core/cache.py), with an ETag: a client that sends ``If-None-Match`` gets 304 while
    the data is unchanged.  Authentication, permissions and throttling run before the
    cache is consulted (DRF's ``initial``), so a throttled client still gets 429 and an
    invalid token 401; errors (a bad filter value) are never cached."""

    def list_uncached(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        if getattr(renderer, "format", None) != "json":
            return self.list_uncached(request, *args, **kwargs)
        key = portal_cache.fragment_key(
            # the absolute URL: the pagination links carry the host and scheme
            "api",
            request.user,
            request.build_absolute_uri(),
            request.accepted_media_type,
            request=request._request,
        )
        hit = portal_cache.cache.get(key) if key else None
        if hit is None:
            response = self.list_uncached(request, *args, **kwargs)
            if response.status_code != 200 or not isinstance(response, Response):
                return response
            body = renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())
            media = renderer.media_type + (f"; charset={renderer.charset}" if renderer.charset else "")
            hit = (body, media, f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')
            if key:
                portal_cache.cache.set(key, hit, portal_cache.lifetime())
        body, media, etag = hit
        if etag in _if_none_match(request):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(body, content_type=media)
        response["ETag"] = etag
        patch_vary_headers(response, ("Authorization", "Cookie", "Accept-Language"))
        return response


def _if_none_match(request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


# Field classes whose representation of a value read from the database is that value itself
# (``CharField``: ``str(value)`` of a string; ``IntegerField``: ``int(value)`` of an int), so a
# list of them is the ``values()`` rows renamed.
_PLAIN_FIELDS = ("CharField", "EmailField", "IntegerField", "BigIntegerField", "BooleanField", "SlugField", "URLField")
_plain_memo: dict = {}


def plain_sources(serializer_class) -> list[tuple[str, str]] | None:
    """``[(name, values() lookup)]`` when every field of ``serializer_class`` is one of
    ``_PLAIN_FIELDS`` read from a column, or a to-one relation's column (``region.name`` →
    ``region__name``): its list is then the ``values()`` rows renamed, without building the
    serializer's fields per request (a ModelSerializer builds them from the model's meta
    every time).  None otherwise: read with the serializer."""
    if serializer_class in _plain_memo:
        return _plain_memo[serializer_class]
    from rest_framework.settings import api_settings

    sources = []
    for name, field in serializer_class().fields.items():
        as_string = type(field).__name__ == "BigIntegerField" and getattr(
            field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING
        )
        if type(field).__name__ not in _PLAIN_FIELDS or field.write_only or field.source == "*" or as_string:
            sources = None
            break
        sources.append((name, field.source.replace(".", "__")))
    _plain_memo[serializer_class] = sources
    return sources


def plain_rows(rows, sources) -> list[dict]:
    """``values()`` rows as the serializer's dicts (its field names, in its order)."""
    return [{name: row[path] for name, path in sources} for row in rows]


class ModelCleanMixin:
    """The model's own ``clean()`` runs on what a body asks for, so the API keeps every rule
    the model and its form keep (one rule, one place): the values are set on a copy of the
    instance (a new one for a create) and its errors become the 400's field errors."""

    def validate(self, attrs):
        import copy

        from django.core.exceptions import ValidationError as DjangoValidationError
        from rest_framework import serializers as drf

        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        many = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many:
                setattr(instance, name, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise drf.ValidationError(drf.as_serializer_error(exc)) from None
        return attrs


def restrict_serializer_fields(fields, user, action: str = VIEW, rules: dict | None = None, *, owner: str = "") -> None:
    """NetBox's ``restrict_form_fields`` for serializers, with the forms' own rules
    (``core.forms.restrict_choices``): every writable relation offers only what ``user`` may
    choose — ``rules[name]`` (an action, a named policy function, or ``SHARED``) for a field
    that names one, ``action`` otherwise — so an object out of scope named in a body is as
    unknown as a missing one (400 «object does not exist»), never 403.  A writable relation
    to a model that cannot restrict itself and names no rule is a configuration error, as in
    a form.  What may be chosen but not written is refused after the save
    (``ScopedViewSet._check_saved``)."""
    from rest_framework import serializers as drf

    from core.forms import restrict_choices

    rules = rules or {}
    for name, field in fields.items():
        target = field.child_relation if isinstance(field, drf.ManyRelatedField) else field
        queryset = getattr(target, "queryset", None)
        if field.read_only or queryset is None:
            continue
        target.queryset = restrict_choices(queryset, user, rules.get(name, action), label=f"{owner}.{name}")


class RestrictedSerializerMixin:
    """A serializer whose writable relations are restricted when it is bound to a request:
    ``scope_action`` for every relation, ``scope_fields[name]`` for one that follows another
    rule — declared like a form's (``core.forms.RestrictedFormMixin``), never assigned by
    hand.  Nested serializers restrict their own fields the same way."""

    scope_action = VIEW
    scope_fields: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            restrict_serializer_fields(
                fields, request.user, self.scope_action, self.scope_fields, owner=type(self).__name__
            )
        return fields


class ScopedQueryMixin:
    """Reads restricted to the ``view`` scope, relations of the bodies restricted alike, and
    the plain-columns fast path of lists (see ScopedViewSet)."""

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        inner = getattr(serializer, "child", serializer)
        if not isinstance(inner, RestrictedSerializerMixin) and hasattr(inner, "fields"):
            restrict_serializer_fields(inner.fields, self.request.user, owner=type(inner).__name__)
        return serializer

    def list_uncached(self, request, *args, **kwargs):
        meta = self.get_serializer_class().Meta
        if not getattr(meta, "plain_fields", False):
            return super().list_uncached(request, *args, **kwargs)
        rows = self.filter_queryset(self.get_queryset()).values(*meta.fields)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page) if page is not None else Response(list(rows))


class ScopedReadViewSet(ScopedQueryMixin, CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """Scoped list and detail, and whatever ``@action`` a viewset adds (its writes go through
    services): no default create, update or destroy is routed, nor documented."""


class ScopedViewSet(ScopedQueryMixin, CachedListMixin, viewsets.ModelViewSet):
    """A viewset whose queryset is restricted by accounts.scoping.

    Reads use the ``view`` scope.  Writes need ``write_action`` (``manage`` by default,
    ``edit`` for school-owned content) on the object; an object visible but not writable
    answers 403, an invisible one 404; a created or changed object that falls outside the
    user's write scope is rolled back.

    Lists are the hot path of integrations: they are cached (``CachedListMixin``), and
    where every field of the serializer is a plain model column (``Meta.plain_fields =
    True``) a list page is read with ``values()`` and rendered as it is, skipping
    per-field serializer work (same JSON as the serializer)."""

    write_action = MANAGE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def check_object_permissions(self, request, obj):
        """Writes need the write scope (403 where the object is visible); a change or a
        deletion of a record its workflow has frozen answers 409 with the reason
        (``accounts.scoping.require_change`` / ``require_delete``, as the pages ask)."""
        super().check_object_permissions(request, obj)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if not can(request.user, self.write_action, obj):
            self.permission_denied(request)
        if request.method in ("PUT", "PATCH"):
            require_change(request.user, obj, self.write_action)
        elif request.method == "DELETE":
            require_delete(request.user, obj, self.write_action)

    def _check_saved(self, instance) -> None:
        if not can(self.request.user, self.write_action, instance):
            raise exceptions.PermissionDenied()
        if reason := frozen_reason(instance):  # e.g. a new activity in a plan under review
            raise Frozen(reason)

    # The page's service of a create or a change, ``(*, <save_service_arg>=instance, user)
    # -> instance`` (services are keyword-only): where a viewset names it, the body's values
    # are set on the object and the service saves it, so the API keeps every rule the page
    # keeps (one door per write).
    save_service = None
    save_service_arg = None

    def _save(self, serializer):
        if self.save_service is None:
            return serializer.save()
        instance = serializer.instance if serializer.instance is not None else serializer.Meta.model()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        serializer.instance = self.save_service(**{self.save_service_arg: instance}, user=self.request.user)
        return serializer.instance

    def perform_create(self, serializer):
        # Save and check in one transaction: an object created outside the user's write
        # scope, or into a frozen record, is rolled back, never kept.
        with transaction.atomic():
            self._check_saved(self._save(serializer))

    def perform_update(self, serializer):
        with transaction.atomic():
            self._check_saved(self._save(serializer))

    def perform_destroy(self, instance):
        require_delete(self.request.user, instance, self.write_action)
        instance.delete()


__all__ = ["EDIT", "MANAGE", "VIEW", "CachedListMixin", "ScopedReadViewSet", "ScopedViewSet"]
