from django.core.management.base import BaseCommand, CommandError

from assessment.synthetic import PLAN_HEADER, generate, plan_rows, task_header, write_file
from schools.models import School


class Command(BaseCommand):
    help = "Write a realistic synthetic results file (.xlsx or .csv); the same seed gives the same file."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=20)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--first-year", type=int, default=2022, help="first academic year (2022 = 2022/2023)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--municipality", help="take the schools' codes from this municipality of the portal")
        parser.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
        parser.add_argument(
            "--tasks",
            action="store_true",
            help="add one column per task (TASKS.md §2) and write the works' task plans beside the file "
            "(FILE-plan.xlsx|.csv, or --plan-out): import the plan first",
        )
        parser.add_argument("--plan-out", help="where to write the task plans (with --tasks)")

    def handle(self, *args, schools, years, first_year, seed, municipality, out, tasks, plan_out, **options):
        if not out.lower().endswith((".xlsx", ".csv")):
            raise CommandError("--out must end with .xlsx or .csv")
        if municipality:
            codes = list(
                School.objects.filter(municipality__name=municipality, is_active=True)
                .order_by("code")
                .values_list("code", flat=True)[:schools]
            )
            if not codes:
                raise CommandError(f"No schools in municipality «{municipality}».")
        else:
            codes = [f"SYN{i:05d}" for i in range(1, schools + 1)]
        year_range = range(first_year, first_year + years)
        if tasks:
            stem, ext = out.rsplit(".", 1)
            plan_out = plan_out or f"{stem}-plan.{ext}"
            n = write_file(plan_out, iter(plan_rows(year_range)), header=PLAN_HEADER, sheet="План")
            self.stdout.write(self.style.SUCCESS(f"{plan_out}: {n} tasks (import it first: import_task_plan)"))
        rows = generate(codes, year_range, seed=seed, tasks=tasks)
        count = write_file(out, rows, header=task_header() if tasks else None)
        self.stdout.write(self.style.SUCCESS(f"{out}: {count} rows, {len(codes)} schools, {years} years"))
