"""Demo programme data from the seed facts: orders, yearly status lists (set through the
service, so entries and exits are computed as a coordinator would get them), programmes
with participants, and risk profiles.  Called from curators/demo.py; idempotent."""

import datetime

from core.years import current_academic_year
from schools import services
from schools.demo import short_short
from schools.models import (
    Order,
    Programme,
    ProgrammeKind,
    ProgrammeParticipant,
    RiskAssessment,
    RiskFactor,
    RiskLevel,
    SchoolStatus,
    StatusKind,
)

KAMENSK = "Каменск-Уральский городской округ"
SMOLENSK = "город Смоленск"
KAZACHINSKY = "Казачинский район"

# Generated (not in the seeds): the lists after 2022 that make the current year meaningful.
KAMENSK_LATER_LISTS = {
    2025: {"drop": ["СШ № 2", "СШ № 7"], "add": []},
    2026: {"drop": ["СШ № 11"], "add": ["СШ № 16"]},
}

LEVELS = [RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE]


def order(muni, number: str, date: datetime.date, title: str, issuer: str = "") -> Order:
    obj, _ = Order.objects.get_or_create(
        municipality=muni,
        number=number,
        date=date,
        defaults={"region": muni.region, "issuer": issuer or muni.education_body, "title": title},
    )
    return obj


def _programme(muni, kind, name, year, order_obj, schools, description="") -> Programme:
    prog, _ = Programme.objects.update_or_create(
        municipality=muni,
        kind=kind,
        year=year,
        name=name,
        defaults={"order": order_obj, "description": description},
    )
    for school in schools:
        ProgrammeParticipant.objects.get_or_create(programme=prog, school=school)
    return prog


def _single_status(school, kind, year_from, year_to, order_obj, note="") -> None:
    if not SchoolStatus.objects.filter(school=school, kind=kind, year_from=year_from).exists():
        SchoolStatus.objects.create(
            school=school, kind=kind, year_from=year_from, year_to=year_to, order=order_obj, note=note
        )


