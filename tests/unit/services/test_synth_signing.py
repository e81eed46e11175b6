"""Synthetic credentials signed in worker processes are exactly those signed in-process."""

from __future__ import annotations

from datetime import date

from opcert.credential.keys import SoftwareSigner, generate_private_key
from opcert.credential.sc1 import decode
from opcert.services.issuance.minting import Unsigned
from opcert.services.synth.credentials import unsigned
from opcert.services.synth.histories import Version
from opcert.services.synth.signing import Signing

SIGNERS = {
    "CN-440000": SoftwareSigner(generate_private_key()),
    "CN-500000": SoftwareSigner(generate_private_key()),
}


def _jobs(count: int) -> list[Unsigned]:
    jobs = []
    for n in range(count):
        issuer = "CN-440000" if n % 3 else "CN-500000"
        version = Version(
            date(2019, 5, 1), "ORDER30", date(2019, 5, 1), date(2025, 5, 1), date(2022, 5, 1)
        )
        certificate = {
            "typ": "SO", "number": f"T44040219900517{n:04d}", "name": "张三", "sex": 1, "category_code": "1",
            "item_code": "1.2", "item_name": "低压电工作业", "first_issued_on": date(2019, 5, 1),
        }  # fmt: skip
        slot = (f"{issuer}-0001", n)
        jobs.append(unsigned(issuer, certificate, "珠海市应急管理局", version, slot, bytes(16)))
    return jobs


class _TokenSigner:
    """A signer whose key cannot leave it, like a PKCS#11 token."""

    def __init__(self, inner: SoftwareSigner) -> None:
        self._inner = inner
        self.alg, self.kid = inner.alg, inner.kid

    def sign(self, data: bytes) -> bytes:
        return self._inner.sign(data)

    def public_key(self):  # type: ignore[no-untyped-def]
        return self._inner.public_key()


def test_worker_processes_sign_the_same_texts_in_the_same_order_as_the_loader_itself() -> None:
    jobs = _jobs(25)
    with Signing(SIGNERS.__getitem__, workers=0) as inline:
        expected = inline.submit(jobs)()
    with Signing(SIGNERS.__getitem__, workers=2) as pool:
        first, second = pool.submit(jobs[:10]), pool.submit(jobs[10:])
        got = first() + second()
    assert got == expected
    assert [decode(text).payload.certificate.st[1] for text in got] == list(range(25))  # type: ignore[union-attr]


def test_a_key_that_cannot_leave_its_token_is_used_in_the_loader_process() -> None:
    token = {issuer: _TokenSigner(signer) for issuer, signer in SIGNERS.items()}
    jobs = _jobs(4)
    with Signing(token.__getitem__, workers=2) as signing:
        texts = signing.submit(jobs)()
        assert signing._pool is None  # no worker was started
    with Signing(SIGNERS.__getitem__, workers=0) as inline:
        assert texts == inline.submit(jobs)()
