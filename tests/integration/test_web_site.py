"""Site-wide properties: translations complete, no other host referenced, directory works."""

from __future__ import annotations

import re
from pathlib import Path

from opcert.interfaces.web import STATIC_DIR
from opcert.interfaces.web.i18n import catalogue_path
from opcert.interfaces.web.messages import extract
from opcert.services.registry import parties as registry

PAGES = [
    "/",
    "/query",
    "/verify",
    "/institutions",
    "/holder/login",
    "/holder/code",
    "/holder/face",
    "/officer/login",
    "/institution/login",
    "/dev/outbox",
]
REFERENCE = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def test_every_message_of_the_pages_has_an_english_translation():
    from babel.messages.pofile import read_po

    with catalogue_path("en").open("rb") as source:
        english = read_po(source)
    missing = [
        m.id for m in extract() if m.id and not (english.get(m.id) and english.get(m.id).string)
    ]
    assert missing == [], f"untranslated: {missing}"


def test_the_english_switch_translates_the_page_and_is_remembered(client):
    page = client.get("/query", params={"lang": "en"})
    assert "Certificate query" in page.text and '<html lang="en">' in page.text
    assert client.get("/").text.count("Certificate query") >= 1


def _external(reference: str) -> bool:
    return bool(
        re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference, re.I)
    ) and not reference.startswith("data:")


def test_no_page_or_asset_references_another_host(client, world):
    found = []
    for url in PAGES:
        for match in REFERENCE.finditer(client.get(url).text):
            reference = match.group(1) or match.group(2)
            if _external(reference):
                found.append((url, reference))
    for asset in Path(STATIC_DIR).rglob("*"):
        if asset.suffix in (".css", ".js", ".html"):
            for match in REFERENCE.finditer(asset.read_text(encoding="utf-8", errors="replace")):
                reference = match.group(1) or match.group(2)
                if _external(reference):
                    found.append((str(asset), reference))
    assert found == []


def test_the_directory_filters_by_region_and_item_and_sorts_by_distance(client, ctx, world):
    registry.add_institution(
        ctx,
        code="TRAIN-1",
        name="珠海培训学校",
        region="440402",
        kind="training",
        latitude=22.27,
        longitude=113.57,
    )
    registry.add_institution(
        ctx,
        code="EXAM-BJ",
        name="北京考试中心",
        region="110101",
        kind="exam",
        latitude=39.90,
        longitude=116.40,
    )
    everything = client.get("/institutions").text
    assert "珠海培训学校" in everything and "重庆市安全技术考试中心" in everything
    guangdong = client.get("/institutions", params={"region": "440000"}).text
    assert "珠海培训学校" in guangdong and "北京考试中心" not in guangdong
    sorted_page = client.get("/institutions", params={"place": "39.9042,116.4074"}).text
    assert sorted_page.index("北京考试中心") < sorted_page.index("珠海培训学校")
    by_item = client.get("/institutions", params={"item": "1.1"}).text
    assert "珠海市安全生产考试中心" in by_item and "珠海培训学校" not in by_item
    bad = client.get("/institutions", params={"lat": "abc", "lon": "1"})
    assert bad.status_code == 200 and 'class="error"' in bad.text
