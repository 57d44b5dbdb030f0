"""The client's address behind trusted reverse proxies (qrtrace.lib.proxy)."""

import pytest

from qrtrace.lib.proxy import client_address, trusted_networks

PROXIES = trusted_networks(["10.0.0.0/8", "::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # A client talking to us directly: its header is anyone's to write and is ignored.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        ("203.0.113.9", "", "203.0.113.9"),
        # One proxy in front: the entry it appended is the client.
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
        # The client sent its own X-Forwarded-For to the proxy: only the right-most entry is ours.
        ("10.0.0.5", "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        # Two of our proxies: both skipped.
        ("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        # A garbled entry ends the walk at the last hop we can vouch for.
        ("10.0.0.5", "203.0.113.9, not-an-address", "10.0.0.5"),
        # Only our proxies in the chain (a health check from inside): the left-most of them.
        ("10.0.0.5", "10.0.0.6", "10.0.0.6"),
        # The proxy sent no header: the proxy is all we know.
        ("10.0.0.5", "", "10.0.0.5"),
        # IPv6 proxy, and an IPv4 client written as IPv4-mapped IPv6 is that IPv4 client.
        ("::1", "::ffff:203.0.113.9", "203.0.113.9"),
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_address_is_read_from_the_right_past_trusted_proxies(peer, forwarded_for, expected):
    assert client_address(peer, forwarded_for, PROXIES) == expected


def test_a_trusted_proxy_setting_that_is_not_an_address_is_refused():
    with pytest.raises(ValueError, match="not-a-proxy"):
        trusted_networks(["10.0.0.1", "not-a-proxy"])


def test_the_settings_refuse_a_bad_trusted_proxy_at_start_up():
    import os
    import subprocess
    import sys

    env = {**os.environ, "QRTRACE_TRUSTED_PROXIES": "10.0.0.1,nonsense"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "qrtrace.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "QRTRACE_TRUSTED_PROXIES" in result.stderr
