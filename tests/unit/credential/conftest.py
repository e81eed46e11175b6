from __future__ import annotations

import pytest

from opcert.credential.keys import ALG_EDDSA, ALG_ES256, SoftwareSigner

from .builders import make_signer


@pytest.fixture(scope="session")
def signer() -> SoftwareSigner:
    return make_signer(ALG_EDDSA)


@pytest.fixture(scope="session")
def es256_signer() -> SoftwareSigner:
    return make_signer(ALG_ES256)


@pytest.fixture(scope="session")
def root() -> SoftwareSigner:
    return make_signer(ALG_EDDSA)
