"""Demo organisation built from the seed facts (schools/fixtures/seed_facts.yaml):
the four municipalities, their schools and one demo user per role.  Idempotent."""

import re
from dataclasses import dataclass, field

from accounts.models import Role, User
from schools.models import Municipality, Region, School, SchoolKind

DEMO_PASSWORD = "opora-demo-2026"

REGION_CODES = {
    "Свердловская область": "66",
    "Смоленская область": "67",
    "Краснодарский край": "23",
    "Красноярский край": "24",
}

# Schools the seeds do not list but a municipality of that size has (generated, deterministic).
EXTRA_SCHOOLS = {
    "город Смоленск": [f"СШ № {n}" for n in range(1, 41)]
    + ["Гимназия № 1 им. Н.М. Пржевальского", "Гимназия № 4", "Лицей № 1"],
    "муниципальное образование город-курорт Геленджик": [f"СОШ № {n}" for n in range(1, 17)],
    "город Канск": [f"СШ № {n}" for n in (2, 3, 4, 5, 6, 7, 11, 15, 18, 19, 21)] + ["Лицей № 1"],
}


@dataclass
class DemoContext:
    """What the organisation loader made, for the other apps' demo loaders."""

    facts: dict
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    schools: dict[tuple[str, str], School] = field(default_factory=dict)  # (municipality, short name)
    users: dict[str, User] = field(default_factory=dict)

    def school(self, municipality: str, short_name: str) -> School:
        return self.schools[(municipality, short_short(short_name))]


def short_short(name: str) -> str:
    """«Средняя школа № 1 с углублённым …» → «СШ № 1»; «МБОУ Рождественская СОШ» stays."""
    m = re.match(r"Средняя школа № (\d+)", name)
    if m:
        return f"СШ № {m.group(1)}"
    m = re.match(r"Основная школа № (\d+)", name)
    if m:
        return f"ОШ № {m.group(1)}"
    return name


def _kind(name: str) -> str:
    low = name.lower()
    if "лицей" in low:
        return SchoolKind.LYCEUM
    if "гимназия" in low:
        return SchoolKind.GYMNASIUM
    if "углублённым" in low or "углубленным" in low:
        return SchoolKind.ADVANCED
    if "центр образования" in low:
        return SchoolKind.CENTRE
    if "основная" in low or "ООШ" in name or name.startswith("ОШ"):
        return SchoolKind.OOSH
    return SchoolKind.SOSH


def _kamensk_school_names(m: dict) -> list[str]:
    names: list[str] = []
    names += m.get("participants_500plus_2022", []) + m.get("participants_500plus_2021_also", [])
    for c in m.get("school_curators_2022", []):
        names += [c["curator_school"], *c["supervises"]]
    for e in m.get("events_2022", []):
        names += [e["host"], *e.get("co_organisers", [])]
    names += m.get("federal_low_results_sample_2023", [])
    return names


def _names_for(m: dict) -> list[str]:
    names = _kamensk_school_names(m) + list(m.get("schools", []))
    for year_list in (m.get("low_result_lists") or {}).values():
        names += year_list
    for pair in m.get("partner_pairs_2020", []):
        names += pair
    names += EXTRA_SCHOOLS.get(m["name"], [])
    seen: dict[str, str] = {}
    for n in names:
        seen.setdefault(short_short(n), n)
    return list(seen.values())


def _full_name(name: str, municipality: str) -> str:
    if name.startswith("МБОУ"):
        return f"Муниципальное бюджетное общеобразовательное учреждение «{name[5:]}»"
    prefix = "Муниципальное автономное общеобразовательное учреждение"
    return f"{prefix} «{name}»"


def load_organisation(facts: dict) -> DemoContext:
    ctx = DemoContext(facts=facts)
    for m_index, m in enumerate(facts["municipalities"], start=1):
        region, _ = Region.objects.get_or_create(name=m["region"], defaults={"code": REGION_CODES.get(m["region"], "")})
        muni, _ = Municipality.objects.update_or_create(
            region=region,
            name=m["name"],
            defaults={
                "education_body": m.get("education_body", f"Управление образования ({m['name']})"),
                "methodical_centre": m.get("methodical_centre", ""),
                "regional_institute": m.get("regional_institute", ""),
            },
        )
        ctx.municipalities[m["name"]] = muni
        for s_index, name in enumerate(_names_for(m), start=1):
            short = short_short(name)
            code = f"{region.code}{m_index:02d}{s_index:03d}"
            school, _ = School.objects.update_or_create(
                municipality=muni,
                short_name=short,
                defaults={
                    "code": code,
                    "name": _full_name(name, m["name"]),
                    "kind": _kind(name),
                    "is_rural": m["name"] == "Казачинский район",
                    "students_count": 300 + (s_index * 37) % 900,
                    "teachers_count": 20 + (s_index * 7) % 60,
                    "address": f"{m['name']}, ул. Школьная, {s_index}",
                    "director": _person(m_index * 100 + s_index),
                },
            )
            ctx.schools[(m["name"], short)] = school
    _load_users(ctx)
    return ctx


