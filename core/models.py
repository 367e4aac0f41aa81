"""Shared model machinery: every scoped model's queryset restricts itself through the
portal's policy module (core.policy → ``settings.OPORA_POLICY``), so a view cannot forget
permissions."""

from django.db import models

from core import policy


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see or change.

    A model declares where its scope lives: ``scope_school_field`` (path to a School, or
    "id" on School itself) and/or ``scope_municipality_field`` (path to a Municipality) —
    or the policy names a rule of its own for it.  The querysets hold no rule themselves.
    """

    def restrict(self, user, action: str = policy.VIEW):
        return policy.restrict(self, user, action)
