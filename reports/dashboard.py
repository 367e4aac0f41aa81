from django.utils.translation import gettext as _

from core.dashboard import Panel


def school_sections(user, school) -> list[Panel]:
    return [
        Panel(
            "reports/_school_card_documents.html",
            {"school": school, "title": _("Documents")},
            order=5,
            width="col-12",
            cacheable=False,  # a form with the CSRF token of the reader
        )
    ]
