"""Drafts of long forms kept in the browser until they are saved (static/js/drafts.js).

A form that keeps a draft carries ``data-draft="<key>"`` (e.g. ``visit-new``, ``report-12``):
the browser stores what is typed under that key (and the signed-in person's id) in
localStorage, restores it after a reload, a lost connection or a closed tab, and forgets it
only when the server has saved the form — the view that saved it calls :func:`draft_saved`,
and the next page the person sees tells the browser which drafts to clear (``<body
data-drafts-saved>``).  A failed request (no connection, a server error, a form with errors)
never clears a draft."""

import hashlib
import re

from django.utils.functional import SimpleLazyObject

SESSION_KEY = "opora_drafts_saved"
KEY_RE = re.compile(r"^[a-z0-9-]{1,64}$")


def draft_saved(request, key: str) -> None:
    """The form with draft ``key`` has been saved: its draft may be cleared."""
    if not KEY_RE.match(key):
        raise ValueError(f"bad draft key {key!r}")
    keys = request.session.get(SESSION_KEY, [])
    if key not in keys:
        request.session[SESSION_KEY] = [*keys, key]


def saved_drafts(request):
    """The keys saved since the last full page, read (and forgotten) only by the page that
    shows them — a partial rendered meanwhile (htmx) leaves them for the next page."""

    def pop():
        session = getattr(request, "session", None)
        return session.pop(SESSION_KEY, []) if session is not None and SESSION_KEY in session else []

    return SimpleLazyObject(pop)


def draft_version(form) -> str:
    """A short digest of the values a form of an existing record starts from: a draft made
    from other values (the record was saved elsewhere since) is offered, not put in."""
    values = "\x1f".join(f"{name}={form[name].value()}" for name in form.fields)
    return hashlib.sha256(values.encode()).hexdigest()[:16]
