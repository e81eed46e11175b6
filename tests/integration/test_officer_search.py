"""Officer search by part of a name within the officer's region, a page at a time; officer pages
show labels instead of codes; revocation is previewed and confirmed; web forms keep answers."""

from __future__ import annotations

from datetime import date

import pytest

from opcert.domain.errors import FieldError, NotFound
from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import revocation
from opcert.services.registry import parties as registry
from opcert.services.verification import search as certificate_search
from tests.integration.builders import id_number, make_result
from tests.integration.test_web_staff import officer_login
from tests.integration.web_pages import post_form


def issue(ctx, world, name: str, **overrides) -> str:  # type: ignore[no-untyped-def]
    [outcome] = submit_results(ctx, world.zhuhai, [make_result(name=name, **overrides)])
    assert outcome.outcome == "issued", outcome
    return str(outcome.certificate_no)


def names(found) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(c["name"] for c in found)


def test_an_officer_finds_holders_by_the_start_of_their_name(ctx, world):
    for name in ("李四", "李四光", "王李", "阿依古丽·买买提"):
        issue(ctx, world, name)
    officer = world.zhuhai_officer
    assert names(certificate_search.search(ctx, officer, "李")) == ["李四", "李四光"]
    assert names(certificate_search.search(ctx, officer, "李四")) == ["李四", "李四光"]
    assert names(certificate_search.search(ctx, officer, "阿依古丽")) == ["阿依古丽·买买提"]
    assert names(certificate_search.search(ctx, officer, "阿依古丽•买买提")) == ["阿依古丽·买买提"]


def test_an_id_or_certificate_number_typed_with_spaces_or_hyphens_is_found(ctx, world):
    number = issue(ctx, world, "李四")
    holder = number[1:]
    officer = world.zhuhai_officer
    for typed in (
        f"{holder[:6]} {holder[6:14]} {holder[14:]}",
        f"{holder[:6]}-{holder[6:14]}-{holder[14:]}",
        holder.lower(),
        f" {number.lower()} ",
        f"{number[:7]} {number[7:]}",
    ):
        assert names(certificate_search.search(ctx, officer, typed)) == ["李四"], typed


def test_wildcards_typed_into_the_search_are_characters_not_patterns(ctx, world):
    issue(ctx, world, "李四")
    for typed in ("%", "_", "李%", "李_"):
        assert certificate_search.search(ctx, world.zhuhai_officer, typed) == []


def test_a_name_search_does_not_reach_another_province(ctx, world):
    issue(ctx, world, "李四")
    assert certificate_search.search(ctx, world.chongqing_officer, "李") == []
    assert names(certificate_search.search(ctx, world.guangdong_officer, "李")) == ["李四"]


def test_the_search_comes_twenty_to_a_page_in_a_stable_order(ctx, world):
    for _ in range(21):
        issue(ctx, world, "陈明")
    first = certificate_search.search_page(ctx, world.zhuhai_officer, "陈", 1)
    second = certificate_search.search_page(ctx, world.zhuhai_officer, "陈", 2)
    assert (len(first.certificates), first.has_next) == (20, True)
    assert (len(second.certificates), second.has_next) == (1, False)
    numbers = [c["number"] for c in first.certificates + second.certificates]
    assert len(set(numbers)) == 21


def test_the_search_page_names_the_region_it_searched_and_the_authority(client, ctx, world):
    issue(ctx, world, "李四")
    officer_login(client, world, "zh")
    page = client.get("/officer/certificates", params={"q": "李"}).text
    assert "搜索范围：广东省珠海市" in page
    assert "珠海市应急管理局" in page and "CN-440400" not in page


def test_the_application_page_shows_labels_and_no_codes(client, ctx, world):
    old = id_number(division="500103", born=date(1950, 3, 1))
    [outcome] = submit_results(
        ctx, world.chongqing, [make_result(id_number=old, exam_point="EP-500000-01")]
    )
    officer_login(client, world)
    page = client.get(f"/officer/applications/{outcome.application_id}").text
    assert "人工审核中" in page and "年龄" in page and "不适用" in page
    for code in ("in_review", "not_applicable", "CN-500000"):
        assert f">{code}<" not in page and f"{code}（" not in page
    assert "checked" not in page.split('name="decision"')[1].split(">")[0]


