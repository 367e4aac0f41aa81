from django.utils.translation import gettext as _

from core.imports import CheckedImportCommand
from socialcontext.services import CONTEXT_IMPORT


class Command(CheckedImportCommand):
    help = "Check and import a school context file (xlsx or csv); whole file or nothing (CONTEXT.md §1)."
    service = CONTEXT_IMPORT

    def dry_run_message(self, batch) -> str:
        message = _("Dry run: nothing was written (%(new)d rows would be new, %(replaced)d would be replaced).")
        return message % {"new": batch.rows_created, "replaced": batch.rows_updated}
