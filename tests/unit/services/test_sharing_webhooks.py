"""A webhook's body and signatures as a receiver checks them: CloudEvents 1.0 minimised to the
grant, ``v1`` verified by the standardwebhooks package, ``v1a`` by ``verify_v1a``; the backoff."""

from __future__ import annotations

import base64
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cloudevents.core.formats.json import JSONFormat
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from opcert.persistence.models import SharingEvent, Subscriber
from opcert.services.sharing.config import SharingConfig
from opcert.services.sharing.recording import Backoff
from opcert.services.sharing.webhooks import (
    KEY_FILE,
    body,
    platform_key,
    signer_for,
    verify_v1a,
    webhook_public_key,
)

SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()
OLD_SECRET = "whsec_" + base64.b64encode(bytes(range(1, 33))).decode()


@pytest.fixture
def config(tmp_path: Path) -> SharingConfig:
    return SharingConfig(sealing_key=b"k" * 32, keys_dir=tmp_path / "keys", passphrase=b"pass")


def event() -> SharingEvent:
    return SharingEvent(
        id=7,
        event_id="0b8f3c2e-4a7d-4f59-9f53-1f3c6d2b8a10",
        type="cn.opcert.certificate.revoked",
        subject="T440402199005170031",
        region="440402",
        occurred_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        data={"event": "revoked", "number": "T440402199005170031", "name": "张三",
              "status": "revoked", "id_number": "440402199005170031"},
    )  # fmt: skip


def subscriber(signing: str = "hmac", fields: tuple[str, ...] = ("number", "status")) -> Subscriber:
    return Subscriber(code="S1", signing=signing, fields=list(fields))


def test_the_body_is_a_cloudevent_with_only_the_granted_fields_and_the_subject_masked():
    payload = body(event(), subscriber(), "https://opcert.example.gov.cn")

    parsed = JSONFormat().read(None, payload)
    assert parsed.get_id() == "0b8f3c2e-4a7d-4f59-9f53-1f3c6d2b8a10"
    assert parsed.get_type() == "cn.opcert.certificate.revoked"
    assert parsed.get_source() == "https://opcert.example.gov.cn/"
    assert parsed.get_subject() == "T440402********0031"
    assert parsed.get_time() == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert parsed.get_dataschema() == (
        "https://opcert.example.gov.cn/docs/events/cn.opcert.certificate.revoked.schema.json"
    )
    assert json.loads(payload)["data"] == {
        "event": "revoked",
        "number": "T440402********0031",
        "status": "revoked",
    }


def test_an_hmac_signature_verifies_with_the_standard_webhooks_package_during_a_rotation(config):
    payload = body(event(), subscriber(), "https://opcert.example.gov.cn")
    signer = signer_for(config, subscriber(), [SECRET, OLD_SECRET])

    headers = signer.headers(event().event_id, payload)

    assert headers["webhook-signature"].count("v1,") == 2
    for secret in (SECRET, OLD_SECRET):
        assert Webhook(secret).verify(payload, headers)["id"] == event().event_id
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(payload.replace(b"revoked", b"valid"), headers)


def test_an_ed25519_signature_verifies_with_the_published_key_and_nothing_else(config):
    payload = body(event(), subscriber("ed25519"), "https://opcert.example.gov.cn")
    headers = signer_for(config, subscriber("ed25519"), []).headers(event().event_id, payload)
    public = webhook_public_key(config)

    assert public.startswith("whpk_") and headers["webhook-signature"].startswith("v1a,")
    verify_v1a(public, payload, headers)
    with pytest.raises(WebhookVerificationError):
        verify_v1a(public, payload + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        verify_v1a(public, payload, {**headers, "webhook-id": "another"})
    with pytest.raises(WebhookVerificationError):
        verify_v1a(public, payload, headers, now=time.time() + 301)  # five minutes' tolerance
    other = SharingConfig(
        sealing_key=b"k" * 32, keys_dir=config.keys_dir / "other", passphrase=b"p"
    )
    with pytest.raises(WebhookVerificationError):
        verify_v1a(webhook_public_key(other), payload, headers)


def test_the_platform_webhook_key_is_made_once_encrypted_and_read_back(config):
    first = webhook_public_key(config)
    pem = (config.keys_dir / KEY_FILE).read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert (config.keys_dir / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert webhook_public_key(config) == first
    assert platform_key(config) is platform_key(config)


def test_the_backoff_doubles_from_one_second_to_an_hour_and_gives_up_after_24_hours():
    backoff, rng = Backoff(), random.Random(5)
    created = now = datetime(2026, 11, 20, tzinfo=UTC)
    steps = []
    for attempts in range(1, 20):
        later = backoff.next_attempt(attempts, now, created, rng)
        assert later is not None
        steps.append((later - now).total_seconds())
    assert all(0 <= s <= min(3600, 2 ** (n)) for n, s in enumerate(steps))
    assert backoff.next_attempt(40, created + timedelta(hours=24), created, rng) is None
    last = backoff.next_attempt(40, created + timedelta(hours=23, minutes=59), created, rng)
    assert last is not None and last <= created + timedelta(hours=24)
