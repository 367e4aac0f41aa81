"""Demo requisites of the documents: the education authorities' header lines, places of issue
and heads (a Kamensk head who left in August 2022 and the one after, to show that the head in
office on the document's date signs), the regional authorities, the coordinators' phones, and
the basis documents of the orders (the federal letter and the regional order the seed's orders
cite).  Names of the heads are invented, except where the seed prints the signature.
Idempotent."""

from __future__ import annotations

import datetime

from schools.models import AuthorityHead, Municipality, Order, OrderKind, Region

D = datetime.date

MUNICIPALITIES = {
    "Каменск-Уральский городской округ": {
        "header_lines": "Каменск-Уральский городской округ\nСвердловской области",
        "place_of_issue": "г. Каменск-Уральский",
        "heads": [
            ("Начальник Управления образования", "Соколов", "Пётр", "Андреевич", D(2018, 9, 1), D(2022, 8, 31)),
            ("Начальник Управления образования", "Кравцова", "Елена", "Николаевна", D(2022, 9, 1), None),
        ],
    },
    "город Смоленск": {
        "header_lines": "Администрация города Смоленска",
        "place_of_issue": "г. Смоленск",
        "heads": [("Начальник управления", "Лебедева", "Наталья", "Сергеевна", D(2019, 1, 9), None)],
    },
    "муниципальное образование город-курорт Геленджик": {
        "header_lines": "Администрация муниципального образования\nгород-курорт Геленджик",
        "place_of_issue": "г. Геленджик",
        "heads": [("Начальник управления образования", "Морозов", "Алексей", "Игоревич", D(2020, 2, 1), None)],
    },
    "Казачинский район": {
        "header_lines": "Администрация Казачинского района\nКрасноярского края",
        "place_of_issue": "с. Казачинское",
        # The seed's note is signed so.
        "heads": [
            (
                "Заместитель главы района по социальной политике, начальник Отдела образования администрации района",
                "Федоненко",
                "Л",
                "А",
                D(2018, 1, 1),
                None,
            )
        ],
    },
    "город Канск": {
        "header_lines": "Администрация города Канска\nКрасноярского края",
        "place_of_issue": "г. Канск",
        "heads": [("Руководитель Управления образования", "Зайцева", "Анна", "Михайловна", D(2019, 8, 15), None)],
    },
}

REGIONS = {
    "Свердловская область": {
        "education_body": "Министерство образования и молодежной политики Свердловской области",
        "header_lines": "Свердловская область",
        "place_of_issue": "г. Екатеринбург",
        "heads": [
            ("Министр образования и молодежной политики", "Гордеева", "Светлана", "Юрьевна", D(2019, 6, 1), None)
        ],
    },
    "Красноярский край": {
        "education_body": "Министерство образования Красноярского края",
        "header_lines": "Красноярский край",
        "place_of_issue": "г. Красноярск",
        "heads": [("Министр образования", "Петренко", "Олег", "Викторович", D(2020, 3, 1), None)],
    },
}

PHONES = {
    "coordinator": ("Главный специалист Управления образования", "8 (3439) 39-68-56"),
    "coordinator_smolensk": ("", "8 (4812) 38-22-41"),
    "coordinator_gelendzhik": ("", "8 (86141) 3-45-12"),
    "coordinator_kansk": ("", "8 (39161) 3-20-05"),
    "coordinator_kazachinsky": ("", "8 (39196) 2-13-70"),
    "region": ("", "8 (343) 371-15-28"),
    "region_krasnoyarsk": ("", "8 (391) 221-49-30"),
    "methodist": ("", "8 (3439) 39-68-60"),
    "curator": ("", "8 (3439) 32-45-17"),
    "school": ("", "8 (3439) 34-12-09"),
}

KAMENSK = "Каменск-Уральский городской округ"
# The basis documents the seed's orders cite (kamensk-uralsky-500plus-2022.txt).
BASIS = [
    {
        "kind": OrderKind.LETTER,
        "number": "02-21/9",
        "date": D(2021, 1, 18),
        "issuer": "Федеральная служба по надзору в сфере образования и науки",
        "issuer_cited": "Федеральной службы по надзору в сфере образования и науки",
        "title": "О начале реализации проекта адресной методической помощи «500+»",
        "basis_for": "all",
    },
    {
        "kind": OrderKind.ORDER,
        "number": "176-Д",
        "date": D(2021, 2, 12),
        "issuer": "Министерство образования и молодежной политики Свердловской области",
        "issuer_cited": "Министерства образования и молодежной политики Свердловской области",
        "title": (
            "О реализации мероприятия «Повышение качества образования в школах с низким уровнем обучения и в "
            "школах, функционирующих в неблагоприятных социальных условиях, путем реализации региональных проектов "
            "и распространения их результатов»"
        ),
        "basis_for": "all",
    },
]


def _heads(heads, **owner) -> None:
    for position, last, first, patronymic, date_from, date_to in heads:
        AuthorityHead.objects.update_or_create(
            **owner,
            last_name=last,
            date_from=date_from,
            defaults={"position": position, "first_name": first, "patronymic": patronymic, "date_to": date_to},
        )


def load(ctx) -> None:
    for name, data in REGIONS.items():
        region = Region.objects.filter(name=name).first()
        if region is None:
            continue
        region.education_body = data["education_body"]
        region.header_lines = data["header_lines"]
        region.place_of_issue = data["place_of_issue"]
        region.save()
        _heads(data["heads"], region=region)
    for name, data in MUNICIPALITIES.items():
        municipality = Municipality.objects.filter(name=name).first()
        if municipality is None:
            continue
        municipality.header_lines = data["header_lines"]
        municipality.place_of_issue = data["place_of_issue"]
        municipality.save()
        _heads(data["heads"], municipality=municipality)
    for username, (position, phone) in PHONES.items():
        user = ctx.users.get(username)
        if user is None:
            from accounts.models import User

            user = User.objects.filter(username=username).first()
        if user is None:
            continue
        user.phone = phone
        if position:
            user.position = position
        user.save(update_fields=["phone", "position"])
    kamensk = Municipality.objects.filter(name=KAMENSK).first()
    if kamensk is not None:
        for doc in BASIS:
            Order.objects.update_or_create(
                municipality=kamensk,
                region=kamensk.region,
                number=doc["number"],
                date=doc["date"],
                defaults={k: v for k, v in doc.items() if k not in ("number", "date")},
            )
