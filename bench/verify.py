"""Verification, PDF and QR benchmark, each against the raw limit it is compared with.

Prints one JSON object per measurement, all from the same run:
- raw Ed25519 verifications per second of `cryptography` over an SC1 Sig_structure, and
  offline verifications per second of `opcert.credential.verifier.verify` over N distinct
  credentials (trust list and a prebuilt status list in memory), with their ratio (target >= 0.6);
  the two are timed in alternating slices so that a noisy neighbour hits both alike;
- PDF renders per second of `opcert.documents.certificate_pdf.render` in one process and one
  thread (target >= 50 for A4), with the QR PNG made beforehand, and with it made per render;
  per second of wall time and per second of the process's CPU time (one core's worth of work,
  which a busy shared machine does not distort);
- QR encodes per second of the same SC1 string at error correction Q: zxing-cpp (what
  `opcert.credential.qr` uses) against segno (pure Python), matrix only and as a PNG.

    .venv/bin/python bench/verify.py            # 10,000 credentials, 3 rounds
    .venv/bin/python bench/verify.py --quick    # 2,000 credentials, 1 round, shorter timings
    .venv/bin/python bench/verify.py --only pdf # the PDF renders alone
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import segno
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from stdnum.cn import ric

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, machine, rate
from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import ALG_EDDSA, SoftwareSigner, generate_private_key
from opcert.credential.qr import qr_png, read_qr
from opcert.credential.sc1 import decode, encode
from opcert.credential.statuslist import StatusBits, StatusList
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList
from opcert.credential.verifier import StaticStatusSource, Verdict, verify
from opcert.documents.certificate_pdf import CertificateView, render
from opcert.domain.credential_claims import claim_errors
from opcert.domain.lifecycle import REVIEW_NOT_NEEDED

ISSUER = "CN-440400"
LIST_ID = "CN-440400-0001"
ISSUED_AT = int(datetime(2026, 11, 20, 1, 30, tzinfo=UTC).timestamp())
NOW = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)  # inside every benchmark certificate's validity
SLICE = 200
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def id_number(n: int) -> str:
    """A valid resident ID number (GB 11643 check digit), distinct for each `n` below 336,000."""
    sequence, rest = n % 1000, n // 1000
    body = f"4404021990{rest % 12 + 1:02d}{rest // 12 % 28 + 1:02d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # the last character given is ignored


def make_payload(n: int, index: int, rng: random.Random) -> CredentialPayload:
    """A realistic SO credential payload, distinct for each `n`: issued on 2026-11-20 under
    MEM Order 19 (six years, no review date), the sex the ID number encodes."""
    number = id_number(n)
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    certificate = CertificateClaims(
        typ="SO",
        no=f"T{number}",
        nam=name,
        sex=1 if int(number[16]) % 2 else 2,
        cat="1",
        itm="1.2",
        itn="低压电工作业",
        fst="2026-11-20",
        vfr="2026-11-20",
        vto="2032-11-20",
        aut="珠海市应急管理局",
        rs="MEM19",
        st=(LIST_ID, index),
    )
    return CredentialPayload(
        iss=ISSUER,
        iat=ISSUED_AT + n,
        exp=exp_for(date(2032, 11, 20)),
        cti=rng.randbytes(16),
        certificate=certificate,
    )


def make_credentials(count: int, signer: SoftwareSigner) -> list[str]:
    """`count` distinct signed credentials at distinct random status indexes, each one's claims
    checked against the domain rules (a benchmark of credentials the platform would never issue
    measures nothing)."""
    rng = random.Random(20261120)
    indexes = rng.sample(range(65536), count)
    payloads = [make_payload(n, indexes[n], rng) for n in range(count)]
    for payload in payloads:
        errors = claim_errors(payload.certificate.to_cbor_map(), exp=payload.exp)
        assert not errors, [error.message_en for error in errors]
    return [encode(payload, signer) for payload in payloads]


def trust_material(signer: SoftwareSigner) -> tuple[TrustList, StaticStatusSource]:
    """A trust list holding the signer's key and a source with one prebuilt, all-zero list."""
    key = TrustedKey(
        signer.kid, ISSUER, "EdDSA", signer.public_key(), ISSUED_AT, None, KeyStatus.ACTIVE, None
    )
    now = int(NOW.timestamp())
    trust = TrustList(iss="CN", iat=now - 600, exp=now + 86400, keys=(key,))
    status_list = StatusList(
        LIST_ID, ISSUER, now - 60, 3600, StatusBits(65536), exp=now + 86400, rev=1
    )
    return trust, StaticStatusSource([status_list])


def interleaved_rates(
    texts: list[str], trust: TrustList, statuses: StaticStatusSource, seconds: float
) -> tuple[float, float]:
    """(raw Ed25519 verifications per second, offline verifications per second).

    Passes over every credential until `seconds` have gone by, in slices of SLICE: each slice
    times SLICE raw verifications of one credential's Sig_structure, then the offline
    verification of SLICE distinct credentials, so that noise from other processes on a shared
    machine falls on both sides alike.
    """
    sample = decode(texts[0])
    message, signature = sample.sig_structure(), sample.signature
    public_key = trust.keys[0].public_key
    assert isinstance(public_key, Ed25519PublicKey)
    raw_seconds = offline_seconds = 0.0
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for start in range(0, len(texts), SLICE):
            chunk = texts[start : start + SLICE]
            begin = time.perf_counter()
            for _ in chunk:
                public_key.verify(signature, message)
            middle = time.perf_counter()
            for text in chunk:
                verify(text, trust_list=trust, statuses=statuses, now=NOW)
            raw_seconds += middle - begin
            offline_seconds += time.perf_counter() - middle
            done += len(chunk)
    return done / raw_seconds, done / offline_seconds


