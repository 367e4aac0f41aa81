"""Template filters for the schools' figures."""

from django import template
from django.utils.translation import gettext as _

from schools.models import RiskLevel

register = template.Library()

# A risk level as a phrase about the risk, so that «Компетентность: высокий» is never read as
# praise of a high competence.
_PHRASES = {
    RiskLevel.HIGH: lambda: _("high risk"),
    RiskLevel.MEDIUM: lambda: _("medium risk"),
    RiskLevel.LOW: lambda: _("low risk"),
    RiskLevel.NONE: lambda: _("no risk"),
}


@register.filter
def risk_level_label(level) -> str:
    """``high`` → «высокий»: a risk level's name."""
    try:
        return str(RiskLevel(level).label)
    except ValueError:
        return ""


@register.filter
def risk_phrase(level) -> str:
    """``high`` → «высокий риск»."""
    phrase = _PHRASES.get(level)
    return phrase() if phrase else ""
