"""Links shown only to readers who may open them (issue 15.2): the templates ask the policy
module (``settings.OPORA_POLICY``, accounts.scoping, through core.policy), never compute a
permission themselves.

    {% load policy %}
    {% school_link school %}                 → <a href="/schools/12/">СШ № 12</a> or «СШ № 12»
    {% school_link school css="me-auto" %}
    {% if user|may:"see_status_movement" %}…{% endif %}

A panel template (core.dashboard) has no request: its builder passes the reader as
``ctx.viewer``, and the tags take it as ``user=ctx.viewer``."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from core import policy

register = template.Library()


def _user(context, user):
    if user is not None:
        return user
    if "user" in context:
        return context["user"]
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def school_link(context, school, user=None, css="", text=None):
    """The school's name, linked to its card where the reader may open it."""
    if school is None:
        return ""
    label = text if text is not None else getattr(school, "short_name", str(school))
    if policy.predicate("view_school")(_user(context, user), school):
        url = reverse("schools:school-detail", args=[school.pk])
        return (
            format_html('<a class="{}" href="{}">{}</a>', css, url, label)
            if css
            else format_html('<a href="{}">{}</a>', url, label)
        )
    return format_html('<span class="{}">{}</span>', css, label) if css else format_html("{}", label)


@register.filter
def may(user, predicate: str) -> bool:
    """``user|may:"see_status_movement"`` → ``accounts.scoping.may_see_status_movement(user)``."""
    func = policy.predicate(predicate)
    if func is None:
        raise template.TemplateSyntaxError(f"the policy module has no predicate may_{predicate}")
    return func(user)