def verification(count: int, rounds: int, seconds: float) -> dict[str, object]:
    signer = SoftwareSigner(generate_private_key(ALG_EDDSA))
    texts = make_credentials(count, signer)
    trust, statuses = trust_material(signer)
    verdicts = {verify(t, trust_list=trust, statuses=statuses, now=NOW).verdict for t in texts}
    assert verdicts == {Verdict.VALID}, verdicts
    measured = [interleaved_rates(texts, trust, statuses, seconds) for _ in range(rounds)]
    raw = [r for r, _ in measured]
    offline = [o for _, o in measured]
    return {
        "bench": "verify_offline",
        "credentials": count,
        "sc1_chars": round(statistics.mean(len(t) for t in texts), 1),
        "sig_structure_bytes": len(decode(texts[0]).sig_structure()),
        "raw_ed25519_verify_per_second": round(statistics.median(raw), 1),
        "offline_verify_per_second": round(statistics.median(offline), 1),
        "ratio": round(statistics.median(o / r for r, o in measured), 3),
        "target_ratio": 0.6,
        "rounds": [
            {"raw": round(r, 1), "offline": round(o, 1), "ratio": round(o / r, 3)}
            for r, o in measured
        ],
    }


def certificate_view(text: str) -> CertificateView:
    return CertificateView(
        typ="SO",
        number="T" + id_number(0),
        name="阿卜杜·热合曼",
        sex="男",
        category="电工作业",
        item="低压电工作业",
        first_issued_on="2026-11-20",
        valid_from="2026-11-20",
        valid_to="2032-11-20",
        review_due_on=REVIEW_NOT_NEEDED[0],  # MEM Order 19, as services.documents prints it
        reviewed_on="",
        authority="珠海市应急管理局",
        qr_png=qr_png(text, ec="Q"),
    )


def pdf(text: str, seconds: float) -> dict[str, object]:
    view = certificate_view(text)

    def a4() -> int:
        return bool(render(view, "a4"))

    def card() -> int:
        return bool(render(view, "card"))

    def a4_with_qr() -> int:
        return bool(render(dataclasses.replace(view, qr_png=qr_png(text, ec="Q")), "a4"))

    return {
        "bench": "pdf_render",
        "process": "one process, one thread",
        "font": "Noto Sans CJK SC, embedded subset",
        "a4_per_second": round(rate(a4, seconds), 1),
        "a4_per_cpu_second": round(cpu_rate(a4, seconds), 1),
        "card_per_second": round(rate(card, seconds), 1),
        "card_per_cpu_second": round(cpu_rate(card, seconds), 1),
        "a4_with_qr_png_per_second": round(rate(a4_with_qr, seconds), 1),
        "a4_bytes": len(render(view, "a4")),
        "card_bytes": len(render(view, "card")),
        "target_a4_per_second": 50,
    }


def cpu_rate(work: Callable[[], int], seconds: float) -> float:
    """Like `bench.common.rate`, per second of this process's CPU time instead of wall time."""
    done, begin = 0, time.process_time()
    while time.process_time() - begin < seconds:
        done += work()
    return done / (time.process_time() - begin)


def qr(text: str, seconds: float) -> dict[str, object]:
    """zxing-cpp against segno on `text` at level Q; both PNGs must read back as `text`."""
    reference = segno.make(text, error="q", mode="alphanumeric", micro=False, boost_error=False)

    def segno_png() -> bytes:
        out = io.BytesIO()
        segno.make(text, error="q", mode="alphanumeric", micro=False, boost_error=False).save(
            out, kind="png", scale=8, border=4
        )
        return out.getvalue()

    assert read_qr(qr_png(text, ec="Q")) == [text] and read_qr(segno_png()) == [text]
    qr_format = zxingcpp.BarcodeFormat.QRCode
    zxing_matrix = rate(
        lambda: bool(zxingcpp.create_barcode(text, qr_format, ec_level="Q")), seconds
    )
    segno_matrix = rate(
        lambda: bool(
            segno.make(text, error="q", mode="alphanumeric", micro=False, boost_error=False)
        ),
        seconds,
    )
    zxing_png = rate(lambda: bool(qr_png(text, ec="Q")), seconds)
    segno_png_rate = rate(lambda: bool(segno_png()), seconds)
    return {
        "bench": "qr_encode",
        "sc1_chars": len(text),
        "qr_version": reference.version,
        "error_correction": "Q",
        "zxing_cpp_matrix_per_second": round(zxing_matrix, 1),
        "segno_matrix_per_second": round(segno_matrix, 1),
        "matrix_speedup": round(zxing_matrix / segno_matrix, 1),
        "zxing_cpp_png_per_second": round(zxing_png, 1),
        "segno_png_per_second": round(segno_png_rate, 1),
        "png_speedup": round(zxing_png / segno_png_rate, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--credentials", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--only", choices=["verification", "pdf", "qr"], default=None, help="one measurement"
    )
    args = parser.parse_args()
    count = args.credentials or (2_000 if args.quick else 10_000)
    rounds = args.rounds or (1 if args.quick else 3)
    seconds = 1.0 if args.quick else 3.0
    emit({"bench": "machine", **machine()})
    if args.only in (None, "verification"):
        emit(verification(count, rounds, seconds))
    text = make_credentials(1, SoftwareSigner(generate_private_key(ALG_EDDSA)))[0]
    if args.only in (None, "pdf"):
        emit(pdf(text, seconds))
    if args.only in (None, "qr"):
        emit(qr(text, seconds))


if __name__ == "__main__":
    main()
