from django.core.management.base import BaseCommand, CommandError

from skills.models import ImportState
from skills.services import import_plan_file


class Command(BaseCommand):
    help = "Check and import a task-plan file (TASKS.md §1): whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            batch = import_plan_file(file, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(str(exc))
        if batch.status == ImportState.FAILED:
            for e in batch.errors:
                self.stderr.write(f"строка {e['row']}, {e['column'] or '—'}, «{e['value']}»: {e['reason']}")
            raise CommandError(batch.message)
        self.stdout.write(batch.message)
