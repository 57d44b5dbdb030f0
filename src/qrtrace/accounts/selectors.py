import hashlib
import time

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from qrtrace.geo.jurisdiction import NOWHERE, Jurisdiction

from .models import ApiToken, Membership, Role, User


def user_jurisdiction(user: User) -> Jurisdiction:
    """The areas a user may act on, from their memberships (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOWHERE
    cached = getattr(user, "_qrtrace_jurisdiction", None)
    if cached is not None:
        return cached
    everywhere = user.is_superuser
    provinces, communes, venues, facilities = set(), set(), set(), set()
    memberships = list(Membership.objects.filter(user=user).select_related("province", "commune"))
    user._qrtrace_memberships = memberships  # the navigation bar names them without another query
    for role, code in ((m.role, m.area_code) for m in memberships):
        if role == Role.ADMIN:
            everywhere = True
        elif role == Role.PROVINCE:
            provinces.add(int(code))
        elif role == Role.COMMUNE:
            communes.add(int(code))
        elif role == Role.VENUE:
            venues.add(code)
        elif role == Role.QUARANTINE:
            facilities.add(code)
    result = Jurisdiction(
        everywhere=everywhere,
        provinces=frozenset(provinces),
        communes=frozenset(communes),
        venues=frozenset(venues),
        facilities=frozenset(facilities),
    )
    user._qrtrace_jurisdiction = result
    return result


def user_memberships(user: User) -> list[Membership]:
    """The user's memberships with their areas, read once per request with their jurisdiction."""
    user_jurisdiction(user)
    return getattr(user, "_qrtrace_memberships", [])


def membership_list(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("province", "commune").order_by("role")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# A busy integration sends hundreds of requests a second with one token: looking the token and its
# owner's memberships up for each costs two queries on the hottest path. They are kept in this process
# for a few seconds. A revocation, a deactivation or a change of area made through the ORM clears this
# process's copies at once (the receivers below); other server processes see it within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 5
_token_users: dict[str, tuple[float, User]] = {}


def api_token_cached_user(token: str) -> User | None:
    """The user of `token` if this process looked it up less than TOKEN_CACHE_SECONDS ago (no query)."""
    cached = _token_users.get(token_digest(token))
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return None


def api_token_user(token: str) -> User | None:
    """The active user owning an unrevoked token, or None. Records when the token was last used."""
    cached = api_token_cached_user(token)
    if cached is not None:
        return cached
    digest = token_digest(token)
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        _token_users.pop(digest, None)
        return None
    now = timezone.now()
    # Written at most once a minute, so a busy integration does not turn every read into a write.
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    user_jurisdiction(found.user)  # kept on the cached user object with it
    _token_users[digest] = (time.monotonic() + TOKEN_CACHE_SECONDS, found.user)
    return found.user


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _forget_cached_tokens(**kwargs) -> None:
    _token_users.clear()


def totp_required(user: User) -> bool:
    """The province office sees the whole province's personal data: in production it must sign in
    with a second factor (QRTRACE_REQUIRE_TOTP_FOR_PROVINCE)."""
    return settings.QRTRACE_REQUIRE_TOTP_FOR_PROVINCE and user.memberships.filter(role=Role.PROVINCE).exists()
