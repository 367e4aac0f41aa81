from django.core.management.base import BaseCommand

from config.schedule import PERIODIC_TASKS, apply_schedule


class Command(BaseCommand):
    help = "Write the periodic tasks declared in config/schedule.py into the beat schedule."

    def handle(self, *args, **options):
        result = apply_schedule()
        for name, spec in PERIODIC_TASKS.items():
            self.stdout.write(f"{name}: {spec['task']} {spec['crontab']}")
        self.stdout.write(f"declared {result['declared']}, disabled {result['disabled']}")
