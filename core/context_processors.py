from django.conf import settings

from core.years import academic_year_label, current_academic_year


def portal(request):
    """Navigation entries of every app the user may use, the current academic year, the version
    for the visually impaired and the drafts saved since the last page (core/drafts.py)."""
    from core.drafts import saved_drafts
    from core.navigation import menu_for
    from core.vision import vision_mode

    year = current_academic_year()
    return {
        "current_year": year,
        "current_year_label": academic_year_label(year),
        "nav_menu": menu_for(request),
        "DEBUG": settings.DEBUG,
        "vision": vision_mode(request),
        "drafts_saved": saved_drafts(request),
    }
