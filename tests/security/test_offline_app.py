"""The installable offline verifier's server side: what /verify pins at install, the service
worker's scope and policy, and compression that keeps the lists' ETag/304 working."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization

from opcert.credential.keys import public_key_from_jwk
from opcert.services.intake.pipeline import submit_results
from tests.integration.builders import make_result


@pytest.fixture
def issued(ctx, world) -> None:
    submit_results(ctx, world.zhuhai, [make_result()])


def test_the_offline_config_names_the_root_by_its_spki_fingerprint_and_every_status_list(
    client, ctx, issued
):
    config = client.get("/verify/offline.json").json()
    der = public_key_from_jwk(config["root_jwk"]).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert config["root_fingerprint"] == hashlib.sha256(der).hexdigest()
    with ctx.uow() as uow:
        expected = ctx.status_lists.list_ids(uow)
    assert expected
    assert config["status_lists"] == [f"/.well-known/opcert/status/{i}" for i in expected]
    assert config["checkpoint"] == "/.well-known/opcert/log/checkpoint"
    for url in config["status_lists"] + [config["trust_list"]]:
        assert client.get(url).status_code == 200


def test_the_service_worker_is_served_from_the_root_with_a_same_origin_only_policy(client):
    worker = client.get("/verify-sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    policy = worker.headers["content-security-policy"]
    assert "connect-src 'self'" in policy and "default-src 'none'" in policy
    assert "*" not in policy and "http" not in policy
    page = client.get("/verify")
    assert "worker-src 'self'" in page.headers["content-security-policy"]
    assert '<link rel="manifest" href="/verify.webmanifest">' in page.text
    assert '<script type="module" src="/static/web/offline/app.js"></script>' in page.text
    assert "jsQR" not in page.text  # the decoder loads with the camera or a photo only


def test_the_manifest_installs_the_verify_page_with_local_icons(client):
    manifest = client.get("/verify.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/verify" and body["display"] == "standalone"
    assert all(icon["src"].startswith("/static/web/") for icon in body["icons"])
    assert client.get("/verify.webmanifest?lang=en").json()["lang"] == "en"


def test_pages_and_scripts_are_gzip_compressed(client):
    for url in ("/verify", "/static/web/offline/verifier.js", "/static/web/vendor/jsQR.js"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip", url


@pytest.mark.parametrize("which", ["trust-list", "status"])
def test_compressed_lists_still_answer_304_to_their_etag(client, ctx, issued, which):
    if which == "status":
        with ctx.uow() as uow:
            url = f"/.well-known/opcert/status/{ctx.status_lists.list_ids(uow)[0]}"
    else:
        url = "/.well-known/opcert/trust-list"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    # Bodies of 500 bytes and more are compressed (a small status list is sent as it is).
    assert (first.headers.get("content-encoding") == "gzip") == (len(first.content) >= 500)
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
