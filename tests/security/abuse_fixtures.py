"""Helpers of the abuse-control tests: the policy over memory or over Redis (a unique key prefix
per test, removed afterwards), peer addresses, page scraping."""

from __future__ import annotations

import io
import os
import re
import uuid

import pytest
import redis
from PIL import Image

from opcert.bootstrap import Platform
from opcert.services.abuse import AbuseControls, default_policy

REDIS_URL = os.environ.get("OPCERT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TRUSTED = ["10.0.0.0/8", "2001:db8:ffff::/48"]
CLIENT = ("198.51.100.7", 40000)  # a client talking to the app directly
PROXY = ("10.0.0.2", 40000)  # the reverse proxy in front of the app
UNKNOWN_ID = "11010519491231002X"


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError) as error:
        if os.environ.get("OPCERT_REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")


def make_controls(platform: Platform, store: str, prefix: str | None = None) -> AbuseControls:
    policy = default_policy(platform.settings.query_rate_per_minute)
    if store == "memory":
        return AbuseControls(None, policy=policy, trusted_proxies=TRUSTED)
    redis_or_skip()
    prefix = prefix or f"opcert-abuse-test-{uuid.uuid4().hex}"
    return AbuseControls(REDIS_URL, policy=policy, trusted_proxies=TRUSTED, prefix=prefix)


def captcha_token(html: str) -> str:
    found = re.search(r'name="captcha_token" value="([^"]+)"', html)
    assert found, "no captcha on the page"
    return found.group(1)


def png_without_qr() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (255, 255, 255)).save(out, "PNG")
    return out.getvalue()
