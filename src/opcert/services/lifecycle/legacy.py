"""Card-era certificates (PVC / IC cards, before electronic credentials): imported from CSV as
records that the public query shows and that stay valid until their original end date; converted
to electronic certificates (a first SC1 credential) at their next review or renewal.

CSV columns (header row, UTF-8): ``number`` (card number as printed), ``id_number``, ``name``,
``item``, ``first_issued_on``, ``valid_from``, ``valid_to``, ``review_due_on`` (may be empty),
``authority`` (``CN-`` + division).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from opcert.domain.catalogue import CURRENT_CATALOGUE_VERSION, catalogue
from opcert.domain.certificate_states import CertificateState
from opcert.domain.certificates import certificate_number
from opcert.domain.errors import DomainError, FieldError
from opcert.domain.identity import parse_resident_id
from opcert.domain.input_formats import parse_date
from opcert.domain.names import PersonName
from opcert.domain.rules import rule_set_for
from opcert.domain.unsafe_text import check_text
from opcert.persistence.models import Certificate, LegacyCard
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.kernel import ledger
from opcert.services.kernel.context import ServiceContext

COLUMNS = (
    "number",
    "id_number",
    "name",
    "item",
    "first_issued_on",
    "valid_from",
    "valid_to",
    "review_due_on",
    "authority",
)


@dataclass
class LegacyImport:
    imported: int = 0
    skipped: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)


def import_legacy_csv(
    ctx: ServiceContext, text: str, *, source: str = "csv", actor: str = "cli:operator"
) -> LegacyImport:
    """Import every valid row; rows with problems are reported (line, field, message) and
    skipped, rows already on the platform (same ID and item) are skipped. One transaction."""
    result = LegacyImport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FieldError("file", "COLUMNS", f"缺少列：{', '.join(missing)}", f"missing: {missing}")
    with ctx.uow() as uow:
        uow.begin_write()
        now = ctx.now()
        for line, raw in enumerate(reader, start=2):
            try:
                row, card = _parse(uow, ctx, raw, now, source)
            except DomainError as error:
                result.errors.append({"line": line, **error.to_dict()})
                continue
            if uow.certificates.get(row.number, row.item_code) is not None:
                result.skipped += 1
                continue
            uow.certificates.add(row)
            card.certificate_id = row.id
            uow.lifecycle.add(card)
            result.imported += 1
        ledger.append(
            uow,
            [
                ledger.LedgerEvent(
                    now, actor, "legacy.imported", f"legacy:{source}", {"rows": result.imported}
                )
            ],
        )
        uow.commit()
    return result


def _parse(
    uow: UnitOfWork, ctx: ServiceContext, given: dict[str, str], now: datetime, source: str
) -> tuple[Certificate, LegacyCard]:
    # A short row leaves None in its missing columns; every cell passes the unsafe-text rule.
    raw = {key: check_text(given.get(key) or "", key) for key in COLUMNS}
    person = parse_resident_id(raw["id_number"], today=ctx.today())
    item = catalogue(CURRENT_CATALOGUE_VERSION).item(raw["item"].strip())
    authority = uow.registry.authority(raw["authority"].strip())
    if authority is None:
        raise FieldError("authority", "AUTHORITY_UNKNOWN", "发证机关不存在", "unknown authority")
    first, start, end = (_date(raw, k) for k in ("first_issued_on", "valid_from", "valid_to"))
    due = _date(raw, "review_due_on") if raw["review_due_on"].strip() else None
    if end < start:
        raise FieldError("valid_to", "DATES", "有效期止早于有效期起", "valid_to before valid_from")
    row = Certificate(
        number=certificate_number(person.number, "SO"),
        typ="SO",
        id_number=person.number,
        name=PersonName.parse(raw["name"], "name").text,
        sex=int(person.sex),
        category_code=item.category_code,
        item_code=item.code,
        item_name=item.name_zh,
        catalogue_version=CURRENT_CATALOGUE_VERSION,
        rule_set=rule_set_for(start).id.value,
        authority_code=authority.code,
        first_issued_on=first,
        valid_from=start,
        valid_to=end,
        review_due_on=due,
        reviewed_on=None,
        state=CertificateState.ACTIVE.value,
        issued_at=now,
    )
    card = LegacyCard(card_number=raw["number"].strip()[:32], source=source[:200], imported_at=now)
    return row, card


def _date(raw: dict[str, str], key: str) -> date:
    return parse_date(raw.get(key), key)


def convert_if_legacy(uow: UnitOfWork, row: Certificate, now: datetime) -> bool:
    """Mark a card-era record converted (its caller then issues the first credential)."""
    card = uow.lifecycle.legacy_card(row.id)
    if card is None or card.converted_at is not None:
        return False
    card.converted_at = now
    return True
