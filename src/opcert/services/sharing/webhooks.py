"""One webhook delivery as the subscriber receives it (issue 17, decision 0029): the body is a
CloudEvents 1.0 event in structured JSON mode, minimised to the subscriber's sharing list, and
the request is signed as Standard Webhooks 1.0 says.

Headers: ``webhook-id`` (the event's id, the same on every attempt: receivers deduplicate on it),
``webhook-timestamp`` (Unix seconds of the attempt), ``webhook-signature``:

- ``v1,<base64 HMAC-SHA256>`` for an ``hmac`` subscriber, with its ``whsec_`` secret (during a
  rotation the previous secret signs too: ``v1,<a> v1,<b>``);
- ``v1a,<base64 Ed25519>`` for an ``ed25519`` subscriber, with the platform's webhook key, whose
  public half (``whpk_`` + base64 of the raw 32 bytes) is published. That key is not an issuer
  key and never enters the trust list.

Both sign ``"{webhook-id}.{webhook-timestamp}.{body}"``. A receiver verifies ``v1`` with the
``standardwebhooks`` package and ``v1a`` with :func:`verify_v1a` (or its own ten lines: decode
the key, check the timestamp within five minutes, verify the signature over the same string).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from opcert.credential.keyfiles import read_private_key, write_private_key
from opcert.persistence.models import Subscriber
from opcert.persistence.repositories.deliveries import EventRow
from opcert.services.sharing.config import SharingConfig
from opcert.services.sharing.sharing_list import minimise, shown_subject

KEY_FILE = "webhook-ed25519.pem"
PUBLIC_PREFIX = "whpk_"
TOLERANCE_SECONDS = 5 * 60  # Standard Webhooks: a timestamp further off is refused
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "opcert-webhooks/1"
_FORMAT = JSONFormat()
_keys: dict[Path, Ed25519PrivateKey] = {}
_keys_lock = threading.Lock()

__all__ = [
    "WebhookVerificationError",
    "body",
    "signer_for",
    "verify_v1a",
    "webhook_public_key",
]


def schema_url(base_url: str, event_type: str) -> str:
    """Where the JSON Schema of an event type's ``data`` is published."""
    return f"{base_url.rstrip('/')}/docs/events/{event_type}.schema.json"


def body(event: EventRow, subscriber: Subscriber, base_url: str) -> bytes:
    """The CloudEvents 1.0 structured JSON of ``event`` as ``subscriber`` may see it."""
    fields = list(subscriber.fields)
    attributes = {
        "id": event.event_id,
        "source": base_url.rstrip("/") + "/",
        "type": event.type,
        "subject": shown_subject(event.subject, fields),
        "time": event.occurred_at.astimezone(UTC),
        "datacontenttype": "application/json",
        "dataschema": schema_url(base_url, event.type),
    }
    return _FORMAT.write(CloudEvent(attributes, minimise(event.data, fields)))


# The platform's webhook key ----------------------------------------------------------------
def platform_key(config: SharingConfig) -> Ed25519PrivateKey:
    """The platform's Ed25519 webhook key, made (encrypted with the key passphrase, 0600) on
    first use; read once per process."""
    path = Path(config.keys_dir) / KEY_FILE
    with _keys_lock:
        key = _keys.get(path)
        if key is None:
            key = _load_or_create(path, config.passphrase)
            _keys[path] = key
        return key


def _load_or_create(path: Path, passphrase: bytes) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Another process may make it first: then its key is the one read below.
        with contextlib.suppress(FileExistsError):
            write_private_key(path, Ed25519PrivateKey.generate(), passphrase)
    key = read_private_key(path, passphrase)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(
            f"平台 Webhook 密钥 {path} 不是 Ed25519 密钥 / the platform webhook key {path} is "
            "not an Ed25519 key"
        )
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    return (
        PUBLIC_PREFIX + base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    )


def webhook_public_key(config: SharingConfig) -> str:
    """The platform's webhook public key in the Standard Webhooks form ``whpk_<base64>``."""
    return public_key_text(platform_key(config).public_key())


# Signing -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signer:
    """What signs one subscriber's requests: its ``whsec_`` secrets (hmac) or the platform key."""

    secrets: tuple[Webhook, ...] = ()
    key: Ed25519PrivateKey | None = None

    def signature(self, msg_id: str, timestamp: int, payload: bytes) -> str:
        if self.key is not None:
            signed = self.key.sign(f"{msg_id}.{timestamp}.".encode() + payload)
            return "v1a," + base64.b64encode(signed).decode()
        at = datetime.fromtimestamp(timestamp, UTC)
        text = payload.decode()
        return " ".join(secret.sign(msg_id, at, text) for secret in self.secrets)

    def headers(self, msg_id: str, payload: bytes, timestamp: int | None = None) -> dict[str, str]:
        """The request's headers, signed now (or at ``timestamp``, Unix seconds)."""
        stamp = int(time.time()) if timestamp is None else timestamp
        return {
            "content-type": CONTENT_TYPE,
            "user-agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": self.signature(msg_id, stamp, payload),
        }


def signer_for(config: SharingConfig, subscriber: Subscriber, secrets: list[str]) -> Signer:
    """The signer of ``subscriber``: ``secrets`` are its current ``whsec_`` secrets (hmac)."""
    if subscriber.signing == "ed25519":
        return Signer(key=platform_key(config))
    if not secrets:
        raise ValueError(
            f"订阅方 {subscriber.code} 没有可用的签名密钥 / subscriber {subscriber.code} has no "
            "webhook secret"
        )
    return Signer(secrets=tuple(Webhook(secret) for secret in secrets))


# Verifying v1a (for receivers) -------------------------------------------------------------
def verify_v1a(
    public_key: str, payload: bytes, headers: Mapping[str, str], *, now: float | None = None
) -> None:
    """Check a ``v1a`` (Ed25519) Standard Webhooks signature; ``WebhookVerificationError`` when
    a header is missing, the timestamp is more than five minutes off, or no ``v1a`` signature
    verifies over ``"{webhook-id}.{webhook-timestamp}.{body}"`` with ``public_key``
    (``whpk_<base64 of the raw 32-byte key>``)."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp = lower.get("webhook-id"), lower.get("webhook-timestamp")
    signatures = lower.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError("Missing required headers")
    try:
        sent = int(stamp)
    except ValueError:
        raise WebhookVerificationError("Invalid Signature Headers") from None
    if abs((time.time() if now is None else now) - sent) > TOLERANCE_SECONDS:
        raise WebhookVerificationError("Message timestamp too old or too new")
    try:
        raw = base64.b64decode(public_key.removeprefix(PUBLIC_PREFIX), validate=True)
        key = Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("Invalid public key") from None
    message = f"{msg_id}.{stamp}.".encode() + payload
    for one in signatures.split(" "):
        version, _, value = one.partition(",")
        if version != "v1a":
            continue
        with contextlib.suppress(binascii.Error, InvalidSignature):
            key.verify(base64.b64decode(value, validate=True), message)
            return
    raise WebhookVerificationError("No matching signature found")
