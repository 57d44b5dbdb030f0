import re
import shutil

import pytest

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_every_page_forbids_inline_and_foreign_scripts_and_framing(client):
    csp = _directives(client.get("/accounts/login/").headers["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data: blob:"
    assert (csp["frame-ancestors"], csp["form-action"], csp["object-src"]) == ("'none'", "'self'", "'none'")


def test_api_answers_carry_the_same_strict_policy(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert _directives(response.headers["Content-Security-Policy"])["script-src"] == "'self'"


def test_the_camera_is_allowed_for_our_own_pages_only_and_other_devices_not_at_all(client):
    policy = client.get("/").headers["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "microphone=()" in policy and "geolocation=()" in policy


def test_isolation_and_referrer_headers_are_set(client):
    headers = client.get("/").headers
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_api_docs_are_served_from_our_own_static_files_under_the_strict_policy(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        # Every executable script is an external same-origin file; the JSON settings block is data.
        if 'type="application/json"' not in attrs:
            assert re.search(r'src="/static/', attrs) and not body.strip()
    assert "cdn" not in html.lower()
    assert _directives(response.headers["Content-Security-Policy"])["style-src"] == "'self'"


@pytest.mark.browser
def test_swagger_ui_renders_in_a_browser_without_a_single_policy_violation(live_server):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.add_init_script(
            "window.violations = []; document.addEventListener('securitypolicyviolation',"
            " e => window.violations.push(e.violatedDirective))"
        )
        page.goto(f"{live_server.url}/api/v1/docs")
        page.locator(".opblock-summary").first.click()  # expanding an operation renders more markup
        page.wait_for_selector(".opblock-body")
        violations = page.evaluate("window.violations")
        # The listener works: markup with an inline style is refused and reported.
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
        page.wait_for_function("window.violations.length > 0")
        browser.close()
    assert violations == []


def test_no_template_uses_inline_script_or_event_handlers():
    from pathlib import Path

    import qrtrace

    root = Path(qrtrace.__file__).parent
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", text) or re.search(
            r"\son[a-z]+\s*=", text
        ):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []
