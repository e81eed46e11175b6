"""The SC1 payload: a CWT claims set carrying one certificate (spec section 3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from typing import cast

from opcert.credential.base64url import b64url_encode
from opcert.credential.errors import MalformedCredential

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset
# is exactly Asia/Shanghai for every date SC1 can carry, and an offline
# verifier does not need a time zone database to agree with the platform.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_SHANGHAI_OFFSET_SECONDS = 8 * 3600
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECONDS_PER_DAY = 86400

CWT_ISS = 1
CWT_EXP = 4
CWT_IAT = 6
CWT_CTI = 7
CWT_CERTIFICATE = -65537
CTI_BYTES = 16
SCHEMA_VERSION = 1

_REQUIRED_TEXT = ("typ", "no", "nam", "itn", "aut", "rs", "fst", "vfr", "vto")
_KNOWN_KEYS = frozenset(
    {"v", "typ", "no", "nam", "sex", "cat", "itm", "itn", "fst", "vfr", "vto", "rvd", "aut"}
    | {"rs", "st"}
)


def parse_date(text: str) -> date:
    """A strict `YYYY-MM-DD` date; ValueError for anything else."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return date.fromisoformat(text)


def start_of_day(day: date) -> int:
    """Epoch seconds of 00:00 Asia/Shanghai on `day`."""
    return (day.toordinal() - _UNIX_EPOCH_ORDINAL) * _SECONDS_PER_DAY - _SHANGHAI_OFFSET_SECONDS


def exp_for(vto: date) -> int:
    """The CWT `exp` for a validity end date: 00:00 Asia/Shanghai of the day after `vto`."""
    return start_of_day(vto + timedelta(days=1))


def _malformed(key: str, problem_zh: str, problem_en: str) -> MalformedCredential:
    return MalformedCredential(
        "claims", f"证书字段 {key} {problem_zh}", f"claim {key!r} {problem_en}"
    )


@dataclass(frozen=True, slots=True)
class CertificateClaims:
    """The certificate map of spec section 3 (text keys).

    `extra` holds certificate keys this version does not know; they survive a
    decode/encode round trip and are otherwise ignored, as the spec requires.
    """

    typ: str
    no: str
    nam: str
    sex: int
    itn: str
    fst: str
    vfr: str
    vto: str
    aut: str
    rs: str
    st: tuple[str, int]
    cat: str | None = None
    itm: str | None = None
    rvd: str | None = None
    v: int = SCHEMA_VERSION
    extra: Mapping[str, object] = field(default_factory=dict, hash=False)

    def to_cbor_map(self) -> dict[str, object]:
        """The certificate map in a fixed key order; None optional claims are left out."""
        m: dict[str, object] = {"v": self.v, "typ": self.typ, "no": self.no, "nam": self.nam}
        m["sex"] = self.sex
        if self.cat is not None:
            m["cat"] = self.cat
        if self.itm is not None:
            m["itm"] = self.itm
        m.update(itn=self.itn, fst=self.fst, vfr=self.vfr, vto=self.vto)
        if self.rvd is not None:
            m["rvd"] = self.rvd
        m.update(aut=self.aut, rs=self.rs, st=[self.st[0], self.st[1]])
        for key, value in self.extra.items():
            if key not in _KNOWN_KEYS:
                m[key] = value
        return m

    def to_json(self) -> dict[str, object]:
        """The same keys as `to_cbor_map`, as JSON-ready values (byte strings in base64url)."""
        return {key: _jsonable(value) for key, value in self.to_cbor_map().items()}

    @classmethod
    def from_cbor_map(cls, m: object) -> CertificateClaims:
        """Read the certificate map; MalformedCredential(layer "claims") if it has the wrong shape.

        Required: every key the spec marks required, with its type; `cat` and
        `itm` for `SO`; dates as `YYYY-MM-DD`; `v` equal to 1. Unknown text
        keys go to `extra`; unknown non-text keys are ignored.
        """
        if not isinstance(m, Mapping):
            raise MalformedCredential("claims", "证书内容不是映射", "certificate is not a map")
        if _required_uint(m, "v") != SCHEMA_VERSION:
            raise _malformed("v", "版本不受支持", f"must be {SCHEMA_VERSION}")
        texts = tuple(map(m.get, _REQUIRED_TEXT))
        if set(map(type, texts)) != {str}:  # one pass in C over all nine
            raise _first_missing_text(m)
        typ, no, nam, itn, aut, rs, fst, vfr, vto = cast("tuple[str, ...]", texts)
        cat, itm = _optional_text(m, "cat"), _optional_text(m, "itm")
        if typ == "SO" and (cat is None or itm is None):
            raise _malformed("cat/itm", "缺失（特种作业操作证必填）", "is required for SO")
        rvd = _optional_text(m, "rvd")
        _check_dates(fst, vfr, vto, rvd)
        return cls(
            typ=typ,
            no=no,
            nam=nam,
            sex=_required_uint(m, "sex"),
            itn=itn,
            fst=fst,
            vfr=vfr,
            vto=vto,
            aut=aut,
            rs=rs,
            st=_status_entry(m.get("st")),
            cat=cat,
            itm=itm,
            rvd=rvd,
            extra={k: v for k, v in m.items() if k not in _KNOWN_KEYS and type(k) is str},
        )


