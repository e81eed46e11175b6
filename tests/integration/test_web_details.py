"""The details of the pages: the language switch keeps the page (and never leaves the site), the
English item names are the catalogue's, pasted QR text is trimmed, hidden means hidden, and the
printed query result carries the query time and the platform's address."""

from __future__ import annotations

import re
from html import unescape

from opcert.domain.catalogue import catalogue
from opcert.interfaces.web import STATIC_DIR
from opcert.services.verification import query as certificates
from tests.integration.test_web_public import issued
from tests.integration.web_pages import post_form, query


def switch(html: str) -> str:
    found = re.search(r'<a class="lang" href="([^"]*)"', html)
    assert found, "no language switch on the page"
    return unescape(found.group(1))


# The language switch ---------------------------------------------------------------------------


def test_the_language_switch_keeps_the_path_and_the_query_string(client):
    page = client.get("/institutions", params={"item": "1.2", "region": "440400"})
    assert switch(page.text) == "/institutions?item=1.2&region=440400&lang=en"
    english = client.get(switch(page.text))
    assert english.status_code == 200 and '<html lang="en">' in english.text
    assert switch(english.text) == "/institutions?item=1.2&region=440400&lang=zh"


def test_switching_back_and_forth_does_not_pile_up_lang_parameters(client):
    url = "/verify"
    for _ in range(3):
        url = switch(client.get(url).text)
    assert url.count("lang=") == 1


def test_after_a_posted_form_the_switch_opens_the_forms_own_page(client, world):
    page = query(client, "11010519491231002X", "张三")
    assert page.status_code == 404
    assert switch(page.text) == "/query?lang=en"


def test_a_crafted_path_cannot_turn_the_switch_into_a_link_to_another_host(client):
    for crafted in ("//evil.example/x", "///evil.example/x", "/\\evil.example/x"):
        page = client.get("http://testserver" + crafted)  # the path as sent, not a host
        assert page.status_code == 404
        href = switch(page.text)
        assert "evil.example" in href  # the same (unknown) page, in the other language
        assert href.startswith("/") and not href.startswith("//"), href
        assert "\\" not in href


def test_a_crafted_query_value_stays_a_value_of_this_page(client):
    page = client.get("/institutions", params={"item": '"><script>x</script>', "next": "//evil"})
    href = switch(page.text)
    assert href.startswith("/institutions?") and "<script>" not in page.text.split("</header>")[0]


# English item names ----------------------------------------------------------------------------


def test_the_directorys_item_list_in_english_is_the_catalogues_english_names(client):
    page = client.get("/institutions", params={"lang": "en"}).text
    options = dict(re.findall(r'<option value="([0-9.]+)"[^>]*>\1 ([^<]+)</option>', page))
    expected = {item.code: item.name_en for item in catalogue().items}
    assert {code: unescape(name) for code, name in options.items()} == expected


def test_an_english_query_result_names_the_item_and_category_as_the_catalogue_does(
    client, ctx, world
):
    row = issued(ctx, world, name="李四", item="1.2")
    client.get("/query", params={"lang": "en"})
    page = query(client, row["id_number"], "李四").text
    assert "Low-voltage electrical work" in page and "Electrical work" in page
    assert "低压电工作业" not in page.split("<main", 1)[1]


def test_a_chinese_query_result_keeps_the_printed_chinese_item_name(client, ctx, world):
    row = issued(ctx, world, name="李四", item="1.1")
    page = query(client, row["id_number"], "李四").text
    assert "高压电工作业（1.1）" in page and "High-voltage" not in page


# Pasted QR text --------------------------------------------------------------------------------


def test_a_pasted_qr_text_wrapped_over_lines_with_a_trailing_newline_is_verified(
    client, ctx, world
):
    row = issued(ctx, world)
    sc1 = certificates.current_credential(ctx, "T" + row["id_number"], "1.2")
    wrapped = "\r\n  " + "\r\n".join(sc1[i : i + 40] for i in range(0, len(sc1), 40)) + "\n\t"
    page = post_form(client, "/verify", "/verify", {"payload": wrapped})
    assert page.status_code == 200
    assert 'data-verdict="VALID"' in page.text


# Hidden means hidden; the printed result -------------------------------------------------------


def test_the_hidden_attribute_wins_over_every_display_rule():
    css = (STATIC_DIR / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\[hidden\]\s*\{\s*display:\s*none\s*!important;?\s*\}", css)


def test_the_printed_query_result_states_the_query_time_and_the_platforms_address(
    client, ctx, world, platform
):
    row = issued(ctx, world, name="李四")
    page = query(client, row["id_number"], "李四").text
    stamp = re.search(r'data-testid="print-stamp">([^<]*)<', page)
    assert stamp is not None
    now = ctx.now().strftime("%Y-%m-%d %H:%M")
    assert f"查询时间：{now}（北京时间）" in stamp.group(1)
    assert platform.settings.base_url in stamp.group(1)
    assert "@media print" in (STATIC_DIR / "site.css").read_text(encoding="utf-8")
