"""Security headers that Django's SecurityMiddleware does not set: Content-Security-Policy and
Permissions-Policy. (Referrer-Policy, Cross-Origin-Opener-Policy, nosniff and HSTS come from
SecurityMiddleware and the SECURE_* settings.)

The policy allows no inline script and no script from another origin, so an injected `<script>` or
`onclick=` does nothing even if an escaping bug lets one through. Pages put their JavaScript in
static files and pass data through `data-*` attributes or `<script type="application/json">`.
Inline `style="…"` attributes are refused too: styles go in static CSS files.

The API docs (/api/v1/docs) need no exception: with "ninja" in INSTALLED_APPS, django-ninja serves
Swagger UI from its own static files with an external init script, and Swagger UI sets styles through
the DOM (which CSP allows), not through markup; tests/lib/test_security.py checks it in a browser.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # QR codes are shown as data: URIs (segno); the gate scanner draws camera frames to blob: URLs.
    "img-src": "'self' data: blob:",
    # getUserMedia is governed by Permissions-Policy, not CSP; a camera stream given to <video> via
    # srcObject needs no media-src, blob: covers players that use object URLs.
    "media-src": "'self' blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {value}" for name, value in CSP_DIRECTIVES.items())

# Only the gate scanner needs a device: the camera, on our own pages. Everything else is off.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
