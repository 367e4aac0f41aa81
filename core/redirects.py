"""Where a POST goes back to: one safe-redirect helper (NetBox's ``GetReturnURLMixin``).

Every ``next`` a form carries passes ``return_url``: a path of the portal itself (same host,
no scheme switch to plain http on a secure site) or the fallback — never another host, so a
crafted link cannot bounce a signed-in user to a look-alike site."""

from django.utils.http import url_has_allowed_host_and_scheme


def is_own_url(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def return_url(request, fallback: str = "/", param: str = "next") -> str:
    """The request's ``next`` (POST, then GET) if it is the portal's own, else ``fallback``."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    return target if is_own_url(request, target) else fallback
