"""The theme catalogue of the bank of practices (editable data)."""

from django.db import migrations

THEMES = [
    "Формирующее оценивание",
    "Функциональная грамотность",
    "Объективность оценивания",
    "Профилактика учебной неуспешности",
    "Наставничество",
    "ВСОКО и управление качеством",
    "Мотивация обучающихся",
    "Работа с родителями",
    "Подготовка к ГИА",
    "Управленческие команды",
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("events", "Theme")
    for position, name in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(add_themes, migrations.RunPython.noop)]
