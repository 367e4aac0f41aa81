from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; the token may be read-only and may expire.  A user's
    tokens are deleted when their password changes (``User.save``)."""

    def authenticate_credentials(self, key):
        # Read on every request (one indexed query with the user): a token revoked, expired
        # or cut by a password change stops working at once — no memo to outlive it.
        token = ApiToken.find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        now = timezone.now()
        if token.last_used is None or (now - token.last_used).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token
