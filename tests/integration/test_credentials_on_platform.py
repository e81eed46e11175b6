"""What the platform issues verifies, by the spec alone and through the verify API."""

from __future__ import annotations

from datetime import timedelta

from opcert.services.intake.pipeline import submit_results
from opcert.services.lifecycle import acts
from opcert.services.verification import query as certificates
from tests.independent import spec_verifier
from tests.integration.builders import make_result


def issue(ctx, world, n=1):
    rows = [make_result() for _ in range(n)]
    outcomes = submit_results(ctx, world.zhuhai, rows)
    assert all(o.outcome == "issued" for o in outcomes)
    return [(o.certificate_no, r["item"]) for o, r in zip(outcomes, rows, strict=True)]


def served(client):
    root = client.get("/.well-known/opcert/root-key").json()
    keys = spec_verifier.trust_list(client.get("/.well-known/opcert/trust-list").text, root)
    return keys


def spec_verdict(client, ctx, text):
    keys = served(client)
    list_id = None
    try:
        import zlib

        import base45
        import cbor2

        cose = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
        list_id = cbor2.loads(cose.value[2])[-65537]["st"][0]
    except Exception:
        pass
    statuses = (
        {list_id: client.get(f"/.well-known/opcert/status/{list_id}").text} if list_id else {}
    )
    return spec_verifier.verify(text, keys, statuses, ctx.now())[0]


def test_an_issued_credential_verifies_valid_with_a_verifier_written_from_the_spec(
    client, ctx, world
):
    [(number, item)] = issue(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    assert text.startswith("SC1:")
    assert spec_verdict(client, ctx, text) == "VALID"


def test_after_revocation_the_credential_is_revoked_at_once_and_its_neighbours_stay_valid(
    client, ctx, world
):
    issued = issue(ctx, world, 3)
    texts = [certificates.current_credential(ctx, n, i) for n, i in issued]
    first = client.get("/.well-known/opcert/status/CN-440400-0001")
    acts.revoke(ctx, *issued[1], "以欺骗手段取得", ground="deception")
    assert [spec_verdict(client, ctx, t) for t in texts] == ["VALID", "REVOKED", "VALID"]
    verdicts = [client.post("/api/v1/verify", json={"payload": t}).json()["verdict"] for t in texts]
    assert verdicts == ["VALID", "REVOKED", "VALID"]
    second = client.get("/.well-known/opcert/status/CN-440400-0001")
    assert first.headers["etag"] != second.headers["etag"]


def test_status_lists_carry_an_etag_and_cache_control_from_their_ttl(client, ctx, world):
    issue(ctx, world)
    response = client.get("/.well-known/opcert/status/CN-440400-0001")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/jose")
    assert response.headers["cache-control"] == f"public, max-age={ctx.status_lists.ttl}"
    again = client.get(
        "/.well-known/opcert/status/CN-440400-0001",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_the_verify_api_explains_each_check_and_compares_with_the_record(client, ctx, world):
    [(number, item)] = issue(ctx, world)
    body = client.post(
        "/api/v1/verify", json={"payload": certificates.current_credential(ctx, number, item)}
    ).json()
    assert body["verdict"] == "VALID"
    assert [c["name"] for c in body["checks"]] == ["decode", "key", "signature", "dates", "status"]
    assert body["certificate"]["no"] == number
    assert body["record"]["found"] is True
    assert body["checked_at"]


def test_garbage_given_to_the_verify_api_is_malformed_not_an_error(client):
    body = client.post("/api/v1/verify", json={"payload": "SC1:NOT-BASE45!!"}).json()
    assert body["verdict"] == "MALFORMED"
    missing = client.post("/api/v1/verify", json={"nothing": 1})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "payload"


def test_a_credential_is_expired_six_years_on(client, ctx, world, clock):
    [(number, item)] = issue(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    clock.advance(timedelta(days=6 * 366))
    assert spec_verdict(client, ctx, text) == "EXPIRED"


def test_the_public_query_needs_both_fields_and_says_an_unknown_certificate_is_not_genuine(
    client, world
):
    missing = client.get("/api/v1/certificates", params={"id_number": "11010519491231002X"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "name"
    unknown = client.get(
        "/api/v1/certificates", params={"id_number": "11010519491231002X", "name": "张三"}
    )
    assert unknown.status_code == 404
    assert "不是真实有效" in unknown.json()["detail"]


def test_healthz_answers_when_the_database_does(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_api_docs_load_no_external_asset(client):
    page = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/v1/exam-results"]


def test_a_revocation_is_seen_by_the_next_online_check_even_after_the_list_was_cached(
    client, ctx, world
):
    [(number, item)] = issue(ctx, world)
    text = certificates.current_credential(ctx, number, item)
    assert client.post("/api/v1/verify", json={"payload": text}).json()["verdict"] == "VALID"
    acts.revoke(ctx, number, item, "证书记载虚假信息")
    assert client.post("/api/v1/verify", json={"payload": text}).json()["verdict"] == "REVOKED"
