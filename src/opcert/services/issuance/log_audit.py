"""``opcert log audit``: is the transparency log whole, and does it match the records?

The log itself:
- every entry's leaf hash is the hash of its data, indexes run 0..n-1, and the tree rebuilt from
  the entries has the root the stored tiles give;
- every stored checkpoint is signed by the root or a ``CN-LOG`` key under the log's origin, and
  is consistent with the current tree (an RFC 6962 consistency proof from its size), so no
  published head was rewritten or cut.

The log against the records:
- every credential version (and every certificate's current one) is logged, with the same bytes;
- every logged credential has a stored version and certificate;
- every certificate rests on a passed exam result (legacy conversions excepted);
- every credential's ``iat`` lies within its signing key's validity: from ``nbf`` to retirement
  or revocation.

A credential signed with a copied issuer key and slipped into the database shows up twice: not
logged, and (if the thief had no result to point at) without a passed exam result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from opcert.credential.errors import MalformedCredential
from opcert.credential.keys import PublicKey, public_key_from_jwk
from opcert.credential.tlog import TlogError, leaf_data_of, open_checkpoint
from opcert.credential.tlog_merkle import (
    EMPTY_ROOT,
    consistency_proof,
    leaf_hash,
    node_hash,
    verify_consistency,
)
from opcert.credential.tlog_tiles import TileSubtrees
from opcert.persistence.unit_of_work import UnitOfWork
from opcert.services.issuance.log import LOG_ISSUER, StoredTiles, origin, root_at
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.keystore import ROOT_ISSUER


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    detail: str


@dataclass
class AuditReport:
    entries: int = 0
    checkpoints: int = 0
    credentials: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "credentials": self.credentials,
            "findings": [asdict(f) for f in self.findings],
        }


def audit(ctx: ServiceContext) -> AuditReport:
    """Check the log and reconcile it with the database; read only."""
    report = AuditReport()
    with ctx.uow() as uow:
        root = _check_entries(uow, report)
        _check_checkpoints(uow, ctx, report, root)
        _reconcile(uow, report)
    return report


def _check_entries(uow: UnitOfWork, report: AuditReport) -> bytes | None:
    """Rebuild the root from the entries (a stack of perfect subtrees, O(log n) memory) and
    compare it with the tiles. The root, or None when the log cannot be trusted."""
    stack: list[tuple[int, bytes]] = []
    expected = 0
    for index, cti, stored_hash, data in uow.log.stream_entries():
        if index != expected:
            report.findings.append(Finding("log_gap", f"entry {expected}", f"next is {index}"))
            return None
        if leaf_hash(data) != stored_hash:
            report.findings.append(Finding("log_entry_altered", f"entry {index}", cti))
        expected += 1
        stack.append((0, leaf_hash(data)))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (height, right), (_, left) = stack.pop(), stack.pop()
            stack.append((height + 1, node_hash(left, right)))
    report.entries = expected
    size = uow.log.size()
    if size != expected:
        report.findings.append(Finding("log_head", "log_head", f"{size} != {expected} entries"))
        return None
    rebuilt = EMPTY_ROOT
    if stack:
        rebuilt = stack[-1][1]
        for _, left in reversed(stack[:-1]):
            rebuilt = node_hash(left, rebuilt)
    try:
        tiled = root_at(uow, size)
    except KeyError as exc:
        report.findings.append(Finding("log_tiles", "log_tiles", f"missing tile {exc}"))
        return None
    if tiled != rebuilt:
        report.findings.append(Finding("log_tiles", "log_tiles", "tiles disagree with entries"))
        return None
    return rebuilt


def _trusted(uow: UnitOfWork) -> list[PublicKey]:
    rows = [row for row in uow.keys.all() if row.issuer in (ROOT_ISSUER, LOG_ISSUER)]
    return [public_key_from_jwk(row.public_jwk) for row in rows]


def _check_checkpoints(
    uow: UnitOfWork, ctx: ServiceContext, report: AuditReport, root: bytes | None
) -> None:
    trusted, name, size = _trusted(uow), origin(ctx.base_url), uow.log.size()
    tiles = TileSubtrees(StoredTiles(uow))
    for row in uow.log.checkpoints():
        report.checkpoints += 1
        subject = f"checkpoint {row.id} (size {row.size})"
        try:
            checkpoint = open_checkpoint(row.note, trusted, name)
        except TlogError as exc:
            report.findings.append(Finding("checkpoint_invalid", subject, str(exc)))
            continue
        if (checkpoint.size, checkpoint.root) != (row.size, row.root):
            report.findings.append(Finding("checkpoint_invalid", subject, "columns != note"))
        if root is None:
            continue
        if checkpoint.size > size:
            report.findings.append(Finding("checkpoint_inconsistent", subject, "beyond the log"))
            continue
        proof = consistency_proof(checkpoint.size, size, tiles)
        if not verify_consistency(checkpoint.size, size, proof, checkpoint.root, root):
            report.findings.append(
                Finding("checkpoint_inconsistent", subject, "the log no longer extends it")
            )


def _reconcile(uow: UnitOfWork, report: AuditReport) -> None:
    add = report.findings.append
    for number, item in uow.log.certificates_without_credential():
        add(Finding("certificate_not_logged", f"{number}/{item}", "no stored credential"))
    for row in uow.log.versions_against_log():
        report.credentials += 1
        subject = f"{row.number}/{row.item_code} cti {row.cti}"
        if row.number is None:
            add(Finding("credential_without_certificate", f"cti {row.cti}", "no certificate"))
        if row.leaf_hash is None:
            add(Finding("certificate_not_logged", subject, "its credential is not in the log"))
        elif _leaf_hash_of(row.sc1) != row.leaf_hash:
            add(Finding("logged_credential_differs", subject, "stored text != logged bytes"))
        problem = _outside_key(row.iat, row.key_known, row.nbf_at, row.retired_at, row.revoked_at)
        if problem:
            add(Finding("iat_outside_key_validity", subject, problem))
    for index, cti in uow.log.entries_without_certificate():
        add(Finding("logged_without_certificate", f"entry {index}", f"cti {cti}"))
    for number, item, passed in uow.log.certificates_without_passed_result():
        kind = "exam_result_missing" if passed is None else "exam_result_failed"
        add(Finding(kind, f"{number}/{item}", "no passed exam result behind the certificate"))


def _leaf_hash_of(sc1: str) -> bytes | None:
    try:
        return leaf_hash(leaf_data_of(sc1))
    except MalformedCredential:
        return None


def _outside_key(
    iat: int,
    key: str | None,
    nbf: datetime | None,
    retired: datetime | None,
    revoked: datetime | None,
) -> str | None:
    if key is None or nbf is None:
        return "signed by a key the platform does not hold"
    if iat < nbf.timestamp():
        return f"iat {iat} before the key's nbf {int(nbf.timestamp())}"
    if revoked is not None and iat >= revoked.timestamp():
        return f"iat {iat} at or after the key's revocation {int(revoked.timestamp())}"
    if retired is not None and iat > retired.timestamp():
        return f"iat {iat} after the key's retirement {int(retired.timestamp())}"
    return None
