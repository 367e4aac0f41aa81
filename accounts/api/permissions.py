from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import ApiToken


class ScopedAccess(permissions.BasePermission):
    """Signed-in users only; a read-only token may not write.  What a user may see or
    change is decided by accounts.scoping in each viewset's queryset."""

    message = _("A read-only token cannot change data.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, ApiToken) and request.auth.read_only:
            # Asking for a document changes no data: views may allow it to read-only tokens.
            return request.method in permissions.SAFE_METHODS or getattr(view, "read_only_tokens_may_post", False)
        return True
