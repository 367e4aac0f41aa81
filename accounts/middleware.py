"""Authentication middleware whose user lookup is memoised per data generation."""

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from core import cache as portal_cache

# (user id, backend, session auth hash) → (data generation, user row): Django's own
# get_user (session check and all) runs once per generation and process; any write of a
# portal table — the user's password, role or activity among them — moves the generation
# on.  A fresh User is built from the row for every request.
_MEMO: dict[tuple, tuple[int, tuple]] = {}
_MEMO_MAX = 4096
_FIELDS = [f.attname for f in User._meta.concrete_fields]


def get_user(request):
    session = request.session
    uid = session.get(SESSION_KEY)
    if uid is None:
        return auth.get_user(request)
    key = (str(uid), session.get(BACKEND_SESSION_KEY), session.get(HASH_SESSION_KEY))
    gen = portal_cache.generation(request)
    memo = _MEMO.get(key) if gen is not None else None
    if memo is not None and memo[0] == gen:
        return User.from_db("default", _FIELDS, memo[1])
    user = auth.get_user(request)
    if gen is not None and user.is_authenticated and session.get(HASH_SESSION_KEY) == key[2]:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = (gen, tuple(getattr(user, f) for f in _FIELDS))
    return user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """``request.user`` as Django's, read through the per-generation memo above."""

    def process_request(self, request):
        super().process_request(request)

        def lazy_user():
            if not hasattr(request, "_cached_user"):
                request._cached_user = get_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(lazy_user)
