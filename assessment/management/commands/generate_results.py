from django.core.management.base import BaseCommand, CommandError

from assessment.synthetic import generate, write_file
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

    def handle(self, *args, schools, years, first_year, seed, municipality, out, **options):
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
        count = write_file(out, generate(codes, range(first_year, first_year + years), seed=seed))
        self.stdout.write(self.style.SUCCESS(f"{out}: {count} rows, {len(codes)} schools, {years} years"))
