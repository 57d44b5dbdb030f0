from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qrtrace.accounts.permissions import can_approve_venue, is_area_official
from qrtrace.lib.errors import Conflict
from qrtrace.lib.ratelimit import ratelimit_allow
from qrtrace.lib.search import PER_PAGE, parse_search

from . import selectors, services
from .forms import BatchForm, ReasonForm, StaffAddForm, VenueCreateForm, VenueEditForm, VenueRegisterForm
from .models import PosterBatch, Venue, VenueStatus
from .posters import poster_pdf
from .qr import InvalidVenueCode, venue_checkin_url, venue_qr_image

_PLAIN_ACTIONS = {
    "approve": services.venue_approve,
    "rotate": services.venue_qr_rotate,
    "revoke": services.venue_qr_revoke,
}
_CONTENT_TYPES = {"pdf": "application/pdf", "svg": "image/svg+xml", "png": "image/png"}


def invalid_code_response(request: HttpRequest, exc: InvalidVenueCode) -> HttpResponse:
    """The page a scan of a forged, unknown, revoked or suspended code leads to (404 or 410)."""
    return render(request, "venues/invalid_code.html", {"gone": exc.status == 410}, status=exc.status)


def poster_response(venue: Venue, *, kind: str) -> HttpResponse:
    if venue.status != VenueStatus.ACTIVE:
        raise Conflict(_("Posters exist only for active venues."))
    data = poster_pdf([venue]) if kind == "pdf" else venue_qr_image(venue, kind=kind)
    response = HttpResponse(data, content_type=_CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="qr-{venue.code}.{kind}"'
    return response


def register(request: HttpRequest) -> HttpResponse:
    form = VenueRegisterForm(request.POST or None)
    limited = False
    if request.method == "POST" and form.is_valid():
        ip = request.META.get("REMOTE_ADDR", "")
        limited = not ratelimit_allow(scope="venue_register", key=ip, limit=10, period_seconds=3600)
        if limited:
            # The form comes back filled in: nothing typed is lost, the applicant retries later.
            form.add_error(None, _("Too many applications from this network; please try again in an hour."))
        else:
            data = form.cleaned_data
            try:
                venue = services.venue_register(
                    name=data["name"],
                    kind=data["kind"],
                    address=data["address"],
                    commune_code=data["commune"].code,
                    contact_phone=data["contact_phone"],
                    ip=ip,
                )
            except (ValidationError, Conflict) as exc:
                _form_error(form, exc)
            else:
                return render(request, "venues/register_done.html", {"venue": venue})
    status = 429 if limited else 400 if form.errors else 200
    return render(request, "venues/register.html", {"form": form}, status=status)


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in VenueStatus.values else None
    search = parse_search(request.GET.get("q"))
    venues = selectors.venue_list(user=request.user, status=status, search=search)
    page = Paginator(venues, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "venues": page,
        "page": page,
        "query": query,
        "search": search.text,
        "status": status,
        "statuses": VenueStatus.choices,
        "official": is_area_official(request.user),
    }
    return render(request, "venues/list.html", context)


@login_required
def venue_new(request: HttpRequest) -> HttpResponse:
    form = VenueCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            venue = services.venue_create(
                actor=request.user,
                commune_code=data.pop("commune").code,
                **data,
            )
        except (ValidationError, Conflict) as exc:
            _form_error(form, exc)
        else:
            return redirect("venues:detail", venue.pk)
    return render(
        request, "venues/form.html", {"form": form, "venue": None}, status=400 if form.errors else 200
    )


@login_required
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, venue_id=pk)
    active = venue.status == VenueStatus.ACTIVE
    context = {
        "venue": venue,
        "official": can_approve_venue(request.user, venue),
        "checkin_url": venue_checkin_url(venue) if active else None,
        "contact_phone": selectors.venue_contact_read(user=request.user, venue=venue, request=request),
        "reason_form": ReasonForm(),
        "staff": selectors.venue_staff_list(venue=venue),
        "staff_form": StaffAddForm(),
    }
    return render(request, "venues/detail.html", context)


@login_required
@require_POST
def staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, venue_id=pk)
    form = StaffAddForm(request.POST)
    if form.is_valid():
        try:
            services.venue_staff_add(actor=request.user, venue=venue, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("%(user)s can now sign in and use the gate scanner.")
                % {"user": form.cleaned_data["username"]},
            )
            return redirect("venues:detail", venue.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("venues:detail", venue.pk)


@login_required
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, venue_id=pk)
    form = VenueEditForm(request.POST or None, instance=Venue.objects.get(pk=venue.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(actor=request.user, venue=venue, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The venue's details were saved."))
            return redirect("venues:detail", venue.pk)
    return render(
        request, "venues/form.html", {"form": form, "venue": venue}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def venue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, venue_id=pk)
    try:
        if action in ("reject", "suspend"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give a reason of at least 3 characters."))
            service = services.venue_reject if action == "reject" else services.venue_suspend
            service(actor=request.user, venue=venue, reason=form.cleaned_data["reason"])
        else:
            _PLAIN_ACTIONS[action](actor=request.user, venue=venue)
    except (ValidationError, Conflict) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Done."))
    return redirect("venues:detail", venue.pk)


@login_required
def venue_poster(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    venue = selectors.venue_get(user=request.user, venue_id=pk)
    try:
        return poster_response(venue, kind=kind)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("venues:detail", venue.pk)


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.poster_batch_create(actor=request.user, commune_code=form.cleaned_data["commune"].code)
        messages.success(request, _("The posters are being prepared; this page shows when they are ready."))
        return redirect("venues:batches")
    context = {"form": form, "batches": selectors.poster_batch_list(user=request.user)}
    return render(request, "venues/batches.html", context, status=400 if form.errors else 200)


@login_required
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.poster_batch_get(user=request.user, batch_id=pk)
    if batch.status != PosterBatch.Status.READY or not batch.path.exists():
        messages.error(request, _("These posters are not ready."))
        return redirect("venues:batches")
    return FileResponse(batch.path.open("rb"), as_attachment=True, filename=f"posters-{batch.commune_id}.pdf")


def _form_error(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, getattr(exc, "messages", None) or str(exc))
