"""Whether the certificate claims of an SC1 credential agree with the rules (spec section 3).

The credential package checks the claims' shape (types, `YYYY-MM-DD`); this checks their meaning,
the way the platform itself issues them:

- `no` is `T` (SO) or `A` (SM) followed by a resident ID number that passes GB 11643 (check
  digit, province, real birth date), and the holder is 18 or older on `fst`;
- `sex` is the one the ID number encodes;
- `rs` is the rule set in force on `vfr`, the day this validity started (ORDER30 to 2026-05-31,
  MEM19 from 2026-06-01);
- `vto` is `vfr` plus the validity of the certificate type (SO: the rule set's 6 years; SM: 3);
- `rvd` only where the rule set has reviews (ORDER30, SO), and then on a review date of this
  validity (every 3 years, or 6 for the Art. 21 extension); never under MEM19, never for SM;
  a certificate whose review has been made or is no longer needed carries none;
- `fst` is not after `vfr`; SO names an item of the catalogue by code, category and name; SM has
  no `cat` or `itm`, and its `itn` is a personnel type and an industry;
- the CWT's `exp`, when given, is 00:00 Beijing time of the day after `vto`.

Plain values in: the published test vectors and the verification benchmark are held to these
rules without the domain knowing anything of CBOR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from opcert.domain import safety_manager
from opcert.domain.catalogue import catalogue
from opcert.domain.certificates import NUMBER_PREFIXES, certificate_number, exp_instant
from opcert.domain.errors import DomainError, FieldError
from opcert.domain.identity import ResidentId, parse_resident_id
from opcert.domain.periods import add_years
from opcert.domain.retirement import MINIMUM_WORKING_AGE, age_on
from opcert.domain.reviews import SM_VALIDITY_YEARS
from opcert.domain.rules import RuleSet, rule_set, rule_set_for

__all__ = ["claim_errors"]

_TEXT_CLAIMS = ("typ", "no", "itn", "fst", "vfr", "vto", "rs")
_CLAIM_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_SM_ITEM_NAMES = frozenset(
    safety_manager.item_name(personnel, industry)
    for personnel in safety_manager.PERSONNEL_TYPES
    for industry in safety_manager.INDUSTRIES
)


@dataclass(frozen=True)
class _Dates:
    fst: date
    vfr: date
    vto: date
    rvd: date | None


def claim_errors(certificate: Mapping[str, object], *, exp: int | None = None) -> list[FieldError]:
    """Every way `certificate` (the text-keyed certificate map of spec section 3) breaks the
    rules above, each a `FieldError` on the claim at fault; empty when it agrees with them.

    `exp`, when given, is the CWT's `exp` in epoch seconds. Never raises on a map of any shape:
    a missing or ill-typed claim is one error in the list, and the checks that need it are
    skipped.
    """
    missing = [_missing(key) for key in _TEXT_CLAIMS if type(certificate.get(key)) is not str]
    if missing:
        return missing
    typ = str(certificate["typ"])
    if typ not in ("SO", "SM"):
        return [
            _error(
                "typ", "CLAIM_TYPE", f"证书类型 {typ!r} 不是 SO 或 SM", f"{typ!r} is not SO or SM"
            )
        ]
    dates, errors = _dates(certificate)
    if dates is None:
        return errors
    errors += _number_errors(typ, str(certificate["no"]), certificate.get("sex"), dates.fst)
    rules, rule_errors = _rules(str(certificate["rs"]), dates.vfr)
    errors += rule_errors
    errors += _validity_errors(typ, rules, dates)
    errors += _review_errors(typ, rules, dates)
    errors += _item_errors(typ, certificate)
    if exp is not None and exp != int(exp_instant(dates.vto).timestamp()):
        errors.append(
            _error(
                "exp",
                "CLAIM_EXP",
                "exp 不是 vto 次日 0 时（北京时间）",
                "exp is not 00:00 Beijing time after vto",
            )
        )
    return errors


def _error(claim: str, code: str, zh: str, en: str) -> FieldError:
    return FieldError(claim, code, f"证书字段 {claim}：{zh}", f"claim {claim}: {en}")


def _missing(claim: str) -> FieldError:
    return _error(claim, "CLAIM_MISSING", "缺失或不是文本", "is missing or not text")


def _claim_date(certificate: Mapping[str, object], claim: str) -> date:
    text = certificate[claim]
    if isinstance(text, str) and _CLAIM_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _error(claim, "CLAIM_DATE", "不是 YYYY-MM-DD 日期", "is not a YYYY-MM-DD date")


def _dates(certificate: Mapping[str, object]) -> tuple[_Dates | None, list[FieldError]]:
    errors: list[FieldError] = []
    found: dict[str, date | None] = {"rvd": None}
    for claim in ("fst", "vfr", "vto", "rvd"):
        if claim not in certificate:
            continue
        try:
            found[claim] = _claim_date(certificate, claim)
        except FieldError as error:
            errors.append(error)
    if errors:
        return None, errors
    fst, vfr, vto = found.get("fst"), found.get("vfr"), found.get("vto")
    if fst is None or vfr is None or vto is None:  # required text claims, checked before
        return None, [_missing(c) for c in ("fst", "vfr", "vto") if found.get(c) is None]
    if fst > vfr:
        errors.append(_error("fst", "CLAIM_FIRST_ISSUE", "晚于 vfr", "is after vfr"))
    return _Dates(fst, vfr, vto, found["rvd"]), errors


def _number_errors(typ: str, number: str, sex: object, fst: date) -> list[FieldError]:
    """`no` is the type's prefix and a valid ID number; `sex` is the ID's; 18 or older on `fst`."""
    try:
        resident = parse_resident_id(number[1:], today=fst, field="no")
    except FieldError as error:
        return [error]
    errors = []
    if number != _certificate_number(typ, resident):
        prefix = NUMBER_PREFIXES[typ]
        errors.append(
            _error(
                "no",
                "CLAIM_NUMBER",
                f"应为 {prefix} 加身份证号码",
                f"must be {prefix} and the ID number",
            )
        )
    if type(sex) is not int or sex != int(resident.sex):
        errors.append(
            _error(
                "sex",
                "CLAIM_SEX",
                "与身份证号码的性别不符",
                "differs from the sex in the ID number",
            )
        )
    if age_on(resident.birth_date, fst) < MINIMUM_WORKING_AGE:
        errors.append(
            _error("fst", "CLAIM_UNDER_18", "持证人当日未满18周岁", "the holder was under 18")
        )
    return errors


def _certificate_number(typ: str, resident: ResidentId) -> str:
    return certificate_number(resident.number, typ, field="no")


def _rules(rs: str, vfr: date) -> tuple[RuleSet | None, list[FieldError]]:
    """The rule set `rs` names, and an error unless it is the one in force on `vfr`."""
    try:
        rules = rule_set(rs)
    except DomainError:
        return None, [_error("rs", "CLAIM_RULE_SET", f"没有规则集 {rs!r}", f"no rule set {rs!r}")]
    in_force = rule_set_for(vfr)
    if rules.id != in_force.id:
        return rules, [
            _error(
                "rs",
                "CLAIM_RULE_SET_DATE",
                f"{vfr.isoformat()} 起算的证书适用 {in_force.id.value}，不是 {rs}",
                f"a validity starting {vfr.isoformat()} is under {in_force.id.value}, not {rs}",
            )
        ]
    return rules, []


def _validity_errors(typ: str, rules: RuleSet | None, dates: _Dates) -> list[FieldError]:
    if typ == "SM":
        years = SM_VALIDITY_YEARS
    elif rules is not None:
        years = rules.validity_years
    else:
        return []  # no rule set, no validity to compare with: `rs` is already reported
    if dates.vto == add_years(dates.vfr, years):
        return []
    return [
        _error(
            "vto",
            "CLAIM_VALIDITY",
            f"应为 vfr 后 {years} 年（{add_years(dates.vfr, years).isoformat()}）",
            f"must be {years} years after vfr ({add_years(dates.vfr, years).isoformat()})",
        )
    ]


def _review_errors(typ: str, rules: RuleSet | None, dates: _Dates) -> list[FieldError]:
    """`rvd` only under a rule set with reviews, for SO, on a review date of this validity."""
    if dates.rvd is None or rules is None:
        return []
    if typ == "SM" or rules.review_interval_years is None:
        why_zh = "安全合格证不复审" if typ == "SM" else f"{rules.id.value} 不要求复审"
        why_en = (
            "SM certificates have no review" if typ == "SM" else f"{rules.id.value} has no review"
        )
        return [_error("rvd", "CLAIM_REVIEW_NOT_IN_RULES", why_zh, why_en)]
    intervals = {rules.review_interval_years, rules.extended_review_interval_years}
    due_dates = {
        add_years(dates.vfr, years)
        for interval in intervals
        if interval is not None
        for years in range(interval, rules.validity_years + 1, interval)
    }
    if dates.rvd in due_dates:
        return []
    shown = ", ".join(sorted(d.isoformat() for d in due_dates))
    return [_error("rvd", "CLAIM_REVIEW_DATE", f"应为 {shown} 之一", f"must be one of {shown}")]


def _item_errors(typ: str, certificate: Mapping[str, object]) -> list[FieldError]:
    cat, itm, itn = certificate.get("cat"), certificate.get("itm"), certificate["itn"]
    if typ == "SM":
        errors = [
            _error(
                claim,
                "CLAIM_NOT_FOR_SM",
                "安全合格证不含此字段",
                "is not part of an SM certificate",
            )
            for claim in ("cat", "itm")
            if claim in certificate
        ]
        if itn not in _SM_ITEM_NAMES:
            errors.append(
                _error(
                    "itn",
                    "CLAIM_ITEM",
                    "不是人员类型（行业类别）",
                    "is not a personnel type (industry)",
                )
            )
        return errors
    if type(cat) is not str or type(itm) is not str:
        return [
            _missing(claim) for claim in ("cat", "itm") if type(certificate.get(claim)) is not str
        ]
    try:
        item = catalogue().item(itm, field="itm")
    except DomainError:
        return [_error("itm", "CLAIM_ITEM", "不在操作项目目录中", "is not in the catalogue")]
    if (item.category_code, item.name_zh) != (cat, itn):
        return [
            _error(
                "itm",
                "CLAIM_ITEM",
                f"目录中为 {item.category_code} / {item.name_zh}",
                f"the catalogue has {item.category_code} / {item.name_zh}",
            )
        ]
    return []
