import time

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from qrtrace.lib.ratelimit import ratelimit_allow

from .models import User
from .selectors import api_token_cached_user, api_token_user

# Addresses that ran out of wrong-token attempts, refused in this process until the time given without
# touching the database: guessing tokens would otherwise cost one lookup per guess. The bucket itself is
# in the database, so every app server counts the same attempts; each learns of the block at its next
# wrong token from that address.
_refused_until: dict[str, float] = {}
_REFUSED_KEEP = 10_000  # addresses remembered per process; expired ones are dropped beyond that


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # A token already known to this process is served without a lookup, even from a blocked
        # address: a gate device sharing a hospital's address with a misconfigured one keeps working.
        user = api_token_cached_user(token)
        if user is None:
            address = request.META.get("REMOTE_ADDR", "")
            if _refused_until.get(address, 0.0) > time.monotonic():
                raise _too_many()
            user = api_token_user(token)
            if user is None:
                if not _wrong_token_allowed(address):
                    raise _too_many()
                return None
        request.user = user
        return user


def _too_many() -> HttpError:
    return HttpError(429, _("Too many wrong API tokens from this address. Try again later."))


def _wrong_token_allowed(address: str) -> bool:
    """Count a wrong token against `address`; False once its bucket is empty."""
    limit = settings.QRTRACE_RATELIMIT_BAD_TOKEN_IP_PER_HOUR
    if ratelimit_allow(scope="api-bad-token-ip", key=address, limit=limit, period_seconds=3600):
        return True
    now = time.monotonic()
    if len(_refused_until) >= _REFUSED_KEEP:
        for stale in [key for key, until in _refused_until.items() if until <= now]:
            del _refused_until[stale]
    # Refused until the bucket holds a token again.
    _refused_until[address] = now + 3600 / limit
    return False


class SignedInSession(SessionAuth):
    """An official's own pages call the API with their session, and a write needs its CSRF token.

    ninja checks the token before it looks for a session, so an anonymous write was refused as a
    forged one (403 "CSRF check failed"). Without a signed-in session there is nothing to forge:
    the caller is simply not authenticated, 401 as for a missing bearer token (docs/security.md).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


# Integrations send a bearer token; the officials' own pages call the API with their session.
api_auth = [BearerToken(), SignedInSession()]
