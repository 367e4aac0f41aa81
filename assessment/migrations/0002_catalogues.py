"""Catalogues of procedures and subjects (with aliases and known maximum scores), and the
nightly analysis in django-celery-beat (03:30 UTC)."""

from django.db import migrations

PROCEDURES = [
    ("ЕГЭ", "Единый государственный экзамен", ["егэ", "ege", "единый государственный экзамен"]),
    ("ОГЭ", "Основной государственный экзамен", ["огэ", "oge", "основной государственный экзамен", "ГВЭ-9"]),
    ("ВПР", "Всероссийские проверочные работы", ["впр", "vpr", "всероссийская проверочная работа"]),
    ("РДР", "Региональная диагностическая работа", ["рдр", "rdr", "региональная диагностика"]),
    ("ККР", "Краевая (областная) контрольная работа", ["ккр", "kkr", "контрольная работа"]),
    ("ВсОШ", "Всероссийская олимпиада школьников", ["всош", "vsosh", "олимпиада"]),
    ("ФГ", "Функциональная грамотность", ["фг", "fg", "функциональная грамотность"]),
    ("ВСОКО", "Внутренняя система оценки качества образования", ["всоко", "vsoko"]),
]

SUBJECTS = [
    ("Русский язык", ["русский", "русский яз.", "русский яз", "рус. яз.", "russian"]),
    ("Математика", ["матем.", "mathematics", "math"]),
    ("Математика (профильный уровень)", ["математика (профиль)", "математика профиль", "математика п", "математика профильная"]),
    ("Математика (базовый уровень)", ["математика (база)", "математика база", "математика б", "математика базовая"]),
    ("Физика", ["physics"]),
    ("Химия", ["chemistry"]),
    ("Биология", ["biology"]),
    ("География", ["geography"]),
    ("История", ["history"]),
    ("Обществознание", ["общество", "social studies"]),
    ("Информатика", ["информатика и икт", "computer science"]),
    ("Литература", ["literature"]),
    ("Английский язык", ["английский", "иностранный язык (английский)", "англ. яз.", "english"]),
    ("Немецкий язык", ["немецкий", "иностранный язык (немецкий)"]),
    ("Французский язык", ["французский", "иностранный язык (французский)"]),
    ("Окружающий мир", ["окр. мир"]),
    ("Читательская грамотность", ["чг"]),
    ("Математическая грамотность", ["мг"]),
    ("Естественнонаучная грамотность", ["енг"]),
    ("Финансовая грамотность", ["финг"]),
    ("Глобальные компетенции", ["гк"]),
    ("Креативное мышление", ["км"]),
]

# (procedure, subject, grade or None, maximum primary score) — the current specifications.
MAX_SCORES = [
    ("ЕГЭ", "Русский язык", 11, 50),
    ("ЕГЭ", "Математика (профильный уровень)", 11, 32),
    ("ЕГЭ", "Математика (базовый уровень)", 11, 21),
    ("ЕГЭ", "Физика", 11, 45),
    ("ЕГЭ", "Обществознание", 11, 58),
    ("ЕГЭ", "История", 11, 42),
    ("ОГЭ", "Русский язык", 9, 33),
    ("ОГЭ", "Математика", 9, 31),
    ("ОГЭ", "Обществознание", 9, 37),
    ("ОГЭ", "Информатика", 9, 19),
    ("ВПР", "Русский язык", 4, 38),
    ("ВПР", "Математика", 4, 20),
    ("ВПР", "Окружающий мир", 4, 32),
    ("ВПР", "Русский язык", 5, 45),
    ("ВПР", "Математика", 5, 20),
    ("ВПР", "Русский язык", 6, 51),
    ("ВПР", "Математика", 6, 20),
    ("ВПР", "Русский язык", 7, 47),
    ("ВПР", "Математика", 7, 19),
    ("ВПР", "Русский язык", 8, 51),
    ("ВПР", "Математика", 8, 25),
]


def load(apps, schema_editor):
    Procedure = apps.get_model("assessment", "Procedure")
    Subject = apps.get_model("assessment", "Subject")
    MaxScore = apps.get_model("assessment", "MaxScore")
    procedures = {}
    for code, name, aliases in PROCEDURES:
        procedures[code], _ = Procedure.objects.update_or_create(code=code, defaults={"name": name, "aliases": aliases})
    subjects = {}
    for name, aliases in SUBJECTS:
        subjects[name], _ = Subject.objects.update_or_create(name=name, defaults={"aliases": aliases})
    for proc, subj, grade, score in MAX_SCORES:
        MaxScore.objects.update_or_create(
            procedure=procedures[proc], subject=subjects[subj], grade=grade, defaults={"max_score": score}
        )


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.update_or_create(
        name="assessment: nightly analysis",
        defaults={"task": "assessment.tasks.analysis_run_nightly", "crontab": cron, "enabled": True},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="assessment: nightly analysis").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
