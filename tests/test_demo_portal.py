"""The demo portal read as its users read it, the demo loaded once for all of these tests
(setUpTestData; rolled back afterwards), in one xdist group so that one worker loads it:

- one truth per figure (tests/demo/figures.py),
- exports that are data, neutralised against formulas (tests/demo/exports.py),
- no dead ends for any demo role (tests/demo/crawl.py),
- documents read back, their figures the pages' (tests/demo/documents.py)."""

import pytest
from django.core.management import call_command
from django.test import TestCase

from accounts.models import User
from assessment import selectors as assessment_selectors
from core.years import current_academic_year
from schools.models import Municipality, School
from tests.conftest import restore_migration_data
from tests.demo.crawl import CrawlChecks
from tests.demo.documents import DocumentChecks
from tests.demo.exports import ExportChecks, plant_hostile_data
from tests.demo.figures import FigureChecks
from tests.demo.skills import SkillChecks

KAMENSK = "Каменск-Уральский городской округ"


@pytest.mark.xdist_group(name="demo")
class DemoPortal(FigureChecks, ExportChecks, CrawlChecks, SkillChecks, DocumentChecks, TestCase):
    @classmethod
    def setUpTestData(cls):
        # A test case runs after the transactional tests, whose flush removed what data
        # migrations put in (the catalogues): their own loaders bring it back (tests/conftest.py).
        restore_migration_data()
        call_command("load_demo", verbosity=0)
        cls.year = current_academic_year()
        cls.kamensk = Municipality.objects.get(name=KAMENSK)
        cls.coordinator = User.objects.get(username="coordinator")
        cls.school_admin = User.objects.get(username="school")
        cls.lyceum = School.objects.get(pk=cls.school_admin.school_id)  # Лицей № 9
        cls.results_year = assessment_selectors.results_year(cls.kamensk.schools.all())
        cls.hostile = plant_hostile_data(cls.kamensk, cls.coordinator)

    def setUp(self):
        self.client.force_login(self.coordinator)
