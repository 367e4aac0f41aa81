"""Forms that offer only what their user may choose (NetBox's ``restrict_form_fields``).

Every ``ModelChoiceField`` and ``ModelMultipleChoiceField`` of a restricted form is narrowed
through one mechanism, declared by the form and never written by hand in its ``__init__``:

- by default, the field's queryset restricts itself — ``queryset.restrict(user, action)``
  (``core.models.ScopedQuerySet``, which asks the policy module) with the form's
  ``scope_action``;
- ``scope_fields[name]`` names another rule for one field: an action (``"view"``,
  ``"edit"``, ``"manage"``), a named policy function ``rule(user) -> QuerySet`` (the
  curators a coordinator may appoint, the schools a curator may visit…) whose rows are
  intersected with the field's own queryset, or ``SHARED`` for a shared catalogue (risk
  factors, themes) that everyone with the form chooses from.

A field over a model that cannot restrict itself and names no rule is a configuration
error, so a new relation cannot slip through unscoped.  The field's own queryset keeps its
non-scope filters and ordering (``is_active``, ``select_related``, ``order_by``); the
restriction is applied on top of them once the form is built — after every subclass's
``__init__`` — so nothing can widen it again.  An object out of scope is then refused as
an invalid choice, exactly like a missing one.

Core imports no domain app: the policy is reached through the querysets and the rules the
forms name."""

from __future__ import annotations

from collections.abc import Callable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.policy import EDIT, MANAGE, VIEW  # the actions every policy answers

SHARED = "shared"  # a catalogue everyone with the form may choose from (no scope)

Rule = str | Callable[..., QuerySet]

BLANK = "---------"  # Django's empty choice
CHOOSE = _("— choose —")


def restrict_choices(queryset: QuerySet, user, rule: Rule, *, label: str = "") -> QuerySet:
    """``queryset`` narrowed to what ``user`` may choose by ``rule`` (see the module)."""
    if rule == SHARED:
        return queryset
    if callable(rule):
        return queryset.filter(pk__in=rule(user).values("pk"))
    restrict = getattr(queryset, "restrict", None)
    if restrict is None:
        raise ImproperlyConfigured(
            f"{label or queryset.model.__name__}: {queryset.model.__name__} has no restrict(); "
            "name the field's rule in scope_fields (a policy function, or SHARED for a catalogue)"
        )
    return restrict(user, rule)


def restrict_form_fields(form, user, action: str = VIEW, rules: dict[str, Rule] | None = None) -> None:
    """Restrict every model choice field of ``form`` to what ``user`` may choose: ``rules[name]``
    for a field that names one, ``action`` otherwise (NetBox's ``restrict_form_fields``)."""
    rules = rules or {}
    done = form.__dict__.setdefault("_restricted_querysets", {})
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
            continue
        if done.get(name) is field.queryset:  # restricted already, and not replaced since
            continue
        label = f"{type(form).__name__}.{name}"
        field.queryset = restrict_choices(field.queryset, user, rules.get(name, action), label=label)
        done[name] = field.queryset


class _RestrictWhenBuilt:
    """Restricts the choices again once the form is fully built — after every subclass's
    ``__init__`` — so a field added or replaced there is restricted too."""

    def __call__(cls, *args, **kwargs):
        form = super().__call__(*args, **kwargs)
        form.restrict_fields()
        return form


class RestrictedFormMetaclass(_RestrictWhenBuilt, forms.forms.DeclarativeFieldsMetaclass):
    pass


class RestrictedModelFormMetaclass(_RestrictWhenBuilt, forms.models.ModelFormMetaclass):
    pass


class RestrictedFormMixin:
    """The user, the default action and the declared rules of a restricted form.  The
    choices are restricted right after the fields are built (so a subclass's ``__init__``
    reads them restricted: a preselected single choice, a field dropped when empty) and
    once more when the form is complete."""

    scope_action = VIEW
    scope_fields: dict[str, Rule] = {}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.restrict_fields()

    def get_scope_fields(self) -> dict[str, Rule]:
        """The rules by field name (a form whose rule depends on its object overrides this)."""
        return self.scope_fields

    def restrict_fields(self) -> None:
        restrict_form_fields(self, self.user, self.scope_action, self.get_scope_fields())


class RestrictedForm(RestrictedFormMixin, forms.Form, metaclass=RestrictedFormMetaclass):
    """A plain form (filters, requests, lists) whose model choices are restricted."""


class RestrictedModelForm(RestrictedFormMixin, forms.ModelForm, metaclass=RestrictedModelFormMetaclass):
    """A model form whose model choices are restricted."""

    def _update_errors(self, errors):
        # The model's clean() may name a field the form dropped for this user (a level with
        # nothing to choose): its message is shown above the form, never a server error.
        if hasattr(errors, "error_dict"):
            kept: dict = {}
            for name, messages in errors.error_dict.items():
                key = name if name == NON_FIELD_ERRORS or name in self.fields else NON_FIELD_ERRORS
                kept.setdefault(key, []).extend(messages)
            errors = ValidationError(kept)
        super()._update_errors(errors)


class ScopedModelForm(RestrictedModelForm):
    """The portal's edit form of a scoped object: restricted choices (``manage`` scope by
    default), a «Save» button, and «— choose —» for the empty choice."""

    scope_action = MANAGE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))
        for field in self.fields.values():  # «— выберите —», not Django's «---------»
            if getattr(field, "empty_label", None) == BLANK:
                field.empty_label = CHOOSE
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                field.choices = [(v, CHOOSE if v == "" and label == BLANK else label) for v, label in field.choices]


__all__ = [
    "CHOOSE",
    "EDIT",
    "MANAGE",
    "SHARED",
    "VIEW",
    "RestrictedForm",
    "RestrictedModelForm",
    "ScopedModelForm",
    "restrict_choices",
    "restrict_form_fields",
]
