"""Shared model machinery: every scoped model's queryset restricts itself through
accounts.scoping, so a view cannot forget permissions."""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see or change.

    A model declares where its scope lives: ``scope_school_field`` (path to a School, or
    "id" on School itself) and/or ``scope_municipality_field`` (path to a Municipality).
    """

    def restrict(self, user, action: str = "view"):
        from accounts.scoping import restrict

        return restrict(self, user, action)
