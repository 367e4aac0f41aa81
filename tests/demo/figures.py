"""One truth per figure (issue 15.1): on the demo data, every reader of a figure — the page,
the school card, the home panel, the documents, the xlsx export and the API — shows the
number its one selector gives."""

import io
import re

from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from assessment import documents as assessment_documents
from assessment import selectors as assessment_selectors
from assessment.models import Flag
from curators import selectors as curator_selectors
from events import documents as event_documents
from events import selectors as event_selectors
from roadmaps import documents as roadmap_documents
from roadmaps import selectors as roadmap_selectors
from schools import documents as school_documents
from schools import selectors as school_selectors


def figure(html: bytes, name: str) -> str:
    """The text of the element marked ``data-figure="name"`` (tags stripped)."""
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(.*?)</(?:div|dd|strong|span|p)>', html.decode(), re.S)
    assert match, f"no figure {name!r} on the page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def number(text: str) -> int:
    return int(re.sub(r"[^\d−-]", "", text).replace("−", "-"))


class FigureChecks:
    """Mixed into the demo test case (tests/test_demo_portal.py)."""

    def api(self, url, **params):
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, url)
        return response.json()

    def table_row(self, html_response, school):
        rows = [r for r in html_response.context["table"].rows if r.record.pk == school.pk]
        self.assertEqual(len(rows), 1)
        return rows[0].record

    def xlsx_row(self, url, school, header):
        response = self.client.get(url)
        sheet = load_workbook(io.BytesIO(response.content)).active
        headers = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if row[0] == school.short_name:
                return row[headers.index(header)]
        raise AssertionError(f"{school} not in {url}")

    # --- A school's flags -------------------------------------------------------------------

    def test_school_flags(self):
        school, year = self.lyceum, self.results_year
        expected = assessment_selectors.school_flag_count(school, year)
        teachers = assessment_selectors.teacher_dynamics(Flag.objects.filter(school=school, year=year)).count()
        self.assertGreater(expected, 0)
        self.assertGreater(teachers, 0, "the demo has teachers' dynamics to keep apart")
        # the card: the figures strip and the results section
        card = self.client.get(f"/schools/{school.pk}/").content
        self.assertEqual(number(figure(card, "flags")), expected)
        self.assertEqual(len(re.findall(rf'data-figure="flags"[^>]*>\s*{expected}\s*<', card.decode())), 2)
        # the results page: the year's group of flags
        page = self.client.get(f"/assessment/school/{school.pk}/")
        self.assertEqual(len([f for f in page.context["o"]["flags"] if f.year == year]), expected)
        self.assertEqual(len([f for f in page.context["o"]["teacher_flags"] if f.year == year]), teachers)
        # the flags list, the schools table, its xlsx and the API
        listed = self.client.get("/assessment/flags/", {"school": school.pk, "year": year})
        self.assertEqual(listed.context["table"].paginator.count, expected)
        self.assertEqual(self.table_row(self.client.get("/schools/"), school).flags_count, expected)
        flags_header = next(h for h in self._schools_headers() if h.startswith("Признаки"))
        self.assertEqual(self.xlsx_row("/schools/?export=xlsx", school, flags_header), expected)
        self.assertEqual(self.api(f"/api/v1/schools/{school.pk}/")["flags_count"], expected)
        self.assertEqual(self.api("/api/v1/assessment/flags/", school=school.pk, year=year)["count"], expected)
        self.assertEqual(
            self.api("/api/v1/assessment/teacher-dynamics/", school=school.pk, year=year)["count"], teachers
        )
        # the school report
        (section,) = assessment_documents.school_report_sections(school, year)
        self.assertEqual(len(section.context["flags"]), expected)
        self.assertEqual(len(section.context["teachers"]), teachers)

    def _schools_headers(self):
        response = self.client.get("/schools/?export=xlsx")
        return [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]

    def test_flag_totals_of_the_municipality(self):
        year = self.results_year
        scoped = Flag.objects.filter(school__municipality=self.kamensk)
        totals = assessment_selectors.flag_totals(scoped, year)
        per_school = sum(assessment_selectors.school_flag_count(s, year) for s in self.kamensk.schools.all())
        self.assertEqual(totals["total"], per_school)
        home = self.client.get("/").content
        self.assertEqual(number(figure(home, "flags")), totals["total"])
        self.assertEqual(number(figure(home, "teacher-dynamics")), totals["teachers"])
        self.assertEqual(self.api("/api/v1/assessment/flags/", year=year)["count"], totals["total"])
        self.assertEqual(self.api("/api/v1/assessment/teacher-dynamics/", year=year)["count"], totals["teachers"])
        teachers_page = self.client.get("/assessment/teachers/", {"year": year})
        self.assertEqual(teachers_page.context["table"].paginator.count, totals["teachers"])
        (section,) = assessment_documents.municipal_report_sections(self.kamensk, year)
        self.assertEqual(sum(row["n"] for row in section.context["flag_counts"]), totals["total"])
        self.assertEqual(section.context["teacher_dynamics"], totals["teachers"])
        # Teachers' dynamics are not a copy of the schools' negative dynamics (pooled over grades).
        negative = scoped.filter(year=year, kind="negative_dynamics").count()
        self.assertNotEqual(totals["teachers"], negative)

    # --- Pending approvals ------------------------------------------------------------------

    def test_pending_approvals(self):
        expected = roadmap_selectors.reports_waiting_for_approval(self.coordinator).count()
        self.assertGreater(expected, 0)
        home = self.client.get("/").content
        self.assertEqual(number(figure(home, "pending-approvals")), expected)
        queue = self.client.get("/roadmaps/reports/approval/")
        self.assertEqual(queue.context["table"].paginator.count, expected)
        self.assertEqual(self.api("/api/v1/progress-reports/", pending_approval="true")["count"], expected)
        for sections in (
            roadmap_documents.info_note_sections(self.kamensk, self.year),
            roadmap_documents.municipal_report_sections(self.kamensk, self.year),
            roadmap_documents.info_note_sections(self.kamensk, self.year - 1),
        ):
            self.assertEqual(len(sections[0].context["waiting"]), expected)

    # --- Events held ------------------------------------------------------------------------

    def test_events_held(self):
        for year in (self.year - 1, self.year):
            held = event_selectors.events_held(self.kamensk.events.all(), year)
            self.assertTrue(all(e.end <= timezone.now() and e.status != "cancelled" for e in held))
            expected = held.count()
            in_report = event_documents.municipal_events(self.kamensk, year)
            self.assertEqual(len(in_report), expected, year)
            page = self.client.get("/events/", {"status": "held", "year": year})
            self.assertEqual(page.context["table"].paginator.count, expected, year)
            self.assertEqual(self.api("/api/v1/events/", status="held", year=year)["count"], expected, year)
        # This year has planned events to come: none of them is counted as held.
        planned = self.kamensk.events.filter(end__gt=timezone.now()).exclude(status="cancelled")
        self.assertTrue(planned.exists())
        self.assertFalse(event_selectors.events_held(planned).exists())

    # --- ШНОР count and movement ------------------------------------------------------------

    def test_low_results_count_and_movement(self):
        schools = self.kamensk.schools.all()
        expected = school_selectors.low_results_count(schools, self.year)
        movement = school_selectors.low_results_movement(self.kamensk, self.year)
        self.assertEqual(movement["total"], expected)
        self.assertGreater(expected, 0)
        home = self.client.get("/").content.decode()
        # the schools panel and the «ШНОР now and a year ago» panel
        self.assertEqual(len(re.findall(rf'data-figure="low-results">\s*{expected}\s*<', home)), 2)
        self.assertEqual(number(figure(home.encode(), "low-results-before")), movement["before_total"])
        self.assertEqual(number(figure(home.encode(), "low-results-entered")), movement["entered"])
        self.assertEqual(number(figure(home.encode(), "low-results-left")), -movement["left"] or 0)
        listed = self.client.get("/schools/", {"status": "low_results"})
        self.assertEqual(listed.context["table"].paginator.count, expected)
        self.assertEqual(self.api("/api/v1/schools/", status="low_results")["count"], expected)
        moves = self.client.get("/schools/statuses/movement/", {"municipality": self.kamensk.pk})
        row = next(r for r in moves.context["rows"] if r["year"] == self.year)
        self.assertEqual((row["total"], row["entered"], row["left"]), (expected, movement["entered"], movement["left"]))
        overview = school_documents.municipal_report_sections(self.kamensk, self.year)[0].context
        self.assertEqual(overview["listed"].count(), expected)
        doc_row = next(m for m in overview["movement"] if m["year"] == self.year)
        self.assertEqual((doc_row["entered"], doc_row["left"]), (movement["entered"], movement["left"]))

    def test_no_low_results_schools_is_not_everyone_took_part(self):
        gelendzhik = User.objects.get(username="coordinator_gelendzhik")
        self.client.force_login(gelendzhik)
        home = self.client.get("/").content.decode()
        if school_selectors.low_results_count(gelendzhik.municipality.schools.all(), self.year) == 0:
            self.assertNotIn("Все ШНОР недавно участвовали", home)
            self.assertIn("В этом году ШНОР нет.", home)

    # --- Recommendations, last visit, roadmap progress, risk level ---------------------------

    def test_per_school_figures(self):
        schools = list(self.kamensk.schools.all())
        table = self.client.get("/schools/", {"per_page": 200})
        api = {row["id"]: row for row in self.api("/api/v1/schools/", page_size=200)["results"]}
        checked = 0
        for school in schools:
            visit = curator_selectors.school_visit_figures(school)
            progress = roadmap_selectors.school_roadmap_progress(school, self.year)
            level = school_selectors.school_risk_level(school, self.year)
            row = self.table_row(table, school)
            self.assertEqual(row.last_visit, visit["last_visit"])
            self.assertEqual(row.roadmap_progress, progress)
            self.assertEqual(row.risk_level, level)
            self.assertEqual(api[school.pk]["last_visit"], visit["last_visit"] and visit["last_visit"].isoformat())
            self.assertEqual(api[school.pk]["risk_level"], level)
            self.assertEqual(api[school.pk]["roadmap_progress"], progress)
            figures = school_selectors.school_figures(school)
            self.assertEqual(
                (figures["last_visit"], figures["roadmap_progress"], figures["risk_level"]),
                (visit["last_visit"], progress, level),
            )
            checked += bool(visit["last_visit"] or progress is not None)
        self.assertGreaterEqual(checked, 2, "the demo has visits and roadmaps to compare")

        school = self.lyceum
        visit = curator_selectors.school_visit_figures(school)
        self.assertGreater(visit["open_recs"], 0)
        card = self.client.get(f"/schools/{school.pk}/").content
        self.assertEqual(number(figure(card, "open-recommendations")), visit["open_recs"])
        self.assertEqual(figure(card, "last-visit"), visit["last_visit"].strftime("%d.%m.%Y"))
        recs = self.client.get("/curators/recommendations/", {"school": school.pk, "state": "open"})
        overdue = self.client.get("/curators/recommendations/", {"school": school.pk, "state": "overdue"})
        self.assertEqual(
            recs.context["table"].paginator.count + overdue.context["table"].paginator.count, visit["open_recs"]
        )
        self.assertEqual(overdue.context["table"].paginator.count, visit["overdue_recs"])
        api_recs = self.api("/api/v1/recommendations/", school=school.pk, state="overdue")
        self.assertEqual(api_recs["count"], visit["overdue_recs"])
        # The municipality's overdue recommendations: home panel, list and API.
        overdue_all = curator_selectors.overdue_recommendations(self.coordinator).count()
        home = self.client.get("/").content
        self.assertEqual(number(figure(home, "overdue-recommendations")), overdue_all)
        listed = self.client.get("/curators/recommendations/", {"state": "overdue"})
        self.assertEqual(listed.context["table"].paginator.count, overdue_all)
        # Roadmap progress on the card and in the school report.
        progress = roadmap_selectors.school_roadmap_progress(school, self.year)
        self.assertIsNotNone(progress)
        (section,) = roadmap_documents.school_report_sections(school, self.year)
        self.assertAlmostEqual(section.context["totals"]["completion"], progress)
        self.assertEqual(
            figure(card, "roadmap-progress").replace("\xa0", " "), f"{progress * 100:.1f} %".replace(".", ",")
        )
        # Risk level on the card, as the risk profile's highest level.
        level = school_selectors.school_risk_level(school, self.year)
        self.assertIn(level, ("high", "medium", "low", "none"))
        labels = {"high": "высокий", "medium": "средний", "low": "низкий", "none": "нет"}
        self.assertEqual(figure(card, "risk-level"), labels[level])
