import hmac
import secrets
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from qrtrace.audit.services import audit_event_create
from qrtrace.lib.errors import Conflict
from qrtrace.lib.ratelimit import ratelimit_allow

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
def official_password_set(*, user: User, password: str, actor: User | None = None) -> None:
    """Give `user` a password for the sign-in page; ValidationError if Django's validators refuse it."""
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_event_create(
        actor=actor, action="update", object_type="user", object_id=user.pk, purpose="password set"
    )


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


# --- Sign-in -----------------------------------------------------------------------------------------
# Per address: enough for an office behind one NAT address; per username: stops slow guessing spread
# over many addresses, even of names that do not exist (which have no account to lock).
_LOGIN_LIMITS = (("login-ip", 30, 15 * 60), ("login-user", 10, 15 * 60))
_TOTP_LIMIT = ("totp", 10, 15 * 60)


def _rate_limited() -> ValidationError:
    return ValidationError(
        _("Too many sign-in attempts. Wait a few minutes and try again."), code="rate_limited"
    )


def _locked(user: User) -> ValidationError:
    until = timezone.localtime(user.locked_until)
    return ValidationError(
        _("This account is locked after too many failed sign-ins. Try again after %(time)s.")
        % {"time": formats.time_format(until, "H:i")},
        code="locked",
    )


def _is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > timezone.now()


@transaction.atomic
def _login_failed(
    *, request: HttpRequest, username: str, user: User | None, reason: str, count: bool = True
) -> User | None:
    """Count a failure against the account (locking it at the limit) and audit it; returns the
    account as it now stands."""
    if user is not None and count:
        user = User.objects.select_for_update().get(pk=user.pk)
        user.failed_logins += 1
        if user.failed_logins >= settings.QRTRACE_LOGIN_MAX_FAILURES:
            user.failed_logins = 0
            user.locked_until = timezone.now() + timedelta(minutes=settings.QRTRACE_LOGIN_LOCKOUT_MINUTES)
        user.save(update_fields=["failed_logins", "locked_until"])
    audit_event_create(
        actor=None,
        action="login_failed",
        object_type="user",
        object_id=user.pk if user is not None else "",
        request=request,
        details={"username": username[:150], "reason": reason, "locked": bool(user and _is_locked(user))},
    )
    return user


def login_attempt(*, request: HttpRequest, username: str, password: str) -> User:
    """Check a username and password; raises ValidationError (code rate_limited, locked or
    invalid_login). Not one transaction: a refused attempt must still be counted and audited."""
    ip = request.META.get("REMOTE_ADDR", "")
    if not all(
        ratelimit_allow(scope=scope, key=key, limit=limit, period_seconds=period)
        for (scope, limit, period), key in zip(_LOGIN_LIMITS, (ip, username.lower()), strict=True)
    ):
        raise _rate_limited()
    known = User.objects.filter(username=username).first()
    if known is not None and _is_locked(known):
        # The password is not even checked, so guessing on during a lockout learns nothing.
        _login_failed(request=request, username=username, user=known, reason="locked", count=False)
        raise _locked(known)
    user = authenticate(request, username=username, password=password)
    if user is None:
        known = _login_failed(request=request, username=username, user=known, reason="password")
        if known is not None and _is_locked(known):
            raise _locked(known)
        raise ValidationError(_("Wrong username or password."), code="invalid_login")
    return user


@transaction.atomic
def login_complete(*, request: HttpRequest, user: User, second_factor: bool) -> None:
    """Start the official's session (after the password and, when they have one, the second factor)."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    login(request, user)
    audit_event_create(
        actor=user,
        action="login",
        object_type="user",
        object_id=user.pk,
        request=request,
        details={"second_factor": second_factor},
    )


@transaction.atomic
def totp_enrol_start(*, user: User) -> str:
    """The secret to show as a QR code; kept across reloads until a code confirms it."""
    if user.has_totp:
        raise Conflict(_("A second factor is already set up for this account."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user.totp_secret


def totp_enrol_confirm(*, request: HttpRequest, user: User, code: str) -> None:
    """Finish enrolment with a code from the authenticator app."""
    if user.has_totp or not user.totp_secret:
        raise Conflict(_("Start the set-up again: open the second-factor page."))
    _totp_accept(request=request, user=user, code=code, action="totp_enrol")


def totp_verify(*, request: HttpRequest, user: User, code: str) -> None:
    """The second step of signing in; wrong codes count towards the lockout like wrong passwords."""
    if not user.has_totp:
        raise Conflict(_("This account has no second factor set up."))
    _totp_accept(request=request, user=user, code=code, action="totp_verify")


def _totp_accept(*, request: HttpRequest, user: User, code: str, action: str) -> None:
    scope, limit, period = _TOTP_LIMIT
    if not ratelimit_allow(scope=scope, key=str(user.pk), limit=limit, period_seconds=period):
        raise _rate_limited()
    user.refresh_from_db(fields=["locked_until", "totp_last_step"])
    if _is_locked(user):
        raise _locked(user)
    step = _totp_step(user, "".join(code.split()))
    if step is None:
        user = _login_failed(request=request, username=user.get_username(), user=user, reason="totp")
        if _is_locked(user):
            raise _locked(user)
        raise ValidationError(_("The code is wrong or has expired."), code="invalid_code")
    with transaction.atomic():
        user.totp_last_step = step
        user.totp_confirmed_at = user.totp_confirmed_at or timezone.now()
        user.save(update_fields=["totp_last_step", "totp_confirmed_at"])
        audit_event_create(actor=user, action=action, object_type="user", object_id=user.pk, request=request)


def _totp_step(user: User, code: str) -> int | None:
    """The time step `code` belongs to (one step of clock drift either way), if not spent yet."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and step > (user.totp_last_step or -1):
            return step
    return None
