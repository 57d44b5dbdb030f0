"""Sign-in in two steps: the password, then (when the official has one, or must have one) a TOTP code.

Between the steps the session holds only "this account passed its password at this time"; the
official is not signed in until the second step succeeds.
"""

import pyotp
import segno
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from qrtrace.lib.errors import Conflict

from .forms import LoginForm, TotpCodeForm
from .models import User
from .selectors import totp_required
from .services import (
    login_attempt,
    login_complete,
    official_password_set,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_verify,
)
from .welcome import welcome_user

_PENDING = "qrtrace_pending_login"
_PENDING_SECONDS = 300


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}, require_https=False):
        return candidate
    return reverse("home")


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(_PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > _PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def _finish(request: HttpRequest, user: User, *, second_factor: bool) -> HttpResponse:
    target = request.session.pop(_PENDING, {}).get("next") or _next_url(request)
    login_complete(request=request, user=user, second_factor=second_factor)
    return redirect(target)


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            status = 429 if error.code == "rate_limited" else 200
        else:
            if not (user.has_totp or totp_required(user)):
                return _finish(request, user, second_factor=False)
            request.session[_PENDING] = {
                "user": user.pk,
                "at": timezone.now().timestamp(),
                "next": _next_url(request),
            }
            return redirect("accounts:totp_verify" if user.has_totp else "accounts:totp_enrol")
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)}, status=status)


@never_cache
def totp_verify_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or not user.has_totp:
        return redirect("accounts:login")
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            totp_verify(request=request, user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
            status = 429 if error.code == "rate_limited" else 200
        else:
            return _finish(request, user, second_factor=True)
    return render(request, "accounts/totp_verify.html", {"form": form}, status=status)


@never_cache
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up the second factor: signed-in officials who choose to, and province officials who must
    before their first session (they arrive here from the password step)."""
    pending = _pending_user(request)
    user = request.user if request.user.is_authenticated else pending
    if user is None:
        return redirect("accounts:login")
    try:
        secret = totp_enrol_start(user=user)
    except Conflict as error:
        messages.info(request, str(error))
        return redirect("home")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_enrol_confirm(request=request, user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, _("Second factor set up: sign-ins will ask for a code."))
            if request.user.is_authenticated:
                return redirect("home")
            return _finish(request, user, second_factor=True)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name="QRTrace")
    context = {"form": form, "secret": secret, "qr": segno.make(uri, error="m").svg_data_uri(scale=5)}
    return render(request, "accounts/totp_enrol.html", context)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def welcome_view(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """The one-time link of a new account: choose a password, and be signed in."""
    user = welcome_user(uid, token)
    if user is None:
        return render(request, "accounts/welcome.html", {"form": None}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        official_password_set(user=user, password=form.cleaned_data["new_password1"], actor=user)
        if user.has_totp or totp_required(user):  # the second factor is never skipped
            messages.success(request, _("Your password is set: sign in with it."))
            return redirect("accounts:login")
        login_complete(request=request, user=user, second_factor=False)
        messages.success(request, _("Your password is set. Keep it to yourself; you are signed in."))
        return redirect("venues:list")
    return render(
        request, "accounts/welcome.html", {"form": form, "account": user}, status=400 if form.errors else 200
    )
