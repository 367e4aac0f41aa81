import datetime

from django import template

register = template.Library()


@register.filter
def isodate(value) -> str:
    """An ISO date string from a report document → ДД.ММ.ГГГГ."""
    if not value:
        return ""
    try:
        return datetime.date.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


@register.filter
def activity_status(value) -> str:
    """The label of an activity status code, in the current language."""
    from roadmaps.models import ActivityStatus

    try:
        return str(ActivityStatus(value).label)
    except ValueError:
        return str(value)
