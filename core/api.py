"""The scoped viewset every app's API builds on."""

from django.db import transaction
from rest_framework import exceptions, viewsets

from accounts.scoping import EDIT, MANAGE, VIEW, can


class ScopedViewSet(viewsets.ModelViewSet):
    """A viewset whose queryset is restricted by accounts.scoping.

    Reads use the ``view`` scope.  Writes need ``write_action`` (``manage`` by default,
    ``edit`` for school-owned content) on the object; an object visible but not writable
    answers 403, an invisible one 404.  ``get_write_target`` names the school/municipality a
    new object would belong to, checked on create."""

    write_action = MANAGE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, VIEW)

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