def _first_missing_text(m: Mapping[object, object]) -> MalformedCredential:
    for key in _REQUIRED_TEXT:
        _required_text(m, key)
    raise AssertionError("unreachable: a required text claim was expected to be bad")


def _check_dates(*dates: str | None) -> None:
    for name, value in zip(("fst", "vfr", "vto", "rvd"), dates, strict=True):
        if value is None:
            continue
        try:
            parse_date(value)
        except ValueError:
            raise _malformed(name, "不是 YYYY-MM-DD 日期", "is not a YYYY-MM-DD date") from None


def _required_text(m: Mapping[object, object], key: str) -> str:
    value = m.get(key)
    if type(value) is not str:
        raise _malformed(key, "缺失或不是文本", "is missing or not text")
    return value


def _optional_text(m: Mapping[object, object], key: str) -> str | None:
    return _required_text(m, key) if key in m else None


def _required_uint(m: Mapping[object, object], key: object, name: str = "") -> int:
    value = m.get(key)
    if type(value) is not int or value < 0:
        raise _malformed(name or str(key), "缺失或不是非负整数", "is missing or not a uint")
    return value


def _status_entry(value: object) -> tuple[str, int]:
    if isinstance(value, list | tuple) and len(value) == 2:
        list_id, index = value
        if type(list_id) is str and type(index) is int and index >= 0:
            return (list_id, index)
    raise _malformed("st", "缺失或不是 [列表编号, 序号]", "is missing or not [list_id, index]")


def _jsonable(value: object) -> object:
    if isinstance(value, bytes):
        return b64url_encode(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float):
        return value
    return repr(value)


@dataclass(frozen=True, slots=True)
class CredentialPayload:
    """The CWT claims set: iss (1), iat (6), exp (4), cti (7, 16 bytes), certificate (-65537)."""

    iss: str
    iat: int
    exp: int
    cti: bytes
    certificate: CertificateClaims

    def to_cbor_map(self) -> dict[int, object]:
        """The CWT map with integer keys, ready for CBOR encoding."""
        return {
            CWT_ISS: self.iss,
            CWT_IAT: self.iat,
            CWT_EXP: self.exp,
            CWT_CTI: self.cti,
            CWT_CERTIFICATE: self.certificate.to_cbor_map(),
        }

    @classmethod
    def from_cbor_map(cls, m: object) -> CredentialPayload:
        """Read the CWT map; MalformedCredential(layer "claims") if it lacks the SC1 shape.

        Other CWT claims are ignored.
        """
        if not isinstance(m, Mapping):
            raise MalformedCredential("claims", "CWT 不是映射", "the CWT is not a map")
        iss = m.get(CWT_ISS)
        if type(iss) is not str:
            raise _malformed("iss (1)", "缺失或不是文本", "is missing or not text")
        cti = m.get(CWT_CTI)
        if type(cti) is not bytes or len(cti) != CTI_BYTES:
            raise _malformed("cti (7)", "缺失或不是 16 字节", "is missing or not 16 bytes")
        iat, exp = _required_uint(m, CWT_IAT, "iat (6)"), _required_uint(m, CWT_EXP, "exp (4)")
        certificate = CertificateClaims.from_cbor_map(m.get(CWT_CERTIFICATE))
        return cls(iss, iat, exp, cti, certificate)
