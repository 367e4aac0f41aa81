"""Documents read back on the demo data (issue 14): every analytical document numbers its
sections 1, 2, 3 … without gaps, its figures equal the pages' (the same selectors), nothing
crosses the margins, the signature is not alone on the last page; every order kind in PDF
and .docx carries the requisites of the demo municipality.  The PDFs and their pages as PNG
land in test-artifacts/documents/ to look at."""

from __future__ import annotations

import io
import pathlib
import re
import subprocess
import tempfile

from docx import Document as Docx
from docx.shared import Mm

from curators import selectors as curator_selectors
from events import selectors as event_selectors
from regional import selectors as regional_selectors
from reports.documents import (
    info_note,
    municipal_report,
    order_curators,
    order_low_results,
    order_partners,
    school_report,
)
from reports.services import document_render
from schools import selectors as school_selectors

ARTIFACTS = pathlib.Path("test-artifacts/documents")


def pdf_pages(pdf: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "d.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split("\f")[:-1]


def words_off_the_page(pdf: bytes, left_mm: float = 10, right_mm: float = 5) -> list[str]:
    """Words whose box runs past the printable area (page edge minus a few mm)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "d.pdf"
        path.write_bytes(pdf)
        html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    out, width, mm = [], None, 72 / 25.4
    for line in html.splitlines():
        m = re.search(r'<page width="([\d.]+)"', line)
        if m:
            width = float(m.group(1))
        m = re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*)</word>', line)
        if m and width and (float(m.group(1)) < left_mm * mm or float(m.group(2)) > width - right_mm * mm):
            out.append(m.group(3))
    return out


def save(name: str, pdf: bytes) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(ARTIFACTS / f"{name}.pdf"), str(ARTIFACTS / name)], check=True)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def section_numbers(text: str) -> list[int]:
    """The numbers of the section headings (a line «N. Title» at the left edge)."""
    return [int(n) for n in re.findall(r"^\s{0,3}(\d{1,2})\. \S", text, re.M)]


class DocumentChecks:
    """Mixed into the demo test case (tests/test_demo_portal.py)."""

    def analytical(self, doc, name):
        pdf, checksum, pages = document_render(doc, "pdf")
        save(name, pdf)
        texts = pdf_pages(pdf)
        self.assertEqual(len(texts), pages)
        whole = "\n".join(texts)
        numbers = section_numbers(whole)
        self.assertEqual(numbers[: max(numbers)], list(range(1, max(numbers) + 1)), f"{name}: {numbers}")
        self.assertIn(checksum, whole)
        self.assertFalse(words_off_the_page(pdf), name)
        # the signature keeps company: the last page holds more than the signature and the footer
        last = [line for line in texts[-1].splitlines() if line.strip()]
        self.assertGreater(len(last), 3, f"{name}: the last page is the signature alone")
        return flat(whole), max(numbers)

    def test_municipal_report_sections_and_figures(self):
        text, sections = self.analytical(municipal_report(self.kamensk, self.year), "demo-municipal-report")
        self.assertEqual(sections, 9)  # … with the skills' «weak skills» and «did the help help?»
        self.assertTrue(
            text.strip().startswith(
                "Каменск-Уральский городской округ Свердловской области Орган местного самоуправления «Управление "
                "образования Каменск-Уральского городского округа»"
            ),
            text[:200],
        )
        for heading in (
            "Школы с низкими образовательными результатами",
            "Работа кураторов",
            "Методические мероприятия",
            "Слабые умения",
            "Помогла ли помощь?",
        ):
            self.assertIn(heading, text)
        # the curators' work: the comparison page's visits and the home panel's overdue figure
        (row,) = regional_selectors.municipality_summary([self.kamensk], self.year)
        visits = row.values[self.year]["visits"]
        overdue = curator_selectors.overdue_recommendations(self.coordinator).count()
        self.assertEqual(row.values[self.year]["overdue_recommendations"], overdue)
        self.assertIn(f"Посещений школ с низкими результатами за учебный год — {visits}.", text)
        self.assertIn(f"просроченных рекомендаций на дату данных: {overdue}", text)
        # events held by the data date, as the events page with ?status=held counts them
        held = event_selectors.events_held(self.kamensk.events.all(), self.year).count()
        page = self.client.get("/events/", {"status": "held", "year": self.year})
        self.assertEqual(page.context["table"].paginator.count, held)
        self.assertIn(f"В муниципалитете проведено {held} методическ", text)
        # the ШНОР of the year, as the schools list counts them
        low = school_selectors.low_results_count(self.kamensk.schools.all(), self.year)
        listed = self.client.get("/schools/", {"status": "low_results"})
        self.assertEqual(listed.context["table"].paginator.count, low)
        self.assertRegex(text, rf"Из \d+ действующих школ муниципалитета {low} входят в перечень")
        # signed by the head in office today
        self.assertIn("Начальник Управления образования", text)
        self.assertIn("Е.Н. Кравцова", text)

    def test_info_note_and_school_report_are_numbered_without_gaps(self):
        self.analytical(info_note(self.kamensk, self.year), "demo-info-note")
        text, sections = self.analytical(school_report(self.lyceum, self.year), "demo-school-report")
        self.assertGreaterEqual(sections, 7)
        self.assertIn("Работа кураторов", text)

    def test_partner_pairs_order(self):
        from accounts.models import User
        from reports.requisites import DocumentRefused

        # Kamensk has formed no pairs this year: refused, saying why and where to form them.
        with self.assertRaises(DocumentRefused) as refused:
            order_partners(self.kamensk, self.year, user=self.coordinator)
        self.assertIn("меню «Партнёрские пары»", str(refused.exception))
        smolensk = User.objects.get(username="coordinator_smolensk")
        doc = order_partners(smolensk.municipality, 2020, user=smolensk)
        pdf, _checksum, pages = document_render(doc, "pdf")
        save("demo-order-partners", pdf)
        texts = pdf_pages(pdf)
        self.assertEqual(pages, len(texts))
        self.assertTrue(flat(texts[0]).strip().startswith("Администрация города Смоленска"))
        self.assertIn("г. Смоленск", texts[0])
        self.assertIn("Н.С. Лебедева", texts[0])
        self.assertIn("Приложение", texts[1])
        self.assertFalse(words_off_the_page(pdf))

    def test_every_order_kind_in_pdf_and_docx(self):
        for builder, name in ((order_low_results, "low-results"), (order_curators, "curators")):
            doc = builder(self.kamensk, self.year, user=self.coordinator)
            pdf, checksum, pages = document_render(doc, "pdf")
            save(f"demo-order-{name}", pdf)
            texts = pdf_pages(pdf)
            first = flat(texts[0])
            self.assertTrue(
                first.strip().startswith("Каменск-Уральский городской округ Свердловской области"), first[:200]
            )
            self.assertIn("ПРИКАЗ", first)
            self.assertIn("г. Каменск-Уральский", first)
            self.assertIn("В соответствии с письмом Федеральной службы по надзору в сфере образования и науки", first)
            self.assertIn(
                "приказом Министерства образования и молодежной политики Свердловской области", flat(" ".join(texts))
            )
            self.assertNotIn(checksum, " ".join(texts))
            self.assertFalse(words_off_the_page(pdf), name)
            self.assertIn("Приложение", texts[-1] if pages > 1 else texts[0])
            docx = Docx(io.BytesIO(document_render(doc, "docx")[0]))
            section = docx.sections[0]
            self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
            self.assertGreaterEqual(section.left_margin, Mm(20))
            self.assertIn("PAGE", section.header._element.xml)
            texts = [p.text for p in docx.paragraphs]
            self.assertIn("ПРИКАЗ", texts)
            self.assertIn("Исп. Белова Марина Игоревна, тел. 8 (3439) 39-68-56", texts)
            self.assertEqual(
                [c.text for c in docx.tables[0].rows[0].cells], ["Начальник Управления образования", "Е.Н. Кравцова"]
            )
