"""The skills app's section of the school card: the deficits and the recommended help."""

from django.utils.translation import gettext as _

from core.compiled import prepared_exists
from core.dashboard import Panel
from skills import selectors
from skills.models import SkillResult


def school_sections(user, school) -> list[Panel]:
    if not prepared_exists(("card.skills",), lambda sid: SkillResult.objects.filter(school_id=sid), school.pk):
        return []
    return [
        Panel(
            "skills/_school_section.html",
            {"school": school, "help": selectors.school_help(school, user=user), "title": _("Skill deficits and help")},
            order=52,
            width="col-12",
        )
    ]