def _risk_profile(school, year: int, seed: int, user, confirm_by=None) -> None:
    factors = list(RiskFactor.objects.filter(is_active=True))
    if RiskAssessment.objects.filter(school=school, year=year).exists():
        return
    levels = {f.pk: LEVELS[(seed * 7 + i * 3 + (seed + i) // 4) % 4] for i, f in enumerate(factors)}
    services.risk_profile_save(school=school, year=year, levels=levels, user=user)
    if confirm_by is not None:
        services.risk_profile_confirm(school=school, year=year, user=confirm_by)


def load_kamensk(ctx, admin) -> dict:
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == KAMENSK)
    muni = ctx.municipalities[KAMENSK]
    orders = {o["number"]: order(muni, o["number"], o["date"], o["title"]) for o in facts["orders"]}
    p2022 = [ctx.school(KAMENSK, n) for n in facts["participants_500plus_2022"]]
    p2021 = p2022 + [ctx.school(KAMENSK, n) for n in facts["participants_500plus_2021_also"]]
    sample = [ctx.school(KAMENSK, n) for n in facts["federal_low_results_sample_2023"]]

    _programme(
        muni, ProgrammeKind.FEDERAL_500, "Проект адресной методической помощи «500+»", 2021, orders["418"], p2021
    )
    _programme(
        muni, ProgrammeKind.FEDERAL_500, "Проект адресной методической помощи «500+»", 2022, orders["400"], p2022
    )

    o2023 = order(
        muni,
        "431",
        datetime.date(2023, 9, 4),
        "Об утверждении перечня школ с низкими образовательными результатами на 2023-2024 учебный год",
    )
    # 2021 and 2022: the "500+" participants hold ШНОР and the participant status; in 2023 all
    # seven left ШНОР and the federal sample entered.
    for kind in (StatusKind.LOW_RESULTS, StatusKind.PARTICIPANT_500):
        services.status_list_set(
            municipality=muni, kind=kind, year=2021, schools=p2021, order=orders["418"], user=admin
        )
        services.status_list_set(
            municipality=muni, kind=kind, year=2022, schools=p2022, order=orders["400"], user=admin
        )
    services.status_list_set(
        municipality=muni, kind=StatusKind.PARTICIPANT_500, year=2023, schools=[], order=o2023, user=admin
    )
    services.status_list_set(
        municipality=muni, kind=StatusKind.LOW_RESULTS, year=2023, schools=sample, order=o2023, user=admin
    )
    _single_status(
        ctx.school(KAMENSK, "Средняя школа № 32"),
        StatusKind.NON_OBJECTIVE,
        2021,
        2021,
        orders["418"],
        "Признаки необъективности результатов",
    )
    current = {s.short_name: s for s in sample}
    for year, change in KAMENSK_LATER_LISTS.items():
        if year > current_academic_year():
            break
        for name in change["drop"]:
            current.pop(name, None)
        for name in change["add"]:
            current[name] = ctx.school(KAMENSK, name)
        o = order(
            muni,
            str(400 + year - 2000),
            datetime.date(year, 9, 2),
            f"Об утверждении перечня школ с низкими образовательными результатами на {year}-{year + 1} учебный год",
        )
        services.status_list_set(
            municipality=muni, kind=StatusKind.LOW_RESULTS, year=year, schools=current.values(), order=o, user=admin
        )
    return {"orders": orders, "p2022": p2022, "sample": sample, "current_low": list(current.values())}


def load_smolensk(ctx, admin) -> Order:
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == SMOLENSK)
    muni = ctx.municipalities[SMOLENSK]
    for i, (year, names) in enumerate(sorted(facts["low_result_lists"].items())):
        schools = [ctx.school(SMOLENSK, short_short(n)) for n in names]
        o = order(
            muni,
            str(210 + i * 37),
            datetime.date(year, 9, 15),
            f"Об утверждении перечня школ с низкими результатами обучения на {year}-{year + 1} учебный год",
        )
        services.status_list_set(
            municipality=muni, kind=StatusKind.LOW_RESULTS, year=year, schools=schools, order=o, user=admin
        )
        _programme(
            muni,
            ProgrammeKind.MUNICIPAL,
            "Муниципальная модель поддержки школ с низкими результатами обучения",
            year,
            o,
            schools,
        )
    pairs_order = order(
        muni,
        "348",
        datetime.date(2020, 12, 30),
        "О закреплении школ-лидеров за школами с низкими результатами обучения (партнёрские пары)",
    )
    for _school, leader in facts["partner_pairs_2020"]:
        _single_status(ctx.school(SMOLENSK, leader), StatusKind.LEADER, 2020, 2020, pairs_order)
    return pairs_order


def load_kazachinsky(ctx, admin) -> None:
    muni = ctx.municipalities[KAZACHINSKY]
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == KAZACHINSKY)
    issuer = "Отдел образования администрации Казачинского района"
    o2018 = order(
        muni,
        "112",
        datetime.date(2018, 8, 30),
        "О включении МБОУ Рождественской СОШ в региональную программу повышения качества образования на 2018-2020 годы",
        issuer,
    )
    o2020 = order(
        muni, "87", datetime.date(2020, 8, 28), "Об опорной площадке по повышению качества образования", issuer
    )
    o2020f = order(
        muni,
        "95",
        datetime.date(2020, 9, 10),
        "Об участии МБОУ Момотовской СОШ в федеральном проекте методической поддержки школ с низкими результатами",
        issuer,
    )
    kinds = {
        "regional low-results programme": (StatusKind.LOW_RESULTS, o2018, "Региональная программа 2018-2020"),
        "support site": (StatusKind.SUPPORT_SITE, o2020, ""),
        "federal project participant": (StatusKind.PARTICIPANT_500, o2020f, "Федеральный проект поддержки ШНОР"),
    }
    for st in facts["statuses"]:
        kind, o, note = kinds[st["status"]]
        _single_status(ctx.school(KAZACHINSKY, st["school"]), kind, st["from"], st.get("to"), o, note)
    _programme(
        muni,
        ProgrammeKind.REGIONAL,
        "Региональная программа повышения качества образования в ШНОР и ШНСУ (2018-2020)",
        2018,
        o2018,
        [ctx.school(KAZACHINSKY, "МБОУ Рождественская СОШ")],
    )


def load(ctx) -> dict:
    admin = ctx.users["admin"]
    kamensk = load_kamensk(ctx, admin)
    pairs_order = load_smolensk(ctx, admin)
    load_kazachinsky(ctx, admin)
    return {"kamensk": kamensk, "smolensk_pairs_order": pairs_order}
