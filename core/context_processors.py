from django.conf import settings

from core.years import academic_year_label, current_academic_year


def portal(request):
    """Navigation entries of every app the user may use, and the current academic year."""
    from core.navigation import menu_for

    year = current_academic_year()
    return {
        "current_year": year,
        "current_year_label": academic_year_label(year),
        "nav_menu": menu_for(request),
        "DEBUG": settings.DEBUG,
    }
