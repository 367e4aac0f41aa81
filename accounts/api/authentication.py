from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, User
from core import cache as portal_cache

# key hash → (data generation, token row, user row): a token is looked up in the database
# once per generation and process.  Any write of a portal table (a token revoked, a user
# deactivated or given another role) moves the generation on, so the next request reads
# the rows again; expiry is checked on every request.  Fresh model instances are built
# from the rows each time, so no request sees another's changes to request.user.
_MEMO: dict[str, tuple[int, tuple, tuple]] = {}
_MEMO_MAX = 1024
_TOKEN_FIELDS = [f.attname for f in ApiToken._meta.concrete_fields]
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]


def _rows(token: ApiToken) -> tuple[tuple, tuple]:
    return tuple(getattr(token, f) for f in _TOKEN_FIELDS), tuple(getattr(token.user, f) for f in _USER_FIELDS)


def _instances(token_row: tuple, user_row: tuple) -> ApiToken:
    token = ApiToken.from_db("default", _TOKEN_FIELDS, token_row)
    token.user = User.from_db("default", _USER_FIELDS, user_row)
    return token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; the token may be read-only and may expire."""

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def find(self, key: str) -> ApiToken | None:
        from accounts.models import _hash_key

        request = getattr(self, "_request", None)
        gen = portal_cache.generation(getattr(request, "_request", None))
        digest = _hash_key(key)
        memo = _MEMO.get(digest)
        if gen is not None and memo is not None and memo[0] == gen:
            return _instances(memo[1], memo[2])
        token = ApiToken.find(key)
        if token is not None and gen is not None:
            if len(_MEMO) >= _MEMO_MAX:
                _MEMO.clear()
            _MEMO[digest] = (gen, *_rows(token))
        return token

    def authenticate_credentials(self, key):
        token = self.find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
            _MEMO.pop(token.key_hash, None)
        return token.user, token
