"""The public list of cancellations (注销公告, Order 30 Art. 29)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from opcert.interfaces.api.dependencies import Ctx
from opcert.services.lifecycle import acts

router = APIRouter(tags=["public / 公众"])


@router.get("/api/v1/cancellations", summary="注销公告 / cancelled certificates (paginated)")
def cancellations(
    ctx: Ctx,
    page: Annotated[int, Query(ge=1, le=acts.MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=acts.MAX_PER_PAGE)] = 50,
) -> dict[str, Any]:
    """Newest first; ``total`` counts every cancellation; the ID digits of numbers are masked."""
    return acts.cancellations(ctx, page, per_page)
