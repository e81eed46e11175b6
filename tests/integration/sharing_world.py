"""Helpers for the data-sharing tests: register a subscriber with a keyword grant, and read its
whole pull feed through the API."""

from __future__ import annotations

from typing import Any

from opcert.services.kernel.context import ServiceContext
from opcert.services.sharing import subscribers
from opcert.services.sharing.sharing_list import EVENT_TYPES, FIELDS

USCC = "91440400MA4UH1234T"  # a unified social credit code with a right check character
HOOK = "http://127.0.0.1:9/hooks"  # never called: these tests read the pull feed


def subscribe(
    ctx: ServiceContext,
    code: str,
    *,
    events: list[str] | None = None,
    fields: list[str] | None = None,
    regions: list[str] | None = None,
    uscc: str | None = None,
    signing: str = "hmac",
) -> subscribers.Registered:
    """A subscriber granted ``events`` (default every type), ``fields`` (default all) and
    ``regions`` (default the whole country)."""
    new = subscribers.NewSubscriber(
        code=code,
        name=f"订阅方 {code}",
        url=f"{HOOK}/{code}",
        events=list(events or EVENT_TYPES),
        fields=list(fields or FIELDS),
        regions=list(regions or ["000000"]),
        signing=signing,
        uscc=uscc,
    )
    return subscribers.add_subscriber(ctx, ctx.sharing_config(), new, actor="test")


def pull(client: Any, key: str, after: str | None = None, limit: int = 1000) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": limit}
    if after is not None:
        params["after"] = after
    response = client.get(
        "/api/v1/events", params=params, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def pull_all(client: Any, key: str, after: str | None = None, limit: int = 1000) -> tuple:
    """Every event after ``after``, page by page: (events, the last cursor)."""
    events: list[dict[str, Any]] = []
    while True:
        page = pull(client, key, after, limit)
        events += page["events"]
        after = page["cursor"]
        if not page["more"]:
            return events, after
