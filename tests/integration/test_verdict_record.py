"""The QR verdict tried as an attacker would (issue 14, one vocabulary of states): a forged QR
carrying a real certificate's number under another name, a genuine credential whose record
changed later (revoked, cancelled, lapsed, superseded, edited), and the words each state gets on
the verdict page and in the API's ``status_label``."""

from __future__ import annotations

import hashlib
import re
import zlib
from datetime import date, timedelta

import base45
import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts
from opcert.services.verification import query as certificates
from tests.integration.builders import make_result
from tests.integration.lifecycle_helpers import at, issue_on
from tests.integration.web_pages import post_form, query

# The fields of the public query's certificate object (interfaces spec), byte for byte.
SPEC_FIELDS = {
    "number", "name", "sex", "category", "item", "status", "first_issued_on", "valid_from",
    "valid_to", "review_due_on", "reviewed_on", "authority",
}  # fmt: skip


def issued(ctx, world, name: str = "李四") -> tuple[str, str, dict]:
    row = make_result(name=name)
    [outcome] = submit_results(ctx, world.zhuhai, [row])
    assert outcome.outcome == "issued"
    return outcome.certificate_no, row["item"], row


def cose(sc1: str):  # type: ignore[no-untyped-def]
    return cbor2.loads(zlib.decompress(base45.b45decode(sc1[4:])))


def sc1(tagged) -> str:  # type: ignore[no-untyped-def]
    return "SC1:" + base45.b45encode(zlib.compress(cbor2.dumps(tagged), 9)).decode()


def forged(genuine: str, name: str, valid_to: str = "2036-11-27") -> str:
    """A real credential's number and cti with another name and end date; signature kept."""
    protected, unprotected, payload, signature = cose(genuine).value
    claims = cbor2.loads(payload)
    claims[-65537]["nam"], claims[-65537]["vto"] = name, valid_to
    return sc1(cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature]))


def signed_by_a_stranger(genuine: str, name: str) -> str:
    """The claims, with another name, signed by a key that no trust list names."""
    stranger = Ed25519PrivateKey.generate()
    spki = stranger.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = cbor2.loads(cose(genuine).value[2])
    claims[-65537]["nam"] = name
    payload = cbor2.dumps(claims)
    protected = cbor2.dumps({1: -8, 4: hashlib.sha256(spki).digest()[:8]})
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    return sc1(cbor2.CBORTag(18, [protected, {}, payload, stranger.sign(to_sign)]))


def verdict_page(client, payload: str) -> str:
    page = post_form(client, "/verify", "/verify", {"payload": payload})
    assert page.status_code == 200
    return page.text


