"""Demo curator assignments: the demo curator (deputy head of СШ № 34) supervises
Лицей № 9 and СШ № 17 in the current academic year, as in Kamensk-Uralsky's 2022 order."""

from core.years import current_academic_year
from curators.models import AssignmentRole, CuratorAssignment

KAMENSK = "Каменск-Уральский городской округ"


def load(ctx) -> None:
    curator = ctx.users["curator"]
    for short in ("Лицей № 9", "СШ № 17"):
        CuratorAssignment.objects.get_or_create(
            curator=curator,
            school=ctx.school(KAMENSK, short),
            year=current_academic_year(),
            role=AssignmentRole.SCHOOL_CURATOR,
        )
