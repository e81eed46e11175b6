"""Helpers for the lifecycle tests: issue on a given day, and read a certificate's status three
ways (public query, verify API, the independent verifier on the served status list)."""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta

import base45
import cbor2

from opcert.domain.clock import SHANGHAI, FixedClock
from opcert.services.intake.pipeline import submit_results
from opcert.services.verification import query as certificates
from tests.independent import spec_verifier
from tests.integration.builders import make_result


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def issue_on(ctx, clock: FixedClock, world, day: date, **overrides) -> tuple[str, str, dict]:
    """Issue one certificate with the clock on ``day`` (exam the day before)."""
    clock.set(at(day))
    exam = (day - timedelta(days=1)).isoformat()
    row = make_result(exam_date=exam, **overrides)
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued", outcome
    return outcome.certificate_no, row["item"], row


def claims(text: str) -> dict:
    cose = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
    return cbor2.loads(cose.value[2])[-65537]


def status_value(client, text: str) -> int:
    root = client.get("/.well-known/opcert/root-key").json()
    keys = spec_verifier.trust_list(client.get("/.well-known/opcert/trust-list").text, root)
    list_id, index = claims(text)["st"]
    listed = spec_verifier.status_list(
        client.get(f"/.well-known/opcert/status/{list_id}").text, keys
    )
    return spec_verifier.status_value(listed, index)


def spec_verdict(client, text: str, now: datetime) -> str:
    root = client.get("/.well-known/opcert/root-key").json()
    keys = spec_verifier.trust_list(client.get("/.well-known/opcert/trust-list").text, root)
    list_id = claims(text)["st"][0]
    statuses = {list_id: client.get(f"/.well-known/opcert/status/{list_id}").text}
    return spec_verifier.verify(text, keys, statuses, now)[0]


def three_views(ctx, client, row: dict, text: str) -> tuple[str, str, str]:
    """(public query status, verify API verdict, independent verdict) at the context's now."""
    [found] = [
        c
        for c in certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
        if c["item"] == row["item"]
    ]
    api = client.post("/api/v1/verify", json={"payload": text}).json()["verdict"]
    return found["status"], api, spec_verdict(client, text, ctx.now())


# What each public status must read as to a verifier holding the current credential.
AGREES = {
    "valid": "VALID",
    "lapsed": "REVOKED",
    "revoked": "REVOKED",
    "cancelled": "REVOKED",
    "expired": "EXPIRED",
    "suspended": "SUSPENDED",
}
