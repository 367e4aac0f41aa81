"""Sign-in throttling: per person and address (django-axes), per address across people, and
one answer that says who is locked and until when — for the login form and the API's token
endpoint alike.

* The client's address is read one way everywhere (``client_ip``): ``REMOTE_ADDR``, or —
  behind ``NUM_PROXIES`` trusted proxies — the address the nearest of them saw, taken from
  the end of ``X-Forwarded-For`` (DRF's rule; the throttles use the same setting).  With
  ``NUM_PROXIES = 0`` (the default: nothing in front of gunicorn) a client's own
  ``X-Forwarded-For`` is ignored, so rotating it buys no new allowance.
* django-axes locks a username + address after ``AXES_FAILURE_LIMIT`` wrong passwords.
* ``AddressThrottleBackend`` (first in ``AUTHENTICATION_BACKENDS``) locks an address after
  ``LOGIN_ADDRESS_FAILURE_LIMIT`` wrong passwords across all usernames within
  ``LOGIN_ADDRESS_COOLOFF_MINUTES`` (counted from axes' own records): guessing a few
  passwords of many people from one address stops too, while a school's shared address
  is not locked by one person's typos.
* ``lockout_response`` (``AXES_LOCKOUT_CALLABLE``) and ``locked_until`` tell a locked person
  that they are locked and until when (local time), even when they now type the right
  password."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def client_ip(request) -> str:
    """The client's address as the nearest trusted proxy saw it (``NUM_PROXIES``)."""
    meta = getattr(request, "META", {})
    proxies = getattr(settings, "NUM_PROXIES", 0) or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return meta.get("REMOTE_ADDR", "") or ""


def _cooloff() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_ADDRESS_COOLOFF_MINUTES)


def address_locked_until(request) -> datetime.datetime | None:
    """When the address's lock ends, if it has too many recent failures (any usernames)."""
    from axes.models import AccessAttempt

    ip = client_ip(request)
    if not ip:
        return None
    since = timezone.now() - _cooloff()
    recent = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    if (recent["failures"] or 0) < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return None
    return recent["last"] + _cooloff()


def person_locked_until(request, username: str) -> datetime.datetime | None:
    """When axes' lock of this username at this address ends, if it is locked."""
    from axes.helpers import get_cool_off, get_failure_limit
    from axes.models import AccessAttempt

    if not username:
        return None
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request)).order_by("-attempt_time").first()
    )
    credentials = {"username": username}
    if attempt is None or attempt.failures_since_start < get_failure_limit(request, credentials):
        return None
    cool_off = get_cool_off(request)
    until = attempt.attempt_time + cool_off if cool_off else None
    return until if until is None or until > timezone.now() else None


def locked_until(request, username: str = "") -> datetime.datetime | None:
    """The later of the person's and the address's lock (None: not locked)."""
    times = [t for t in (person_locked_until(request, username), address_locked_until(request)) if t]
    return max(times) if times else None


def lock_message(until: datetime.datetime | None) -> str:
    if until is None:
        return _("Sign-in is locked after several wrong passwords. Try again later or reset the password.")
    local = timezone.localtime(until)
    return _(
        "Sign-in is locked after several wrong passwords until %(time)s (%(date)s). "
        "Try again after that time or reset the password."
    ) % {"time": date_format(local, "H:i"), "date": date_format(local, "d.m.Y")}


def locked_api_response(until: datetime.datetime | None) -> JsonResponse:
    """429 with the message, the time (ISO 8601) and ``Retry-After``."""
    body = {"detail": lock_message(until), "code": "locked", "until": until.isoformat() if until else None}
    response = JsonResponse(body, status=429)
    if until is not None:
        response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): the page says until when."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = locked_until(request, username)
    if request.path.startswith("/api/"):
        return locked_api_response(until)
    context = {"until": timezone.localtime(until) if until else None, "lock_message": lock_message(until)}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)


class AddressLocked(PermissionDenied):
    """Too many wrong passwords from this address, whoever they were for."""


class AddressThrottleBackend:
    """An authentication backend that only refuses: an address over its failure limit signs
    nobody in (``authenticate`` stops at PermissionDenied), and the request is marked locked
    so axes' middleware answers with ``lockout_response``."""

    def authenticate(self, request, **credentials):
        if request is not None and settings.AXES_ENABLED and address_locked_until(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise AddressLocked
        return None

    # No get_user: it signs nobody in, so no session names it as its backend (and
    # Client.force_login, which takes the first backend with get_user, skips it).
