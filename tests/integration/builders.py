"""Test data builders with keyword defaults: show only what matters to the test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum.cn import ric

from opcert.services.kernel import authentication
from opcert.services.kernel.context import ServiceContext
from opcert.services.kernel.principals import InstitutionPrincipal, OfficerPrincipal
from opcert.services.registry import parties as registry

_serial = itertools.count(1)
_world_hashes: dict[str, str] = {}


@contextmanager
def _one_hash_per_password() -> Iterator[None]:
    """While a world is built, its officers share one real scrypt hash of their common password,
    made once per test session. scrypt costs ~50 ms a call by design, four officers a test made
    the world half of many tests' time; logins still check the password with the real scrypt."""

    def hashed_once(password: str) -> str:
        if password not in _world_hashes:
            _world_hashes[password] = authentication.hash_password(password)
        return _world_hashes[password]

    real = registry.hash_password
    registry.hash_password = hashed_once  # type: ignore[assignment]
    try:
        yield
    finally:
        registry.hash_password = real  # type: ignore[assignment]


def id_number(
    division: str = "440402", born: date = date(1990, 5, 17), sex: int = 1, seq: int | None = None
) -> str:
    n = next(_serial) if seq is None else seq
    sequence = (n % 500) * 2 + (1 if sex == 1 else 0)
    body = f"{division}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def with_check_digit(body: str) -> str:
    """Complete a 17-digit body with its GB 11643 check character (the date may be impossible)."""
    return body + ric.calc_check_digit(body + "0")


def small_png(width: int = 8, height: int = 8) -> bytes:
    """A real (decodable) grey PNG, e.g. for a photo upload that is not about the picture."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, height), 200).save(out, format="PNG")
    return out.getvalue()


def make_result(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    row = {
        "ref": f"R-{n:06d}",
        "id_number": id_number(seq=n),
        "name": "张三",
        "item": "1.2",
        "theory_score": 86,
        "practical_score": 90,
        "exam_date": "2026-11-19",
        "exam_point": "EP-440400-01",
        "phone": "13800000000",
    }
    row.update(overrides)
    return row


@dataclass
class World:
    """Two exam institutions (Zhuhai, Chongqing) with exam points, and officers of each region."""

    zhuhai: InstitutionPrincipal
    zhuhai_key: str
    chongqing: InstitutionPrincipal
    chongqing_key: str
    zhuhai_officer: OfficerPrincipal
    chongqing_officer: OfficerPrincipal
    guangdong_officer: OfficerPrincipal
    inspector: OfficerPrincipal
    password: str = "correct horse battery staple"

    @classmethod
    def create(cls, ctx: ServiceContext) -> World:
        zh = registry.add_institution(
            ctx, code="EXAM-ZH", name="珠海市安全生产考试中心", region="440402", kind="exam"
        )
        cq = registry.add_institution(
            ctx, code="EXAM-CQ", name="重庆市安全技术考试中心", region="500103", kind="exam"
        )
        registry.add_exam_point(
            ctx, institution="EXAM-ZH", code="EP-440400-01", name="香洲考试点", region="440402"
        )
        registry.add_exam_point(
            ctx,
            institution="EXAM-ZH",
            code="EP-440400-02",
            name="金湾考试点",
            region="440404",
            items=["1.1", "1.2"],
        )
        registry.add_exam_point(
            ctx, institution="EXAM-CQ", code="EP-500000-01", name="渝中考试点", region="500103"
        )
        officers = {}
        with _one_hash_per_password():
            cls._add_officers(ctx, officers)
        assert zh.api_key and cq.api_key
        return cls(
            InstitutionPrincipal(zh.institution_id, "EXAM-ZH", "珠海市安全生产考试中心"),
            zh.api_key,
            InstitutionPrincipal(cq.institution_id, "EXAM-CQ", "重庆市安全技术考试中心"),
            cq.api_key,
            officers["zh"],
            officers["cq"],
            officers["gd"],
            officers["insp"],
        )

    @classmethod
    def _add_officers(cls, ctx: ServiceContext, officers: dict[str, OfficerPrincipal]) -> None:
        for username, region, role in [
            ("zh", "440400", "approver"),
            ("cq", "500000", "approver"),
            ("gd", "440000", "approver"),
            ("insp", "440400", "inspector"),
        ]:
            registry.add_officer(
                ctx, username=username, region=region, role=role, password=cls.password
            )
            with ctx.uow() as uow:
                row = uow.registry.officer_by_username(username)
                assert row is not None
                officers[username] = OfficerPrincipal(row.id, row.username, row.region, row.role)

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.zhuhai_key}"}


def clerk_workbook(rows: list[list[object]], header: list[str]) -> bytes:
    """A workbook as a clerk types it: texts are text cells (a text starting with = included),
    numbers numeric cells, as openpyxl writes them (a float above 2**53 loses digits, as in
    Excel)."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
