"""Orders per DOCUMENTS.md, read back: the requisites top to bottom, the basis cited from the
orders registry, the head in office on the date, the executor mark, no system text on the
pages (data date and checksum in the metadata), page numbers from page 2, A4 .docx with a
PAGE field; an empty appendix and missing requisites refused with a message, nothing kept."""

import datetime
import io
import re
import subprocess

import pytest
from django.urls import reverse
from docx import Document as Docx
from docx.shared import Mm

from core.years import current_academic_year
from reports.models import GeneratedReport, ReportKind
from schools.models import AuthorityHead, Order, SchoolStatus, StatusKind
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
YEAR = current_academic_year()
ARTIFACTS = "test-artifacts/documents"


def pdf_text(content: bytes, tmp_path, *, page=None) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    args = ["pdftotext", "-layout"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_info(content: bytes, tmp_path) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def words_inside_page(content: bytes, tmp_path) -> list[str]:
    """Words whose box crosses the page's edge or the ГОСТ margins (left 20, right 10 mm)."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(content)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    page_w = None
    for line in html.splitlines():
        m = re.search(r'<page width="([\d.]+)"', line)
        if m:
            page_w = float(m.group(1))
        m = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*)</word>', line)
        if m and page_w:
            x0, x1 = float(m.group(1)), float(m.group(2))
            mm = 72 / 25.4
            if x0 < 20 * mm - 0.5 or x1 > page_w - 10 * mm + 0.5:
                out.append(m.group(3))
    return out


def save_artifact(name: str, content: bytes) -> None:
    """The PDF and its pages as PNG under test-artifacts/ to look at."""
    import pathlib

    root = pathlib.Path(ARTIFACTS)
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(content)
    if name.endswith(".pdf"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(root / name), str(root / name[:-4])], check=True)


@pytest.fixture
def listed(world):
    order = OrderFactory(municipality=world.a1, number="48")
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=YEAR - 1, order=order)
    world.a1.header_lines = "Энский городской округ\nЭнской области"
    world.a1.save()
    world.coordinator.last_name, world.coordinator.first_name, world.coordinator.patronymic = (
        "Белова",
        "Марина",
        "Игоревна",
    )
    world.coordinator.phone = "8 (3439) 39-68-56"
    world.coordinator.save()
    Order.objects.create(
        municipality=world.a1,
        region=world.a1.region,
        kind="letter",
        number="02-21/9",
        date=datetime.date(2021, 1, 18),
        issuer="Федеральная служба по надзору в сфере образования и науки",
        issuer_cited="Федеральной службы по надзору в сфере образования и науки",
        title="О начале реализации проекта адресной методической помощи «500+»",
        basis_for="all",
    )
    Order.objects.create(
        municipality=world.a1,
        region=world.a1.region,
        number="176-Д",
        date=datetime.date(2021, 2, 12),
        issuer="Министерство образования Энской области",
        issuer_cited="Министерства образования Энской области",
        title="О реализации мероприятия",
        basis_for="curators",
    )
    return world


def request(client, kind, municipality, fmt="pdf"):
    return client.post(
        reverse("reports:report-create"), {"kind": kind, "municipality": municipality.pk, "year": YEAR, "fmt": fmt}
    )


def fetch(client, response) -> bytes:
    assert response.status_code == 302, response.content.decode()[:2000]
    return b"".join(client.get(response["Location"]).streaming_content)


def test_order_pdf_requisites_top_to_bottom(listed, login, tmp_path):
    c = login(listed.coordinator)
    pdf = fetch(c, request(c, ReportKind.ORDER_LOW_RESULTS, listed.a1))
    save_artifact("order-low-results.pdf", pdf)
    first = pdf_text(pdf, tmp_path, page=1)
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    # 1 issuing body with the lines above it, 2 kind, 3 date and number, 4 place, 5 title
    assert lines[:6] == [
        "Энский городской округ",
        "Энской области",
        "Управление образования (Округ А1)",
        "ПРИКАЗ",
        "от ____________ № ________",
        "г. Энск",
    ]
    text = re.sub(r"\s+", " ", first)
    assert "Об утверждении перечня общеобразовательных организаций с низкими образовательными результатами" in text
    # 6 preamble: the basis from the registry (the curators' basis is not cited here), the aim
    assert (
        "В соответствии с письмом Федеральной службы по надзору в сфере образования и науки от 18.01.2021 "
        "№ 02-21/9 «О начале реализации проекта адресной методической помощи «500+»» и в целях" in text
    )
    assert "176-Д" not in text
    assert "ПРИКАЗЫВАЮ:" in text
    # 7 the control point last; 8 signature: the head in office, «И.О. Фамилия»
    assert "3. Контроль исполнения настоящего приказа оставляю за собой." in text
    assert re.search(r"Начальник Управления образования\s+И\.П\. Руководова", text)
    # 9 executor mark
    assert "Исп. Белова Марина Игоревна, тел. 8 (3439) 39-68-56" in text
    # no system text on the pages; the data date and checksum are in the metadata
    whole = pdf_text(pdf, tmp_path)
    assert "контрольная сумма" not in whole.lower() and "Данные на" not in whole and "стр." not in whole
    info = pdf_info(pdf, tmp_path)
    assert re.search(
        r"Subject:\s+Проект приказа\. Данные на \d\d\.\d\d\.\d{4} \d\d:\d\d; контрольная сумма [0-9A-F-]{14}", info
    )
    report = GeneratedReport.objects.get()
    assert report.checksum and report.checksum in info
    # 10 appendix on a new page with its own heading, numbered page 2 in the top margin
    second = pdf_text(pdf, tmp_path, page=2)
    assert second.strip().startswith("2")
    assert "Приложение" in second and "к приказу" in second and "от ____________ № ________" in second
    assert listed.a1_school1.name.split("«")[0].strip() in re.sub(r"\s+", " ", second)
    assert not words_inside_page(pdf, tmp_path)


def test_registered_order_keeps_its_number_and_date_and_its_head(listed, login, tmp_path):
    a1 = listed.a1
    AuthorityHead.objects.filter(municipality=a1).update(date_to=datetime.date(2024, 8, 31))
    AuthorityHead.objects.create(
        municipality=a1,
        position="Начальник управления",
        last_name="Новикова",
        first_name="Ольга",
        patronymic="Сергеевна",
        date_from=datetime.date(2024, 9, 1),
    )
    OrderFactory(
        municipality=a1, number="431", date=datetime.date(2024, 8, 20), draft_kind="low_results", draft_year=YEAR
    )
    c = login(listed.coordinator)
    pdf = fetch(c, request(c, ReportKind.ORDER_LOW_RESULTS, a1))
    text = re.sub(r"\s+", " ", pdf_text(pdf, tmp_path))
    assert "от 20.08.2024 № 431" in text
    assert "И.П. Руководова" in text and "Новикова" not in text  # the head in office on the order's date
    assert "Приказ." in pdf_info(pdf, tmp_path)


def test_order_docx_a4_margins_page_field_and_requisites(listed, login):
    c = login(listed.coordinator)
    d = Docx(io.BytesIO(fetch(c, request(c, ReportKind.ORDER_CURATORS, listed.a1, fmt="docx"))))
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.left_margin >= Mm(20) and section.right_margin >= Mm(10)
    assert section.top_margin >= Mm(20) and section.bottom_margin >= Mm(20)
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and "fldChar" in section.header._element.xml
    texts = [p.text for p in d.paragraphs]
    assert texts[:3] == ["Энский городской округ", "Энской области", "Управление образования (Округ А1)"]
    assert "ПРИКАЗ" in texts and "от ____________ № ________" in texts and "г. Энск" in texts
    preamble = next(t for t in texts if t.startswith("В соответствии с"))
    assert (
        "письмом Федеральной службы" in preamble
        and "приказом Министерства образования Энской области от 12.02.2021 № 176-Д" in preamble
    )
    signature = [cell.text for cell in d.tables[0].rows[0].cells]
    assert signature == ["Начальник Управления образования", "И.П. Руководова"]
    assert any(t.startswith("Исп. Белова Марина Игоревна, тел.") for t in texts)
    assert d.styles["Normal"].font.name == "Times New Roman" and d.styles["Normal"].font.size.pt == 14


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (ReportKind.ORDER_PARTNERS, "меню «Партнёрские пары»"),
        (ReportKind.ORDER_CURATORS, "меню «Кураторы»"),
    ],
)
def test_empty_appendix_is_refused_with_the_reason(listed, login, kind, words):
    from curators.models import CuratorAssignment

    CuratorAssignment.objects.all().delete()
    c = login(listed.coordinator)
    response = request(c, kind, listed.a1)
    assert response.status_code == 400
    html = response.content.decode()
    assert "не формируется" in html and words in html
    assert not GeneratedReport.objects.exists()


def test_missing_head_is_refused_naming_what_and_where(listed, login):
    AuthorityHead.objects.filter(municipality=listed.a1).delete()
    c = login(listed.coordinator)
    response = request(c, ReportKind.ORDER_LOW_RESULTS, listed.a1)
    assert response.status_code == 400
    html = response.content.decode()
    assert "не назначен руководитель органа управления образованием" in html
    assert "«Реквизиты документов» (меню «Школы»)" in html
    assert not GeneratedReport.objects.exists()
    # an analytical document of the authority is refused alike
    response = request(c, ReportKind.MUNICIPAL, listed.a1)
    assert response.status_code == 400 and not GeneratedReport.objects.exists()


def test_missing_phone_is_refused(listed, login):
    listed.coordinator.phone = ""
    listed.coordinator.save()
    response = request(login(listed.coordinator), ReportKind.ORDER_LOW_RESULTS, listed.a1)
    assert response.status_code == 400
    assert "телефон" in response.content.decode()
    assert not GeneratedReport.objects.exists()


def test_register_the_signed_order_from_its_draft(listed, login, tmp_path):
    c = login(listed.coordinator)
    response = request(c, ReportKind.ORDER_LOW_RESULTS, listed.a1)
    report = GeneratedReport.objects.get()
    page = c.get(report.get_absolute_url()).content.decode()
    # the verification page: the data date and the checksum the order's pages do not carry
    assert "Данные на" in page and report.checksum in page
    match = re.search(r'href="(/schools/orders/new/\?[^"]+)"', page)
    assert match, "a link to register the signed order"
    form = c.get(match.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert (initial["draft_kind"], int(initial["draft_year"]), int(initial["municipality"])) == (
        "low_results",
        YEAR,
        listed.a1.pk,
    )
    response = c.post(
        "/schools/orders/new/",
        {
            "municipality": listed.a1.pk,
            "kind": "order",
            "number": "431",
            "date": "2026-09-04",
            "issuer": "Управление образования (Округ А1)",
            "title": initial["title"],
            "draft_kind": "low_results",
            "draft_year": YEAR,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    pdf = fetch(c, request(c, ReportKind.ORDER_LOW_RESULTS, listed.a1))
    assert "от 04.09.2026 № 431" in re.sub(r"\s+", " ", pdf_text(pdf, tmp_path))
    # those who only oversee the municipality are not offered to register it
    GeneratedReport.objects.update(requested_by=listed.regional)
    assert "/schools/orders/new/" not in login(listed.regional).get(report.get_absolute_url()).content.decode()
