import csv
import io

import pytest

from tests.factories import SchoolFactory

HEADER = [
    "Код ОО",
    "Учебный год",
    "Обучающихся",
    "Оба родителя с высшим образованием, %",
    "Неполные семьи, %",
    "На профилактическом учёте, %",
    "Русский язык не родной, %",
    "С ОВЗ, %",
]


def to_csv(rows, *, header=HEADER, encoding="utf-8", delimiter=";") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def to_xlsx(rows, header=HEADER, sheet="Контекст") -> bytes:
    from core.xlsx import workbook_bytes

    return workbook_bytes({sheet: (header, rows)})


def linear_row(v: float) -> dict:
    """Three indicators that move together with ``v`` (higher v = more favourable), so the
    school's context index is the standardised v: z(he) = z(−sp) = z(−reg) = (v − mean) / σ."""
    return {"higher_education": v, "single_parent": 100 - v, "on_register": 50 - v / 2}


@pytest.fixture
def add_context(world):
    """add_context(school, year, **values) → a stored context row."""
    from socialcontext.models import SchoolContext

    def _add(school, year, source="import", **values):
        return SchoolContext.objects.create(school=school, year=year, source=source, **values)

    return _add


@pytest.fixture
def add_index(world):
    """add_index(school, year, value, candidate=False) → a stored school index (as the results
    analysis would write it)."""
    from assessment.models import SchoolIndex

    def _add(school, year, value, candidate=False):
        return SchoolIndex.objects.create(
            school=school, municipality=school.municipality, year=year, value=value, n_keys=1, candidate=candidate
        )

    return _add


@pytest.fixture
def add_flag(world):
    """add_flag(school, year) → a non-objectivity sign flag of the school that year."""
    from assessment.models import Flag, FlagKind, Procedure, Subject

    def _add(school, year):
        return Flag.objects.create(
            kind=FlagKind.NON_OBJECTIVE,
            school=school,
            year=year,
            procedure=Procedure.objects.get(code="ВПР"),
            subject=Subject.objects.order_by("pk").first(),
            grade=5,
            rule="test",
        )

    return _add


@pytest.fixture
def low_status(world):
    """low_status(school, year_from, year_to=None): the school holds a ШНОР status."""
    from schools.models import Order, SchoolStatus, StatusKind

    def _add(school, year_from, year_to=None):
        order = Order.objects.create(
            municipality=school.municipality,
            region=school.municipality.region,
            number="ШНОР",
            date="2022-09-01",
            issuer="УО",
            title="Перечень ШНОР",
        )
        return SchoolStatus.objects.create(
            school=school, kind=StatusKind.LOW_RESULTS, year_from=year_from, year_to=year_to, order=order
        )

    return _add


@pytest.fixture
def schools_in(world):
    """schools_in(municipality, n, prefix) → n new schools «<prefix>01…» of the municipality."""

    def _make(municipality, n, prefix):
        return [
            SchoolFactory(municipality=municipality, code=f"{prefix}{i:02d}", short_name=f"{prefix} СШ № {i}")
            for i in range(1, n + 1)
        ]

    return _make


@pytest.fixture
def import_context(world, tmp_path):
    """import_context(content, name, user=None, dry_run=False) → the finished import."""
    from socialcontext.services import CONTEXT_IMPORT

    def _import(content: bytes, name: str = "context.csv", user=None, dry_run=False):
        path = tmp_path / name
        path.write_bytes(content)
        return CONTEXT_IMPORT.import_file(str(path), user=user, dry_run=dry_run)

    return _import


# v = 10 … 100 → context index = (v − 55) / √825; the school indices of a rising line.
V = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
UP = [-0.71, 0.41, -0.44, -0.26, 0.03, 0.5, -0.16, 0.28, 0.44, 0.68]
YEAR = 2023


@pytest.fixture
def fitted(world, schools_in, add_context, add_index, add_flag, low_status):
    """Ten schools K01…K10 of municipality A1 (the coordinator's) with context rows and indices
    of 2023/2024: K02 resilient far above the line (anomaly by its residual), K06 above with a
    non-objectivity flag (anomaly by the flag), K01 a low-result candidate, K07 a ШНОР school,
    below the line.  The context analysis has run.  Returns the schools by code."""
    from socialcontext.services import context_analysis_run

    schools = schools_in(world.a1, len(V), "K")
    for school, v, y in zip(schools, V, UP, strict=True):
        add_context(school, YEAR, students=500, **linear_row(v))
        add_index(school, YEAR, y, candidate=school.code == "K01")
    add_flag(schools[5], YEAR)
    low_status(schools[6], YEAR)
    context_analysis_run(trigger="test")
    return {s.code: s for s in schools}
