from core.imports import CheckedImportCommand
from skills.services import PLAN_IMPORT


class Command(CheckedImportCommand):
    help = "Check and import a task-plan file (TASKS.md §1): whole or not at all."
    service = PLAN_IMPORT
