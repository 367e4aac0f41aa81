from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from socialcontext.models import ImportState
from socialcontext.services import import_context_file


class Command(BaseCommand):
    help = "Check and import a school context file (xlsx or csv); whole file or nothing (CONTEXT.md §1)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            batch = import_context_file(file, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(str(exc))
        if batch.status == ImportState.FAILED:
            for e in batch.errors:
                self.stderr.write(f"row {e['row']}, {e['column'] or '-'}: «{e['value']}» — {e['reason']}")
            raise CommandError(batch.message)
        if dry_run:
            message = _("Dry run: nothing was written (%(new)d rows would be new, %(replaced)d would be replaced).")
            self.stdout.write(self.style.SUCCESS(message % {"new": batch.rows_created, "replaced": batch.rows_updated}))
            return
        self.stdout.write(self.style.SUCCESS(batch.message))
