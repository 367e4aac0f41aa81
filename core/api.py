"""The scoped viewset every app's API builds on."""

from django.db import transaction
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from accounts.scoping import EDIT, MANAGE, VIEW, can


class ScopedViewSet(viewsets.ModelViewSet):
    """A viewset whose queryset is restricted by accounts.scoping.

    Reads use the ``view`` scope.  Writes need ``write_action`` (``manage`` by default,
    ``edit`` for school-owned content) on the object; an object visible but not writable
    answers 403, an invisible one 404; a created or changed object that falls outside the
    user's write scope is rolled back.

    Lists are the hot path of integrations: where every field of the serializer is a plain
    model column (``Meta.plain_fields = True``), a list page is read with ``values()`` and
    rendered as it is, skipping per-field serializer work (same JSON as the serializer)."""

    write_action = MANAGE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)

    def list(self, request, *args, **kwargs):
        meta = self.get_serializer_class().Meta
        if not getattr(meta, "plain_fields", False):
            return super().list(request, *args, **kwargs)
        rows = self.filter_queryset(self.get_queryset()).values(*meta.fields)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page) if page is not None else Response(list(rows))

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not can(request.user, self.write_action, obj):
            self.permission_denied(request)

    def perform_create(self, serializer):
        # Save and check in one transaction: an object created outside the user's write
        # scope is rolled back, never kept.
        with transaction.atomic():
            instance = serializer.save()
            if not can(self.request.user, self.write_action, instance):
                raise exceptions.PermissionDenied()

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            if not can(self.request.user, self.write_action, instance):
                raise exceptions.PermissionDenied()


__all__ = ["EDIT", "MANAGE", "VIEW", "ScopedViewSet"]
