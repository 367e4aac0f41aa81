"""Property-based smoke test of the whole REST API: schemathesis reads the OpenAPI schema the
app serves (/api/v1/schema/, for a signed-in user) and calls every operation — every method
— with a few generated requests, through Django's WSGI app in the test's database, with
each of three tokens: a coordinator's, a school administrator's and a read-only one (the
audit of issue 13).  No request may end in a server error (5xx).  Bounded: a few examples
an operation, so the whole walk stays within a couple of minutes."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.core.result import Err

from accounts.models import ApiToken
from core.years import current_academic_year
from schools.models import SchoolStatus, StatusKind
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 4
WRITE_EXAMPLES_PER_OPERATION = 3


@pytest.fixture
def api_auth(world):
    """A coordinator's token, and a little data so the lists have rows to serialise."""
    order = OrderFactory(municipality=world.a1, number="48")
    SchoolStatus.objects.create(
        school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=current_academic_year(), order=order
    )
    _token, key = ApiToken.issue(world.coordinator, read_only=True)
    return {"Authorization": f"Token {key}"}


@pytest.fixture
def wsgi_app():
    """Django's real WSGI application.  Like django.test.Client, keep the request signals from
    closing the database connection, which holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, api_auth):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=api_auth)
    return schema.include(method="GET")


def check_operation(operation, headers: dict, examples: int = EXAMPLES_PER_OPERATION, checks=None) -> None:
    """A few generated requests of one operation; the first 5xx fails (shrunk to a small example)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=checks or [not_a_server_error])

    run()
    if "{id}" in operation.path and operation.method.upper() == "GET":
        # Generated ids hit nothing (404); also read a real object of the coordinator's scope.
        listing = operation.schema[operation.path.split("{id}")[0]]["GET"].Case().call(headers=headers)
        rows = listing.json().get("results", []) if listing.status_code == 200 else []
        if rows and "id" in rows[0]:
            case = operation.Case(path_parameters={"id": rows[0]["id"]})
            case.call_and_validate(headers=headers, checks=[not_a_server_error])


def test_get_operations_answer_without_server_error(api_schema, api_auth):
    # schemathesis.pytest.from_fixture (the lazy parametrize) needs pytest < 9 (it rewrites
    # Node._nodeid), so the operations are walked here, each with its own Hypothesis run.
    operations, failures = [], []
    for result in api_schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"invalid schema: {result.err()}")
            continue
        operation = result.ok()
        operations.append(f"{operation.method.upper()} {operation.path}")
        try:
            check_operation(operation, api_auth)
        except Exception as exc:  # a failed check or an error raised in the app: report them all at once
            failures.append(f"{operations[-1]}:\n{exc}")
    assert len(operations) >= 10, operations
    assert not failures, "\n\n".join(failures)


def test_a_server_error_is_caught(api_schema, api_auth, monkeypatch):
    """The harness is not vacuous: an endpoint that breaks fails the check."""
    from events.api.views import EventViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(EventViewSet, "list", broken)
    operation = api_schema["/api/v1/events/"]["GET"]
    with pytest.raises(FailureGroup) as caught:
        check_operation(operation, api_auth)
    assert caught.group_contains(ServerError)


# --- every method, three tokens ---------------------------------------------------------------


@pytest.fixture
def tokens(world):
    """The audit's three tokens, and a little of everything so that the writes meet real rows."""
    from curators.models import PartnerPair
    from tests.roadmaps.conftest import make_roadmap

    order = OrderFactory(municipality=world.a1, number="49")
    SchoolStatus.objects.create(
        school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=current_academic_year(), order=order
    )
    PartnerPair.objects.create(
        school=world.a1_school1, leader=world.a1_school2, year=current_academic_year(), order=order
    )
    make_roadmap(world.a1_school1)
    return {
        "coordinator": {"Authorization": f"Token {ApiToken.issue(world.coordinator)[1]}"},
        "school_admin": {"Authorization": f"Token {ApiToken.issue(world.school_admin)[1]}"},
        "read_only": {"Authorization": f"Token {ApiToken.issue(world.coordinator, read_only=True)[1]}"},
    }


def test_every_operation_answers_without_server_error_for_each_token(wsgi_app, tokens, settings):
    """No 5xx, and every answer — status code, content type, body — is what the schema
    documents (schemathesis' conformance checks; issue 13.6), errors included."""
    from schemathesis.checks import content_type_conformance, response_schema_conformance, status_code_conformance

    checks = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app, headers=tokens["coordinator"])
    failures, operations = [], []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"invalid schema: {result.err()}")
            continue
        operation = result.ok()
        method = operation.method.upper()
        operations.append(f"{method} {operation.path}")
        examples = EXAMPLES_PER_OPERATION if method == "GET" else WRITE_EXAMPLES_PER_OPERATION
        for who, headers in tokens.items():
            try:
                check_operation(operation, headers, examples=2 if method == "GET" else examples, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup included
                failures.append(f"{operations[-1]} as {who}:\n{exc}")
    assert sum(1 for o in operations if not o.startswith("GET")) >= 40, operations
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("body", [None, [], "x", 1])
def test_bodies_that_are_not_objects_answer_400(world, tokens, body, client):
    """The audit's 500s: ``null`` (or a list, a string) as the body of a transition."""
    import json

    from curators.models import Recommendation, Visit
    from roadmaps.models import DocumentStatus, SchoolDocument

    doc = SchoolDocument.objects.create(
        school=world.a1_school1, kind="concept", year=2025, title="К", status=DocumentStatus.SUBMITTED
    )
    visit = Visit.objects.create(school=world.a1_school1, curator=world.curator, kind="consultation", date="2025-10-01")
    rec = Recommendation.objects.create(visit=visit, text="Провести", due_date="2025-12-01")
    urls = [
        (f"/api/v1/school-documents/{doc.pk}/approve/", tokens["coordinator"]),
        (f"/api/v1/school-documents/{doc.pk}/return/", tokens["coordinator"]),
        (f"/api/v1/recommendations/{rec.pk}/done/", tokens["school_admin"]),
    ]
    for url, headers in urls:
        response = client.post(
            url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=headers["Authorization"]
        )
        assert response.status_code == 400, (url, response.status_code, response.content[:200])
        assert response.json()["code"] == "invalid"
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.SUBMITTED


def test_the_same_partner_pair_twice_answers_400(world, tokens, client):
    from schools.models import Order

    order = Order.objects.get(number="49")
    body = {
        "school": world.a1_school1.pk,
        "leader": world.a1_school2.pk,
        "year": current_academic_year() + 1,
        "order": order.pk,
    }
    auth = tokens["coordinator"]["Authorization"]
    first = client.post("/api/v1/partner-pairs/", body, content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/partner-pairs/", body, content_type="application/json", HTTP_AUTHORIZATION=auth)
    assert again.status_code == 400
    assert again.json()["errors"]["leader"] == ["У этой школы уже есть эта школа-лидер в этом учебном году."]


def test_recommendations_are_not_created_through_the_api(world, tokens, client):
    auth = tokens["coordinator"]["Authorization"]
    assert client.post("/api/v1/recommendations/", {}, HTTP_AUTHORIZATION=auth).status_code == 405
    schema = client.get("/api/v1/schema/?format=json", HTTP_AUTHORIZATION=auth).json()
    assert "post" not in schema["paths"]["/api/v1/recommendations/"]
