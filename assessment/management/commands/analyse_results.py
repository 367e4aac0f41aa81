from django.core.management.base import BaseCommand

from assessment.services import analysis_run


class Command(BaseCommand):
    help = "Recompute every figure, flag and index of the results (all years, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="academic year by its start (2022 = 2022/2023)")

    def handle(self, *args, year=None, **options):
        run = analysis_run(years=year, trigger="command")
        self.stdout.write(self.style.SUCCESS(f"Analysis {run.pk}: years {run.years}, {run.counts}"))
