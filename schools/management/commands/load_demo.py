"""python manage.py load_demo — build the demo data from the project's copy of the seed
facts.  Idempotent: running it again updates what is there and adds nothing twice."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand
from django.db import transaction

from core.dashboard import app_modules
from schools.demo import DEMO_PASSWORD, DEMO_USERS, load_organisation

FACTS = Path(__file__).resolve().parents[2] / "fixtures" / "seed_facts.yaml"


class Command(BaseCommand):
    help = "Load the demo municipalities, schools, users and each app's demo data (idempotent)."

    def handle(self, *args, **options):
        facts = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
        with transaction.atomic():
            ctx = load_organisation(facts)
            # Each app may bring its own demo data in <app>/demo.py: load(ctx).
            for module in app_modules("demo"):
                if module.__name__ != "schools.demo":
                    module.load(ctx)
                    self.stdout.write(f"  demo data of {module.__name__}: loaded")
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write(f"  {'admin':<24} superuser")
        for username, (role, *_rest, scope) in DEMO_USERS.items():
            where = scope[1] if isinstance(scope[1], str) else " / ".join(scope[1])
            self.stdout.write(f"  {username:<24} {role.label} — {where}")
