"""A URL configuration for tests/test_error_pages.py: the site's own, plus one view that fails."""

from django.urls import path

from qrtrace.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("test-broken", _broken)]
