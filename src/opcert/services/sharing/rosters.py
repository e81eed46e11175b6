"""An employer's roster (花名册): the workers whose events an employer subscriber receives.

An employer (a subscriber registered with its unified social credit code) uploads the roster as
a CSV or .xlsx file with the columns ``id_number,name,item`` (the Chinese headers the results
sheets take are read too; ``item`` may be left empty for every item of the worker). Every row is
checked before anything is written: the ID number with its check digit, the name under the one
rule, the item against the catalogue; an error names the row (its line in the file) and the
field, and a roster with any error replaces nothing. A good roster replaces the previous one
whole, in one transaction, with a ledger entry that counts the workers and fingerprints the list
(the ledger holds no ID number or name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from opcert.domain.catalogue import catalogue
from opcert.domain.errors import Conflict, FieldError, NotFound, ValidationFailed
from opcert.domain.identity import parse_resident_id
from opcert.domain.names import PersonName
from opcert.persistence.models import RosterWorker
from opcert.services.intake.files import read_rows
from opcert.services.intake.sheets import line_of
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext

FORMATS = (".csv", ".xlsx")
COLUMNS = ("id_number", "name", "item")


@dataclass(frozen=True)
class Worker:
    id_number: str
    name: str
    item: str  # "" for every item


@dataclass(frozen=True)
class Replaced:
    code: str
    workers: int
    previous: int
    fingerprint: str


def read_roster(name: str, data: bytes) -> list[Any]:
    """The rows of a roster file (CSV or .xlsx), read under the upload limits like a results
    sheet; ``FieldError`` on ``file`` for another kind of file or one that cannot be read."""
    if Path(name).suffix.lower() not in FORMATS:
        raise FieldError(
            "file",
            "FILE_TYPE",
            "名册须为 .csv 或 .xlsx 文件（列：id_number,name,item）",
            "a roster must be a .csv or .xlsx file (columns id_number,name,item)",
        )
    return read_rows(name, data)


def check_rows(rows: Sequence[Any], today: date) -> list[Worker]:
    """Every row checked; ``ValidationFailed`` with one error per fault, each naming the row
    (``row N <field>``, N the line of the file) when any row is at fault."""
    if not rows:
        raise FieldError("file", "ROSTER_EMPTY", "名册中没有任何人员", "the roster has no rows")
    first = rows[0] if isinstance(rows[0], dict) else {}
    missing = [column for column in COLUMNS[:2] if column not in first]
    if missing:
        raise FieldError(
            "file",
            "COLUMN_MISSING",
            f"名册缺少列：{'、'.join(missing)}（须有 id_number,name，可有 item）",
            f"the roster lacks the column(s) {', '.join(missing)} (id_number,name[,item])",
        )
    errors: list[FieldError] = []
    workers: list[Worker] = []
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(rows):
        line = line_of(row, index)
        worker = _worker(row if isinstance(row, dict) else {}, line, today, errors)
        if worker is None:
            continue
        key = (worker.id_number, worker.item)
        if key in seen:
            errors.append(
                FieldError(
                    f"row {line} id_number",
                    "ROSTER_DUPLICATE",
                    f"第 {line} 行 id_number：与第 {seen[key]} 行是同一人员、同一项目",
                    f"row {line} id_number: repeats row {seen[key]} (same worker and item)",
                )
            )
            continue
        seen[key] = line
        workers.append(worker)
    if errors:
        raise ValidationFailed(errors)
    return workers


def _worker(row: dict[str, Any], line: int, today: date, errors: list[FieldError]) -> Worker | None:
    def id_number(value: object) -> str:
        return parse_resident_id(_text(value), today=today, field="id_number").number

    def name(value: object) -> str:
        return PersonName.parse(value, "name").text

    def item(value: object) -> str:
        return catalogue().item(_text(value), field="item").code if _text(value) else ""

    found: dict[str, str] = {}
    checks: tuple[tuple[str, Callable[[object], str]], ...] = (
        ("id_number", id_number),
        ("name", name),
        ("item", item),
    )
    for field, check in checks:
        try:
            found[field] = check(row.get(field))
        except FieldError as error:
            errors.append(
                FieldError(
                    f"row {line} {field}",
                    error.code,
                    f"第 {line} 行 {field}：{error.message_zh}",
                    f"row {line} {field}: {error.message_en}",
                )
            )
    if len(found) < len(checks):
        return None
    return Worker(found["id_number"], found["name"], found["item"])


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def fingerprint(workers: Sequence[Worker]) -> str:
    """SHA-256 of the roster's lines in a fixed order: the ledger proves which list it was."""
    lines = sorted(f"{w.id_number},{w.name},{w.item}" for w in workers)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def replace_roster(ctx: ServiceContext, code: str, rows: Sequence[Any], actor: str) -> Replaced:
    """Replace the roster of the employer subscriber ``code`` with ``rows`` (as read from the
    file). ``ValidationFailed`` naming each bad row and field; ``NotFound`` for an unknown
    subscriber; ``Conflict`` (``NOT_AN_EMPLOYER``) for one registered without a credit code."""
    workers = check_rows(rows, ctx.today())
    now = ctx.now()
    with ctx.uow() as uow:
        uow.begin_write()
        subscriber = uow.sharing.subscriber(code, lock=True)
        if subscriber is None:
            raise NotFound(
                "SUBSCRIBER_NOT_FOUND", f"没有代码为 {code} 的订阅方", f"no subscriber {code}"
            )
        if not subscriber.uscc:
            raise Conflict(
                "NOT_AN_EMPLOYER",
                f"订阅方 {code} 不是用人单位（登记时未提供统一社会信用代码），不能上传花名册",
                f"subscriber {code} is not an employer (registered without --uscc): it has no "
                "roster",
                field="code",
            )
        previous = len(uow.sharing.roster(subscriber.id))
        uow.sharing.replace_roster(
            subscriber.id,
            [
                RosterWorker(
                    subscriber_id=subscriber.id, id_number=w.id_number, name=w.name,
                    item_code=w.item, created_at=now,
                )
                for w in workers
            ],
        )  # fmt: skip
        digest = fingerprint(workers)
        data = {"workers": len(workers), "previous": previous, "sha256": digest}
        entry = ledger.LedgerEvent(
            now, actor, "subscriber.roster_replaced", f"subscriber:{code}", data
        )
        ledger.append(uow, [entry])
        uow.commit()
    return Replaced(code, len(workers), previous, digest)
