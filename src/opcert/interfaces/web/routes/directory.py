"""The institution directory: filter by region and item, sort by distance from a chosen point."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.interfaces.web.pages import ctx_of, render
from opcert.services.registry import directory

router = APIRouter(include_in_schema=False)
# A few reference points for choosing "near me" without location access (city halls).
PLACES = [
    ("北京市", "Beijing", "39.9042,116.4074"),
    ("上海市", "Shanghai", "31.2304,121.4737"),
    ("广州市", "Guangzhou", "23.1291,113.2644"),
    ("深圳市", "Shenzhen", "22.5431,114.0579"),
    ("珠海市", "Zhuhai", "22.2710,113.5767"),
    ("重庆市", "Chongqing", "29.5630,106.5516"),
    ("成都市", "Chengdu", "30.5728,104.0668"),
    ("武汉市", "Wuhan", "30.5928,114.3055"),
]


def _point(lat: str, lon: str) -> tuple[float, float] | None:
    try:
        point = (float(lat), float(lon))
    except ValueError:
        return None
    return point if -90 <= point[0] <= 90 and -180 <= point[1] <= 180 else None


@router.get("/institutions", response_class=HTMLResponse)
def institutions(
    request: Request,
    region: str = "",
    item: str = "",
    place: str = "",
    lat: str = "",
    lon: str = "",
) -> Response:
    if place and not (lat or lon):
        lat, _, lon = place.partition(",")
    near = _point(lat, lon)
    errors = {"lat": "坐标无效 / invalid coordinates"} if (lat or lon) and near is None else {}
    listings = directory.institutions(
        ctx_of(request), region=region.strip(), item=item.strip(), near=near
    )
    items = [(i.code, i.name_zh) for i in catalogue(CURRENT_CATALOGUE_VERSION).items]
    return render(
        request,
        "directory.html",
        listings=listings,
        items=items,
        errors=errors,
        provinces=directory.provinces(ctx_of(request)),
        places=PLACES,
        values={"region": region, "item": item, "place": place, "lat": lat, "lon": lon},
    )