def test_the_decision_form_keeps_the_choice_and_reason_after_an_error(client, ctx, world):
    old = id_number(division="500103", born=date(1950, 3, 1))
    [outcome] = submit_results(
        ctx, world.chongqing, [make_result(id_number=old, exam_point="EP-500000-01")]
    )
    officer_login(client, world)
    url = f"/officer/applications/{outcome.application_id}"
    page = post_form(client, url, f"{url}/decision", {"decision": "reject", "reason": ""})
    assert page.status_code == 422
    assert 'value="reject" checked' in page.text and 'value="approve" checked' not in page.text
    typed = "核实后仍予批准"
    page = post_form(client, url, f"{url}/decision", {"decision": "approve", "reason": typed})
    assert "核对后确认批准" in page.text and typed in page.text  # the confirmation, not a decision
    forged = post_form(
        client,
        url,
        f"{url}/decision",
        {"decision": "approve", "reason": "改过的理由", "confirmation": "forged"},
    )
    assert forged.status_code == 422 and 'data-testid="confirmation-error"' in forged.text
    assert "改过的理由" in forged.text and 'value="approve" checked' in forged.text


def test_an_empty_batch_is_named_on_the_queue_and_approves_nothing(client, ctx, world):
    registry.set_auto_approve(ctx, "CN-500000", False)
    submit_results(ctx, world.chongqing, [make_result(exam_point="EP-500000-01")])
    officer_login(client, world)
    page = post_form(client, "/officer/queue", "/officer/queue/approve-clean", {})
    assert page.status_code == 422
    assert "没有勾选任何申请" in page.text and "共批准" not in page.text


def test_a_revocation_needs_a_ground_from_the_list(ctx, world):
    number = issue(ctx, world, "李四")
    for ground in ("", "because", "other"):
        with pytest.raises(FieldError) as refused:
            revocation.preview(ctx, world.zhuhai_officer, number, "1.2", ground, "理由")
        assert refused.value.field == "ground"


def test_the_preview_names_the_three_year_ban_and_writes_nothing(ctx, world, clock):
    number = issue(ctx, world, "李四")
    shown = revocation.preview(
        ctx, world.zhuhai_officer, number, "1.2", "false_information", "证书记载虚假学历"
    )
    assert shown.ban_years == 3
    assert shown.banned_until == date(clock.now().year + 3, 11, 20)
    assert shown.certificate["status"] == "valid"
    assert certificate_search.search(ctx, world.zhuhai_officer, number)[0]["status"] == "valid"
    unfit = revocation.preview(ctx, world.zhuhai_officer, number, "1.2", "unfit", "体检不合格")
    assert unfit.banned_until is None


def test_a_revocation_confirmation_does_not_revoke_another_certificate_or_ground(ctx, world):
    first, second = issue(ctx, world, "李四"), issue(ctx, world, "王五")
    officer = world.zhuhai_officer
    shown = revocation.preview(ctx, officer, first, "1.2", "unfit", "体检不合格")
    for number, ground in ((second, "unfit"), (first, "deception")):
        with pytest.raises(FieldError) as refused:
            revocation.confirm(ctx, officer, number, "1.2", ground, "体检不合格", shown.key)
        assert refused.value.field == "confirmation"
    with pytest.raises(FieldError):
        revocation.confirm(ctx, officer, first, "1.2", "unfit", "体检不合格", None)
    done = revocation.confirm(ctx, officer, first, "1.2", "unfit", "体检不合格", shown.key)
    assert done.banned_until is None
    statuses = {c["number"]: c["status"] for c in certificate_search.search(ctx, officer, "")}
    assert statuses == {}  # an empty query lists nothing
    assert certificate_search.search(ctx, officer, first)[0]["status"] == "revoked"
    assert certificate_search.search(ctx, officer, second)[0]["status"] == "valid"


def test_another_regions_officer_cannot_preview_a_revocation(ctx, world):
    number = issue(ctx, world, "李四")
    with pytest.raises(NotFound):
        revocation.preview(ctx, world.chongqing_officer, number, "1.2", "unfit", "体检不合格")


def test_the_override_confirmation_and_the_revocation_preview_read_in_english(client, ctx, world):
    old = id_number(division="500103", born=date(1950, 3, 1))
    [outcome] = submit_results(
        ctx, world.chongqing, [make_result(id_number=old, exam_point="EP-500000-01")]
    )
    officer_login(client, world)
    client.cookies.set("lang", "en")
    url = f"/officer/applications/{outcome.application_id}"
    detail = client.get(url, params={"lang": "en"}).text
    assert "In review" in detail and "age" in detail and "not applicable" in detail
    token = detail.split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(
        f"{url}/decision?lang=en",
        data={"csrf_token": token, "decision": "approve", "reason": "checked by hand"},
    ).text
    assert "Check your answers, then approve" in page and "Failed automatic checks" in page


@pytest.mark.parametrize("typed", ["abc", "-3", "0", "99999999999999999999", "1e9", "²"])
def test_a_page_number_that_is_not_one_shows_the_first_page_not_an_error(client, world, typed):
    officer_login(client, world, "zh")
    for url in ("/officer/queue", "/officer/certificates"):
        page = client.get(url, params={"page": typed, "q": "李"})
        assert page.status_code == 200, (url, page.text)
