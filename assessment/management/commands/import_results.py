from django.core.management.base import BaseCommand, CommandError

from assessment.models import ImportStatus
from assessment.services import import_file


class Command(BaseCommand):
    help = "Validate and import a results file (xlsx or csv); whole file or nothing (RESULTS.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            batch = import_file(path=file, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(str(exc))
        if batch.status != ImportStatus.DONE:
            for e in batch.errors:
                self.stderr.write(f"row {e['row']}, {e['column'] or '-'}: «{e['value']}» — {e['reason']}")
            raise CommandError(batch.message)
        self.stdout.write(self.style.SUCCESS(batch.message))
