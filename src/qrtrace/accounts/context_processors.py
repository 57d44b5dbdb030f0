from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .navigation import console_links, console_roles


def console(request: HttpRequest) -> dict:
    """The navigation bar of a signed-in official (computed only if a page draws it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"console": None}

    def build() -> dict:
        found = console_links(user)
        # The one link the page lies under: the longest that prefixes its path (/tracing/ and
        # /tracing/alerts/ both prefix the alerts page).
        prefixes = [url for _label, url in found if request.path.startswith(url.split("?")[0])]
        current = max(prefixes, key=len, default=None)
        links = [{"label": label, "url": url, "current": url == current} for label, url in found]
        return {
            "name": user.get_full_name() or user.get_username(),
            "roles": console_roles(user),
            "links": links,
        }

    return {"console": SimpleLazyObject(build)}
