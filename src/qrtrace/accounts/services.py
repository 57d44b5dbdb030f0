import secrets

from django.db import transaction
from django.utils import timezone

from qrtrace.audit.services import audit_event_create

from .models import ApiToken, Membership, User
from .scopes import resolve_area
from .selectors import token_digest


@transaction.atomic
def official_upsert(*, username: str, role: str, area_code: str, actor: User | None = None) -> User:
    """Create the user if needed and give them `role` over the area with `area_code`."""
    area = resolve_area(role, area_code)
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.update_or_create(
        user=user,
        role=role,
        area_code=area.code,
        defaults={"province_id": area.province_code, "commune_id": area.commune_code},
    )
    audit_event_create(
        actor=actor,
        action="grant",
        object_type="membership",
        object_id=f"{user.pk}:{role}:{area.code}",
        purpose="official add",
    )
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> str:
    """Issue a new token; returns it in clear, the only time it exists outside the caller."""
    token = "qrt_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=token[:12], digest=token_digest(token))
    audit_event_create(actor=user, action="create", object_type="api_token", object_id=token[:12])
    return token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event_create(actor=actor, action="revoke", object_type="api_token", object_id=token.prefix)
