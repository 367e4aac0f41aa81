"""Property-based smoke test of the whole REST API: schemathesis reads the OpenAPI schema the
app serves (/api/v1/schema/, for a signed-in user) and calls every GET operation with a few
generated requests, as a municipal coordinator with an API token, through Django's WSGI app
in the test's database.  No request may end in a server error (5xx)."""

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


def check_operation(operation, headers: dict) -> None:
    """A few generated requests of one operation; the first 5xx fails (shrunk to a small example)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    run()
    if "{id}" in operation.path:
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
