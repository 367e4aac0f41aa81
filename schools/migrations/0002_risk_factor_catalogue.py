"""The "500+" risk-factor catalogue (2021–2022 wording). Editable data afterwards."""

from django.db import migrations

FACTORS = [
    ("Низкий уровень оснащения школы", "Оснащение"),
    ("Дефицит педагогических кадров", "Кадры"),
    ("Недостаточная предметная и методическая компетентность педагогических работников", "Компетентность"),
    ("Риски низкой адаптивности учебного процесса", "Адаптивность"),
    ("Несформированность внутришкольной системы повышения квалификации", "Повышение квалификации"),
    ("Высокая доля обучающихся с рисками учебной неуспешности", "Неуспешность"),
    ("Низкое качество преодоления языковых и культурных барьеров", "Языковые барьеры"),
    ("Пониженный уровень качества школьной образовательной и воспитательной среды", "Среда"),
    ("Низкий уровень вовлеченности родителей", "Родители"),
    ("Низкая учебная мотивация обучающихся", "Мотивация"),
    ("Высокая доля обучающихся с ОВЗ", "ОВЗ"),
]


def load(apps, schema_editor):
    RiskFactor = apps.get_model("schools", "RiskFactor")
    for position, (name, short) in enumerate(FACTORS, start=1):
        # The last one is "sometimes added": present but inactive by default.
        RiskFactor.objects.update_or_create(
            name=name, defaults={"short_name": short, "position": position, "is_active": position <= 10}
        )


def unload(apps, schema_editor):
    apps.get_model("schools", "RiskFactor").objects.filter(name__in=[n for n, _ in FACTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
