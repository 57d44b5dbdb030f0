"""One-time sign-in links: an account made for someone (a venue's owner, on approval) is opened by a
link that lets them choose a password once.

The token is Django's password-reset token under this module's own salt: it is signed with the
secret key, names the account, and stops working as soon as a password is set (it covers the
password hash and the last sign-in) or after PASSWORD_RESET_TIMEOUT (Django's default: three days).
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User


class _WelcomeTokens(PasswordResetTokenGenerator):
    key_salt = "qrtrace.accounts.welcome"


welcome_tokens = _WelcomeTokens()


def welcome_url(user: User) -> str:
    """The full address of `user`'s one-time link, as printed in an SMS."""
    path = reverse(
        "accounts:welcome",
        kwargs={"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": welcome_tokens.make_token(user)},
    )
    return settings.PUBLIC_BASE_URL + path


def welcome_user(uid: str, token: str) -> User | None:
    """The account a link opens, or None for a forged, used or expired one."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    return user if user is not None and welcome_tokens.check_token(user, token) else None
