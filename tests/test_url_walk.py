"""Walk every URL pattern of the portal as each role and as an anonymous visitor, with the
ids of another municipality's objects, and assert nothing out of scope comes back.

The data is the demo (five municipalities in four regions).  Users of Smolensk — a
coordinator, a methodist, a curator and a school administrator — and the regional
coordinator of Красноярский край (the regional pages, the region-wide lists, the regional
report) must never see anything of Kamensk-Uralsky: no page, JSON or export of theirs may
contain its name or a school code of its schools, whatever id is put in the URL."""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role, User
from core.years import current_academic_year

KAMENSK = "Каменск-Уральский городской округ"
# Pages that are public by design (sign-in and password reset) or technical.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "password_reset_confirm",
    "set_language",
    "healthz",
    "api-token",
    "logout",
}
SKIP_NAMES = {"logout", "password_reset_confirm"}
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def url_for(route: str, value) -> str | None:
    """Fill every path converter with ``value`` (ints) or a plausible string; None if impossible."""
    route = re.sub(r"\(\?P<\w+>\[\^/\.\]\+\)", str(value), route)  # DRF router ids
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    if "(" in route or "\\" in route or "[" in route:  # other regex routes (format suffixes)
        return None
    url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(value), route)
    url = re.sub(r"<(?:str|slug|path):\w+>", "x", url)
    url = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", url)
    return "/" + url


def model_of(pattern):
    cls = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    for attr in ("model", "queryset"):
        obj = getattr(cls, attr, None)
        if obj is not None:
            return obj if attr == "model" else obj.model
    serializer = getattr(cls, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    return getattr(meta, "model", None)


@pytest.fixture
def demo(db):
    """The demo data (inside the test's transaction, so it is rolled back afterwards)."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    smolensk = apps.get_model("schools", "Municipality").objects.get(name="город Смоленск")
    school = smolensk.schools.order_by("code").first()
    curator_school = smolensk.schools.order_by("-code").first()
    users = {
        "coordinator": User.objects.get(username="coordinator_smolensk"),
        "methodist": User.objects.create(username="walk_methodist", role=Role.METHODIST, municipality=smolensk),
        "school_admin": User.objects.create(username="walk_school", role=Role.SCHOOL_ADMIN, school=school),
        "curator": User.objects.create(username="walk_curator", role=Role.CURATOR, school=curator_school),
        "regional": User.objects.get(username="region_krasnoyarsk"),
    }
    from curators.models import CuratorAssignment

    CuratorAssignment.objects.create(curator=users["curator"], school=school, year=current_academic_year())
    codes = (
        apps.get_model("schools", "School").objects.filter(municipality__name=KAMENSK).values_list("code", flat=True)
    )
    return {"users": users, "codes": list(codes)}


def kamensk_ids(model) -> list[int]:
    """Ids of up to three objects of ``model`` in Kamensk-Uralsky: what its coordinator sees."""
    kamensk_coordinator = User.objects.get(username="coordinator")
    return list(model.objects.restrict(kamensk_coordinator).order_by("pk").values_list("pk", flat=True)[:3])


def all_kamensk_ids() -> list[int]:
    ids: set[int] = set()
    for model in apps.get_models():
        if hasattr(model.objects, "restrict"):
            ids.update(kamensk_ids(model)[:2])
    return sorted(ids)[:25]


def leaks(content: bytes, codes) -> str | None:
    text = content.decode("utf-8", errors="ignore")
    if KAMENSK in text or "Каменск-Уральск" in text:
        return "municipality name"
    for code in codes:
        if re.search(rf"\b{code}\b", text):
            return f"school code {code}"
    return None


def routes():
    return [
        (r, p) for r, p in walk(get_resolver().url_patterns) if not r.startswith("admin/") and p.name not in SKIP_NAMES
    ]


def test_no_url_shows_another_municipality(demo, client):
    """One test over all roles: the demo is loaded once (a few seconds) and rolled back."""
    fallback_ids = all_kamensk_ids()
    problems = []
    for role, user in demo["users"].items():
        client.force_login(user)
        problems += [f"{role}: {p}" for p in _walk_as(client, fallback_ids, demo["codes"])]
    assert not problems, "\n".join(problems[:30])


def _walk_as(client, fallback_ids, codes) -> list[str]:
    problems = []
    for route, pattern in routes():
        has_arg = "<" in route
        model = model_of(pattern) if has_arg else None
        ids = (
            (kamensk_ids(model) if model is not None and hasattr(model.objects, "restrict") else fallback_ids)
            if has_arg
            else [None]
        )
        for value in ids:
            url = url_for(route, value)
            if url is None:
                continue
            for suffix in ("", "?export=xlsx") if not has_arg else ("",):
                response = client.get(url + suffix)
                if response.status_code >= 500:
                    problems.append(f"{url}{suffix}: {response.status_code}")
                    continue
                if response.status_code == 200 and not response.streaming:
                    found = leaks(response.content, codes)
                    if found:
                        problems.append(f"{url}{suffix}: shows {found}")
                    if INLINE_SCRIPT.search(response.content):
                        problems.append(f"{url}{suffix}: inline <script> (CSP allows only script files)")
    return problems


def test_anonymous_gets_nothing(world, client):
    problems = []
    for route, pattern in routes():
        url = url_for(route, 1)
        if url is None or pattern.name in PUBLIC:
            continue
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        if response.status_code == 200 and not route.startswith(("api/v1/schema", "static")):
            problems.append(f"{url}: open to anonymous")
    assert not problems, "\n".join(problems[:30])