def headline(page: str) -> str:
    found = re.search(r'data-testid="verdict"[^>]*>(.*?)<small>', page, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def api(client, payload: str) -> dict:
    return client.post("/api/v1/verify", json={"payload": payload}).json()


def test_a_forged_qr_with_a_real_number_and_another_name_shows_nothing_of_it_as_fact(
    client, ctx, world
):
    number, item, _ = issued(ctx, world)
    fake = forged(certificates.current_credential(ctx, number, item), "冒名者")
    page = verdict_page(client, fake)
    assert 'data-verdict="BAD_SIGNATURE"' in page
    assert "未经验证的内容" in page and "证书内容" not in page
    assert "2036-11-27" not in page  # the forged end date is not shown at all
    assert "与平台记录一致" not in page
    assert 'data-matches="no"' in page and "未与平台记录比对" in page
    unverified = page.split('data-testid="unverified-content"')[1].split("</section>")[0]
    assert "冒名者" in unverified and number in unverified
    assert page.count("冒名者") == 1
    body = api(client, fake)
    assert body["certificate_verified"] is False
    assert body["record"]["compared"] is False and body["record"]["matches"] is False


def test_a_qr_signed_by_a_key_outside_the_trust_list_is_not_compared_with_the_record(
    client, ctx, world
):
    number, item, _ = issued(ctx, world)
    fake = signed_by_a_stranger(certificates.current_credential(ctx, number, item), "冒名者")
    page = verdict_page(client, fake)
    assert 'data-verdict="UNKNOWN_KEY"' in page
    assert "与平台记录一致" not in page and "未经验证的内容" in page
    assert api(client, fake)["record"]["compared"] is False


def test_a_genuine_current_credential_matches_the_record_in_every_field(client, ctx, world):
    number, item, _ = issued(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    body = api(client, text)
    assert body["verdict"] == "VALID" and body["certificate_verified"] is True
    assert body["record"]["matches"] is True and body["record"]["differences"] == []
    assert body["record"]["status_label"] == "有效"
    page = verdict_page(client, text)
    assert "verdict-ok" in page and "与平台记录一致" in page and "证书内容" in page


def test_a_record_edited_behind_a_valid_credential_names_the_field_and_is_not_green(
    client, ctx, world
):
    number, item, _ = issued(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    with ctx.uow() as uow:
        row = uow.certificates.get(number, item)
        row.valid_to = row.valid_to - timedelta(days=365)
        uow.commit()
    body = api(client, text)
    assert body["verdict"] == "VALID"
    assert body["record"]["matches"] is False
    assert {d["field"] for d in body["record"]["differences"]} == {"vto", "exp"}
    page = verdict_page(client, text)
    assert "verdict-ok" not in page and "与平台记录一致" not in page
    assert "有效期至不同" in page and "但与平台记录不一致" in page


def test_a_credential_revoked_after_issue_is_called_revoked_with_the_red_badge(client, ctx, world):
    number, item, _ = issued(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    page = verdict_page(client, text)
    assert headline(page).startswith("已撤销：")
    assert 'class="state state-void" data-testid="record-status" data-status="revoked"' in page
    assert "与平台记录一致" not in page


def test_a_cancelled_certificate_is_called_cancelled_on_the_verdict_not_revoked(client, ctx, world):
    number, item, _ = issued(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    acts.cancel(ctx, number, item, "request")
    page = verdict_page(client, text)
    assert 'data-verdict="REVOKED"' in page  # status value 1, as the spec says
    assert headline(page).startswith("已注销：") and "撤销" not in headline(page)
    assert api(client, text)["record"]["status_label"] == "已注销"


def test_a_certificate_whose_review_was_missed_is_called_lapsed_on_the_verdict(
    client, ctx, clock, world
):
    number, item, _ = issue_on(ctx, clock, world, date(2022, 3, 10))
    text = certificates.current_credential(ctx, number, item)
    clock.set(at(date(2025, 3, 11)))
    page = verdict_page(client, text)
    assert headline(page).startswith("已失效（未按期复审）：")
    assert "撤销" not in headline(page)


def test_suspension_is_one_word_on_the_verdict_and_in_the_query(client, ctx, world):
    number, item, row = issued(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    acts.suspend(ctx, number, item, "停工调查")
    page = verdict_page(client, text)
    assert headline(page).startswith("暂扣：") and "已暂扣" not in page
    [found] = certificates.public_query(ctx, row["id_number"], row["name"], asker=None)
    assert found["status_label"] == "暂扣"


def test_a_superseded_version_names_what_changed_and_the_newer_version(client, ctx, world):
    number, item, _ = issued(ctx, world, name="王小")
    old = certificates.current_credential(ctx, number, item)
    acts.correct(ctx, number, item, name="王晓", reason="户籍更正")
    body = api(client, old)
    assert body["verdict"] == "SUPERSEDED"
    assert body["record"]["current_version"] is False
    assert body["record"]["status"] == "superseded"
    assert [d["field"] for d in body["record"]["differences"]] == ["nam"]
    page = verdict_page(client, old)
    assert headline(page).startswith("已被新版本替代：")
    assert "姓名不同" in page and "与平台记录一致" not in page


def test_the_query_api_labels_each_state_from_the_one_table_with_the_spec_fields_kept(
    client, ctx, world, clock
):
    number, item, row = issued(ctx, world)

    def found() -> dict:
        answer = client.get(
            "/api/v1/certificates", params={"id_number": row["id_number"], "name": row["name"]}
        )
        assert answer.status_code == 200
        [certificate] = answer.json()["certificates"]
        assert set(certificate) >= SPEC_FIELDS
        return certificate

    assert (found()["status"], found()["status_label"]) == ("valid", "有效")
    assert found()["status_label_en"] == "Valid"
    acts.suspend(ctx, number, item, "停工调查")
    assert (found()["status"], found()["status_label"]) == ("suspended", "暂扣")
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    assert (found()["status"], found()["status_label"]) == ("revoked", "已撤销")
    acts.cancel(ctx, number, item, "revoked")
    assert (found()["status"], found()["status_label"]) == ("cancelled", "已注销")


def test_an_expired_certificate_is_labelled_expired_in_the_api(client, ctx, world, clock):
    _, _, row = issued(ctx, world)
    clock.advance(timedelta(days=6 * 366 + 2))
    answer = client.get(
        "/api/v1/certificates", params={"id_number": row["id_number"], "name": row["name"]}
    )
    [certificate] = answer.json()["certificates"]
    assert (certificate["status"], certificate["status_label"]) == ("expired", "已过期")


def test_the_query_result_opens_with_a_neutral_banner_and_a_red_badge_for_a_revoked_one(
    client, ctx, world
):
    number, item, row = issued(ctx, world)
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    page = query(client, row["id_number"], row["name"]).text
    assert "已在全国平台查询到" not in page and "alert-ok" not in page
    assert "在全国平台查询到 1 张证书" in page
    assert 'class="state state-void" data-testid="certificate-status" data-status="revoked"' in page


def test_the_english_result_uses_the_tables_english_word_and_the_same_colour(client, ctx, world):
    number, item, row = issued(ctx, world)
    acts.suspend(ctx, number, item, "停工调查")
    client.cookies.set("lang", "en")
    page = query(client, row["id_number"], row["name"]).text
    assert 'class="state state-held"' in page and 'data-icon="‖">Suspended</span>' in page
    assert "1 certificate(s) found on the national platform" in page
