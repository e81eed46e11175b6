"""Certificates, credential versions, status lists and bans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, select, update
from sqlalchemy.orm import Session

from opcert.domain.names import MIDDLE_DOT
from opcert.persistence.models import (
    Authority,
    Ban,
    Certificate,
    CredentialVersion,
    LegacyCard,
    StatusListBitsRow,
    StatusListRow,
)
from opcert.persistence.repositories.bulk import bulk_insert, reserve_ids
from opcert.persistence.repositories.lifecycle import review_pending


class NewCertificate(NamedTuple):
    """A certificate issued for the first time: its row, less the id and the current version,
    which minting gives it. The field names are the ``certificates`` columns."""

    number: str
    typ: str
    id_number: str
    name: str
    sex: int
    category_code: str | None
    item_code: str
    item_name: str
    catalogue_version: str
    rule_set: str
    authority_code: str
    first_issued_on: date
    valid_from: date
    valid_to: date
    review_due_on: date | None
    application_id: str | None
    issued_at: datetime
    reviewed_on: date | None = None
    state: str = "active"


# What an issue on an existing certificate (a new exam after expiry or revocation) sets again.
REISSUED = (
    "name", "sex", "category_code", "item_name", "catalogue_version", "rule_set",
    "authority_code", "valid_from", "valid_to", "review_due_on", "reviewed_on", "state",
    "application_id", "issued_at",
)  # fmt: skip


class NewVersion(NamedTuple):
    """A signed credential version, in force; the field names are the columns."""

    id: int
    certificate_id: int
    version: int
    cti: str
    kid: str
    issuer: str
    iat: int
    sc1: str
    list_id: str
    list_index: int
    created_at: datetime


def _public_view() -> Select[Certificate, bool, bool, str]:
    # Built once: constructing this statement costs more than running it (~1 ms a query).
    legacy = (
        exists()
        .where(LegacyCard.certificate_id == Certificate.id, LegacyCard.converted_at.is_(None))
        .correlate(Certificate)
    )
    return (
        select(Certificate, review_pending(), legacy, Authority.name)
        .outerjoin(Authority, Authority.code == Certificate.authority_code)
        .where(Certificate.id_number == bindparam("id_number"))
        .order_by(Certificate.item_code)
    )


def same_name(name: object) -> ColumnElement[bool]:
    """The certificate's name is ``name`` (a normalised ``PersonName.text``) but for its middle
    dots (``domain.names.name_key``): 阿依古丽买买提 finds 阿依古丽·买买提. Every query that has
    one asks by ID number first, so the name's index is not needed."""
    return func.replace(Certificate.name, MIDDLE_DOT, "") == func.replace(name, MIDDLE_DOT, "")


_PUBLIC_VIEW = _public_view()
_PUBLIC_VIEW_NAMED = _PUBLIC_VIEW.where(same_name(bindparam("name")))
_RECORD = (
    select(CredentialVersion, Certificate, review_pending(), Authority)
    .join(Certificate, Certificate.id == CredentialVersion.certificate_id)
    .outerjoin(Authority, Authority.code == Certificate.authority_code)
    .where(CredentialVersion.cti == bindparam("cti"))
)


class CredentialRecord(NamedTuple):
    """What the platform holds about one signed credential version, to compare it with."""

    version: CredentialVersion
    certificate: Certificate
    review_pending: bool
    authority: Authority | None


class CertificateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    # writes of minting (services.issuance.minting) -------------------------------------------
    def insert_certificates(
        self, rows: Sequence[NewCertificate], current_version_ids: Sequence[int]
    ) -> list[int]:
        """Insert first-issued certificates, each pointing at its (reserved) current version, in
        one multi-row insert; returns their ids in order."""
        table = Certificate.__table__
        ids = reserve_ids(self.session, table, len(rows))  # type: ignore[arg-type]
        values = [
            {
                **row._asdict(),
                "id": new_id,
                "current_version_id": version_id,
                "state_reason": None,
                "state_changed_at": None,
            }
            for row, new_id, version_id in zip(rows, ids, current_version_ids, strict=True)
        ]
        bulk_insert(self.session, table, values)  # type: ignore[arg-type]
        return ids

    def reissue(self, row: Certificate, terms: NewCertificate) -> None:
        """Issue ``row`` again on new terms: holder, printed item, validity, issuing authority;
        its state back to active. Number, item and first issue date stay."""
        for key in REISSUED:
            setattr(row, key, getattr(terms, key))
        row.state_reason = row.state_changed_at = None

    def reserve_version_ids(self, count: int) -> list[int]:
        return reserve_ids(self.session, CredentialVersion.__table__, count)  # type: ignore[arg-type]

    def insert_versions(self, rows: Sequence[NewVersion]) -> None:
        """Insert credential versions with reserved ids, every entry in force (0)."""
        values = [{**row._asdict(), "status_value": 0} for row in rows]
        bulk_insert(self.session, CredentialVersion.__table__, values)  # type: ignore[arg-type]

    def by_pairs(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Certificate]:
        """Certificates keyed by (id_number, item_code)."""
        wanted = set(pairs)
        if not wanted:
            return {}
        # By ID number only, then filtered here: a row-value IN list cannot be hashed or use the
        # index on PostgreSQL and is compared row by row; a person holds few certificates.
        numbers = sorted({number for number, _ in wanted})
        query = select(Certificate).where(Certificate.id_number.in_(numbers))
        return {
            (row.id_number, row.item_code): row
            for row in self.session.scalars(query)
            if (row.id_number, row.item_code) in wanted
        }

    def get(self, number: str, item_code: str, *, lock: bool = False) -> Certificate | None:
        query = select(Certificate).where(
            Certificate.number == number, Certificate.item_code == item_code
        )
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def by_id(self, certificate_id: int) -> Certificate | None:
        return self.session.get(Certificate, certificate_id)

    def of_person(self, id_number: str, name: str | None = None) -> Sequence[Certificate]:
        query = select(Certificate).where(Certificate.id_number == id_number)
        if name is not None:
            query = query.where(same_name(name))
        return self.session.scalars(query.order_by(Certificate.item_code)).all()

    def public_view(
        self, id_number: str, name: str | None = None
    ) -> list[tuple[Certificate, bool, bool, str | None]]:
        """What the public query and the holder's own page show, in one round trip: each
        certificate of this person (and name, when given) with whether a review application is
        pending for its due review, whether it is a card-era record not yet converted, and its
        authority's name."""
        if name is None:
            rows = self.session.execute(_PUBLIC_VIEW, {"id_number": id_number})
        else:
            rows = self.session.execute(_PUBLIC_VIEW_NAMED, {"id_number": id_number, "name": name})
        return [(c, bool(p), bool(g), a) for c, p, g, a in rows]

    def search(
        self, text: str, authority_prefix: str = "", limit: int = 50, offset: int = 0
    ) -> Sequence[Certificate]:
        """Certificates whose ID number or certificate number is ``text`` or whose name starts
        with it, and whose authority code starts with ``authority_prefix``; newest first (by id,
        a stable order for paging)."""
        query = select(Certificate)
        if text:
            query = query.where(
                (Certificate.id_number == text.upper())
                | (Certificate.number == text.upper())
                | self._name_starts(text)
            )
        if authority_prefix:
            query = query.where(
                Certificate.authority_code.startswith(authority_prefix, autoescape=True)
            )
        query = query.order_by(Certificate.id.desc()).limit(limit).offset(offset)
        return self.session.scalars(query).all()

    def _name_starts(self, text: str) -> ColumnElement[bool]:
        starts = Certificate.name.startswith(text, autoescape=True)
        if self.session.get_bind().dialect.name != "sqlite":
            return starts  # PostgreSQL: LIKE 'x%' on the varchar_pattern_ops index (0013)
        # SQLite's LIKE ignores case and so cannot use a binary index: the same prefix as a range
        # of UTF-8 byte strings can, and LIKE then keeps exactly the matches.
        return and_(Certificate.name >= text, Certificate.name < text + "\U0010ffff", starts)

    def bans(self, id_numbers: Iterable[str], on: date) -> dict[str, Ban]:
        query = select(Ban).where(Ban.id_number.in_(list(id_numbers)), Ban.until_on >= on)
        found: dict[str, Ban] = {}
        for ban in self.session.scalars(query.order_by(Ban.until_on)):
            found[ban.id_number] = ban
        return found

    # credential versions
    def version(self, version_id: int) -> CredentialVersion | None:
        return self.session.get(CredentialVersion, version_id)

    def record_of(self, cti_hex: str) -> CredentialRecord | None:
        """The credential version with this ``cti``, its certificate as it stands now, whether a
        review application is pending and the issuing authority, in one round trip; None when
        the platform never issued it."""
        row = self.session.execute(_RECORD, {"cti": cti_hex}).first()
        return None if row is None else CredentialRecord(row[0], row[1], bool(row[2]), row[3])

    def versions_signed_by(self, kid: str, since_iat: int) -> Sequence[CredentialVersion]:
        query = select(CredentialVersion).where(
            CredentialVersion.kid == kid, CredentialVersion.iat >= since_iat
        )
        return self.session.scalars(query).all()

    # status lists
    def status_lists(self, issuer: str, *, lock: bool = False) -> Sequence[StatusListRow]:
        query = select(StatusListRow).where(StatusListRow.issuer == issuer)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.order_by(StatusListRow.list_id)).all()

    def status_list(self, list_id: str) -> StatusListRow | None:
        return self.session.get(StatusListRow, list_id)

    def all_status_lists(self) -> Sequence[StatusListRow]:
        return self.session.scalars(select(StatusListRow).order_by(StatusListRow.list_id)).all()

    def used_indexes(self, list_id: str) -> set[int]:
        query = select(CredentialVersion.list_index).where(CredentialVersion.list_id == list_id)
        return set(self.session.scalars(query))

    def status_entries(self, list_id: str) -> list[tuple[int, int]]:
        """Non-zero entries of a list; zero is the default and is not read."""
        query = select(CredentialVersion.list_index, CredentialVersion.status_value).where(
            CredentialVersion.list_id == list_id, CredentialVersion.status_value != 0
        )
        return [(int(i), int(v)) for i, v in self.session.execute(query)]

    def set_status(self, version: CredentialVersion, value: int, now: datetime) -> int:
        """Set the entry and move its list's revision; returns the new revision."""
        version.status_value = value
        revision = self.session.execute(
            update(StatusListRow)
            .where(StatusListRow.list_id == version.list_id)
            .values(revision=StatusListRow.revision + 1, updated_at=now)
            .returning(StatusListRow.revision)
        ).scalar_one()
        self.session.flush()
        return int(revision)

    # persisted bits (decision 0011) ----------------------------------------------------------
    def stored_bits(self, list_id: str) -> StatusListBitsRow | None:
        return self.session.get(StatusListBitsRow, list_id)

    def locked_status_list(self, list_id: str) -> StatusListRow | None:
        """The list's row, locked until commit on PostgreSQL: a status change of the list waits,
        so bits built for a revision are never stored over a later one."""
        query = select(StatusListRow).where(StatusListRow.list_id == list_id).with_for_update()
        return self.session.scalars(query).first()

    def store_bits(
        self, list_id: str, revision: int, cutoff: date, bits: str, now: datetime
    ) -> None:
        row = self.session.get(StatusListBitsRow, list_id)
        if row is None:
            row = StatusListBitsRow(list_id=list_id)
            self.session.add(row)
        row.revision, row.lapse_cutoff, row.bits, row.built_at = revision, cutoff, bits, now
        self.session.flush()
