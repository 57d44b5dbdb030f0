"""Public pages: no account, no JavaScript needed, nothing personal shown."""

from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from qrtrace.checkins.selectors import device_person
from qrtrace.checkins.views import _device_token
from qrtrace.lib.security import CSP_DIRECTIVES

from . import leaflet, selectors, services
from .forms import FeedbackForm, SelfCheckForm, form_token
from .guide import SECTIONS

# The page stays small on a cheap phone in a bad week (issue 16: HTML + CSS < 50 KB): it shows the
# first announcements (urgent first) with their bodies cut short, and the latest alerts; the rest
# are one tap away on their own lists. Display limits, not policy.
PAGE_ANNOUNCEMENTS = 8
PAGE_ALERTS = 30


def figures() -> selectors.Figures:
    """The figures section of the public page and the embed: the dashboard's public summary."""
    language = translation.get_language()
    return selectors.kept(f"figures:{language}", lambda: selectors.figures_on(on=timezone.localdate()))


def _page_body() -> str:
    """The page's content, the same for every visitor in one language: built at most every
    CACHE_SECONDS per process (and again the moment an announcement starts or ends), so the page
    costs one render of its frame (docs/benchmarks.md, "The public page")."""

    def build() -> str:
        announcements, alerts = selectors.announcements_current(), selectors.alerts_public()
        context = {
            "figures": figures(),
            "announcements": announcements[:PAGE_ANNOUNCEMENTS],
            "more_announcements": len(announcements) - PAGE_ANNOUNCEMENTS,
            "alerts": alerts[-PAGE_ALERTS:],
            "more_alerts": len(alerts) - PAGE_ALERTS,
        }
        return render_to_string("public/_page_body.html", context)

    now = timezone.now()
    return selectors.kept(f"page:{translation.get_language()}", build, until=selectors.next_change(now))


def page(request: HttpRequest) -> HttpResponse:
    """The public epidemic page: figures, announcements, venues with exposure alerts."""
    return render(request, "public/page.html", {"body": mark_safe(_page_body())})  # noqa: S308 (rendered, escaped)


def public_map(request: HttpRequest) -> HttpResponse:
    """The public map: commune risk levels, restricted areas and venues with alerts. The same data as
    the map's endpoint, listed in the page itself, so it reads without JavaScript; with it, Leaflet
    (our own static files) draws them from GET /api/v1/public/map."""
    data = selectors.public_map_kept()
    kinds: dict[str, list] = {"commune": [], "restricted": [], "alert": []}
    for feature in data["features"]:
        kinds[feature["properties"]["layer"]].append(feature["properties"])
    config = {
        "data": "/api/v1/public/map",
        "tiles": settings.QRTRACE_MAP_TILE_URL,
        "attribution": settings.QRTRACE_MAP_TILE_ATTRIBUTION,
        "text": {
            "failed": _("The map could not be loaded: the lists below have the same information."),
            "noTiles": _("Drawn on a plain background (no map tiles)."),
            "level": _("Level"),
            "newCases": _("New cases, last 7 days"),
            "restricted": _("Restricted area"),
        },
    }
    context = {
        "map": data,
        "on": date.fromisoformat(data["on"]),
        "communes": kinds["commune"],
        "groups": _by_level(kinds["commune"], data["legend"]),
        "areas": kinds["restricted"],
        "venues": kinds["alert"],
        "config": config,
    }
    return render(request, "public/map.html", context)


# A level's list is shown open on the page when it is short or the level high; a long list of
# communes at a low level is folded under its heading (one tap opens it, with no script).
OPEN_ROWS = 10


def _by_level(communes: list[dict], legend: list[dict]) -> list[dict]:
    """The communes grouped by level, highest first, for the map page's lists."""
    groups = []
    for item in reversed(legend):
        rows = [c for c in communes if c["level"] == item["level"]]
        if rows:
            groups.append({**item, "rows": rows, "open": item["level"] >= 3 or len(rows) <= OPEN_ROWS})
    return groups


def announcements(request: HttpRequest) -> HttpResponse:
    """Every announcement in force, as titles (the page shows the first few in full)."""
    return render(request, "public/announcements.html", {"items": selectors.announcements_current()})


def alerts(request: HttpRequest) -> HttpResponse:
    """Every place with a published exposure alert (the page shows the latest)."""
    return render(request, "public/alerts.html", {"alerts": selectors.alerts_public()})


def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.announcement_public(pk=pk)
    if item is None:
        raise Http404(_("This announcement is not shown any more."))
    return render(request, "public/announcement.html", {"item": item})


def check(request: HttpRequest) -> HttpResponse:
    """The exposure self-check: this phone's own visits at once, or a venue's code and a date by hand."""
    token = _device_token(request)
    person = device_person(token) if token else None
    form = SelfCheckForm(request.GET if "code" in request.GET else None)
    context = {"form": form, "remembered": person is not None}
    if person is not None:
        context["matches"] = selectors.self_check(person=person)
    if form.is_bound and form.is_valid():
        venue, alerts = selectors.alerts_at(code=form.cleaned_data["code"], day=form.cleaned_data["day"])
        context |= {"checked": True, "venue": venue, "day_alerts": alerts}
    return render(request, "public/check.html", context, status=400 if form.errors else 200)


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "public/guide.html", {"sections": SECTIONS, "base": settings.PUBLIC_BASE_URL})


def guide_leaflet(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(leaflet.leaflet_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="huong-dan-khai-bao-y-te-qr.pdf"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


_EMBED_CSP = "; ".join(
    f"{name} {'*' if name == 'frame-ancestors' else value}" for name, value in CSP_DIRECTIVES.items()
)


@xframe_options_exempt
def embed(request: HttpRequest) -> HttpResponse:
    """What an agency pastes into its website: the figures and the guide link, no cookies, framable."""
    language = request.GET.get("lang")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
    response = render(
        request,
        "public/embed.html",
        {
            "figures": figures(),
            "announcements": selectors.announcements_current()[:3],
        },
    )
    response["Content-Security-Policy"] = _EMBED_CSP
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    """ "Gửi phản ánh": a report for the commune station of the place it names."""
    if request.method == "GET":
        form = FeedbackForm(initial={"issued": form_token()})
        return render(request, "public/feedback.html", {"form": form})
    form = FeedbackForm(request.POST)
    if form.is_robot:  # answered like a success, so the robot learns nothing
        return redirect("public:feedback_sent")
    if not services.feedback_allow(ip=request.META.get("REMOTE_ADDR", "")):
        return render(request, "public/feedback.html", {"form": form, "limited": True}, status=429)
    if form.is_valid():
        data = form.cleaned_data
        services.feedback_create(
            kind=data["kind"],
            commune=data["commune"].code,
            place=data["place"],
            text=data["text"],
            phone=data["phone"],
        )
        return redirect("public:feedback_sent")
    fresh = request.POST.copy()
    fresh["issued"] = form_token()  # a form sent too fast or too late can be sent again as it is
    return render(request, "public/feedback.html", {"form": FeedbackForm(fresh)}, status=400)


def feedback_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "public/feedback_sent.html")


@require_http_methods(["GET", "POST"])
def optout(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every announcement SMS: a button (a GET changes nothing: link previews open it)."""
    if services.optout_phone_hash(token) is None:
        raise Http404(_("This link is not valid."))
    done = request.method == "POST" and services.sms_optout(token=token)
    return render(request, "public/optout.html", {"done": done})
