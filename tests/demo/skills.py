"""Task-level results on the demo (issue 16): every page shows something real, and the page,
the card, the planner, the report section and the API show what their one selector gives."""

from django.urls import reverse

from skills import selectors as skill_selectors
from skills.models import MunicipalSkillResult, SkillResult, TaskPlan


class SkillChecks:
    """Mixed into the demo test case (tests/test_demo_portal.py)."""

    def test_demo_has_task_level_results(self):
        self.assertTrue(TaskPlan.objects.exists())
        self.assertTrue(SkillResult.objects.filter(school=self.lyceum, deficit=True).exists())
        self.assertTrue(MunicipalSkillResult.objects.filter(municipality=self.kamensk, weak=True).exists())
        help = skill_selectors.school_help(self.lyceum)
        self.assertTrue(help["events"] and help["materials"])
        self.assertTrue(all(r.score > 0 and r.covers for r in help["events"]))

    def test_deficits_agree_on_profile_card_api(self):
        help = skill_selectors.school_help(self.lyceum)
        profile = self.client.get(reverse("skills:school", args=[self.lyceum.pk]))
        card = self.client.get(self.lyceum.get_absolute_url())
        self.assertEqual(profile.status_code, 200)
        api = self.client.get(
            "/api/v1/assessment/skill-results/",
            {"school": self.lyceum.pk, "year": help["year"], "deficit": "true", "page_size": 500},
        ).json()["results"]
        self.assertEqual(len(api), len(help["deficits"]))
        by_key = {(r["procedure"], r["grade"], r["skill"]): r for r in api}
        for d in help["deficits"]:
            row = by_key[(d.procedure.code, d.grade, d.skill.text)]
            self.assertEqual(row["completion"], d.completion)
            self.assertEqual(row["municipal_completion"], d.municipal_completion)
            shown = f"{d.gap:.1f}".replace(".", ",")
            self.assertIn(shown, profile.content.decode())
            self.assertIn(shown, card.content.decode())
        for r in help["events"]:
            self.assertIn(r.item.title, profile.content.decode())

    def test_skill_pages_open_for_the_coordinator(self):
        for name in (
            "skills:weak-skills",
            "skills:deficit-list",
            "skills:help-effect",
            "skills:plan-list",
            "skills:skill-list",
        ):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 200, name)
        page = self.client.get(reverse("skills:help-effect")).content.decode()
        self.assertIn("Разница средних", page)

    def test_planner_shows_deficits_and_their_help(self):
        from curators.selectors import visit_planner

        rows = visit_planner(self.kamensk.schools.filter(pk=self.lyceum.pk))
        help = skill_selectors.school_help(self.lyceum)
        self.assertEqual(rows[0]["skill_deficits"], len(help["deficits"]))
        self.assertEqual([r.item.pk for r in rows[0]["skill_help"]["events"]], [r.item.pk for r in help["events"]])

    def test_report_sections_read_the_same_selectors(self):
        from skills.documents import municipal_help_effect, municipal_weak_skills, school_skills

        help = skill_selectors.school_help(self.lyceum)
        section = school_skills(self.lyceum, help["year"])
        self.assertEqual([d.pk for d in section.context["help"]["deficits"]], [d.pk for d in help["deficits"]])
        weak = municipal_weak_skills(self.kamensk, help["year"])
        self.assertEqual(
            [w.pk for w in weak.context["weak"]],
            [w.pk for w in skill_selectors.weak_skills(self.kamensk, help["year"])],
        )
        self.assertTrue(municipal_help_effect(self.kamensk, help["year"]).context["cases"])