_LAST = [
    "Иванова",
    "Петрова",
    "Смирнова",
    "Кузнецова",
    "Соколова",
    "Попова",
    "Лебедева",
    "Козлова",
    "Новикова",
    "Морозова",
]
_FIRST = ["Анна", "Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Светлана", "Марина", "Юлия", "Галина"]
_PATR = ["Сергеевна", "Александровна", "Викторовна", "Николаевна", "Ивановна", "Петровна", "Андреевна", "Юрьевна"]


def _person(seed: int) -> str:
    return f"{_LAST[seed % 10]} {_FIRST[(seed // 10) % 10]} {_PATR[(seed // 3) % 8]}"


KAMENSK = "Каменск-Уральский городской округ"

# username → (role, last, first, patronymic, position, scope)
DEMO_USERS = {
    "region": (
        Role.REGIONAL_COORDINATOR,
        "Орлова",
        "Вера",
        "Павловна",
        "Региональный координатор, ИРО",
        ("region", "Свердловская область"),
    ),
    "coordinator": (
        Role.MUNICIPAL_COORDINATOR,
        "Белова",
        "Марина",
        "Игоревна",
        "Муниципальный координатор",
        ("municipality", KAMENSK),
    ),
    "coordinator_smolensk": (
        Role.MUNICIPAL_COORDINATOR,
        "Гусева",
        "Ольга",
        "Петровна",
        "Главный специалист",
        ("municipality", "город Смоленск"),
    ),
    "coordinator_gelendzhik": (
        Role.MUNICIPAL_COORDINATOR,
        "Титова",
        "Ирина",
        "Олеговна",
        "Муниципальный координатор",
        ("municipality", "муниципальное образование город-курорт Геленджик"),
    ),
    "methodist": (Role.METHODIST, "Зайцева", "Наталья", "Юрьевна", "Методист", ("municipality", KAMENSK)),
    "curator": (
        Role.CURATOR,
        "Фролова",
        "Елена",
        "Викторовна",
        "Заместитель директора по УВР",
        ("school", (KAMENSK, "СШ № 34")),
    ),
    "school": (Role.SCHOOL_ADMIN, "Егорова", "Татьяна", "Андреевна", "Директор", ("school", (KAMENSK, "Лицей № 9"))),
    # Красноярский край (issue 18): the region compared across Kansk and Kazachinsky district.
    "region_krasnoyarsk": (
        Role.REGIONAL_COORDINATOR,
        "Шубина",
        "Лариса",
        "Владимировна",
        "Региональный координатор, ККИПК",
        ("region", "Красноярский край"),
    ),
    "coordinator_kansk": (
        Role.MUNICIPAL_COORDINATOR,
        "Рябова",
        "Оксана",
        "Николаевна",
        "Муниципальный координатор",
        ("municipality", "город Канск"),
    ),
    "coordinator_kazachinsky": (
        Role.MUNICIPAL_COORDINATOR,
        "Киселёва",
        "Надежда",
        "Фёдоровна",
        "Главный специалист отдела образования",
        ("municipality", "Казачинский район"),
    ),
}


def _load_users(ctx: DemoContext) -> None:
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_superuser": True, "is_staff": True, "last_name": "Администратор"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    ctx.users["admin"] = admin
    for username, (role, last, first, patr, position, (kind, ref)) in DEMO_USERS.items():
        scope = {}
        if kind == "region":
            scope["region"] = Region.objects.get(name=ref)
        elif kind == "municipality":
            scope["municipality"] = ctx.municipalities[ref]
        else:
            scope["school"] = ctx.school(*ref)
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "last_name": last,
                "first_name": first,
                "patronymic": patr,
                "position": position,
                "email": f"{username}@opora.local",
                **scope,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        ctx.users[username] = user
