"""The reminder letter PDF: the ministry's letterhead, number, addressee, each signal with its
figures, the funnel plot and the reply deadline, readable on a machine with no fonts at all.

The pages are also written to test-artifacts/screenshots/ at 60 and 110 dpi (stand-ins for a
phone and a desktop screen), to be looked at."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from opcert.documents.reminder_letter import LetterView, render
from opcert.persistence.models import AnalyticsSignal
from opcert.persistence.repositories.analytics import MonthlyCounts
from opcert.services.analytics.letter_figures import funnels_for, letter_signal
from tests.unit.documents.poppler import embedded, needs_poppler, no_fonts_config, run

pytestmark = needs_poppler
SCREENSHOTS = Path("test-artifacts/screenshots")


def counts(point: str, region: str, sat: int, passed: int, item: str = "1.2") -> MonthlyCounts:
    return MonthlyCounts(
        exam_point=point, institution="I-" + point, region=region, item=item, month="2026-10",
        sat=sat, passed=passed, first_sat=sat, first_passed=passed, below=0, above=0,
        practical_n=0, practical_sum=0.0, practical_squares=0.0, practical_cubes=0.0,
        practical_fourths=0.0, far=0, off_days=0, shared_phone=0,
    )  # fmt: skip


def nation(seed: int = 7) -> list[MonthlyCounts]:
    """Exam points in five provinces passing about 75 %, and one Guangdong point passing all."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(60):
        region = ("440402", "500103", "110105", "320102", "510104")[n % 5]
        sat = int(rng.integers(30, 400))
        rows.append(counts(f"EP-{region[:2]}-{n:03d}", region, sat, int(rng.binomial(sat, 0.75))))
    rows.append(counts("EP-440400-01", "440402", 300, 297))
    return rows


def signals() -> list[AnalyticsSignal]:
    return [
        AnalyticsSignal(
            id=11, run_id=1, unit_type="exam_point", unit="EP-440400-01", kind="pass_rate",
            period="2026-10", statistic=6.1, p_value=3e-10, q_value=2e-7, effect=1.32,
            observed=297, reference=225, provisional=False,
            explanation_zh="考试点 EP-440400-01 2026-10 考试通过 297 人，按其考试项目构成预期 225 人（1.32 倍）。",
            explanation_en="",
        ),
        AnalyticsSignal(
            id=12, run_id=1, unit_type="city", unit="440400", kind="score_heaping",
            period="2026-10", statistic=5.0, p_value=4e-7, q_value=1e-4, effect=6.8,
            observed=0.41, reference=0.06, provisional=False,
            explanation_zh="珠海市（440400） 2026-10 理论考试 80–82 分（刚过及格线）占 41%，全国各市为 6%。",
            explanation_en="",
        ),
    ]  # fmt: skip


def letter(**overrides: object) -> LetterView:
    chosen = signals()
    values: dict[str, object] = {
        "number": "应急考提〔2026〕第 0007 号",
        "issued_on": date(2026, 11, 20),
        "addressee": "广东省应急管理厅",
        "province_name": "广东省",
        "period": "2026-10",
        "signals": [letter_signal(n, s) for n, s in enumerate(chosen, start=1)],
        "reply_due_on": date(2026, 12, 4),
        "reply_workdays": 10,
        "reply_due_provisional": False,
        "reply_url": "http://127.0.0.1:8000/officer/analytics/letters/7",
        "funnels": funnels_for(nation(), "440000", "2026-10", chosen),
    }
    values.update(overrides)
    return LetterView(**values)  # type: ignore[arg-type]


def written(tmp_path: Path, view: LetterView) -> Path:
    path = tmp_path / "letter.pdf"
    path.write_bytes(render(view))
    return path


def test_the_letter_embeds_its_only_font_and_reads_on_a_machine_without_fonts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = written(tmp_path, letter())
    fonts = embedded(run("pdffonts", pdf))
    assert fonts and all(emb == "yes" for _, emb in fonts)
    assert {name.split("+")[-1] for name, _ in fonts} == {"NotoSansCJKsc-Regular"}
    text = run("pdftotext", pdf, "-layout", fonts=no_fonts_config(tmp_path))
    for words in (
        "中华人民共和国应急管理部",
        "应急考提〔2026〕第 0007 号",
        "广东省应急管理厅：",
        "关于2026年10月特种作业考试数据异常情况的提醒函",
        "考试通过 297 人，按其考试项目构成预期 225 人",
        "10 个工作日内，即 2026年12月4日（含）之前",
        "已整改",
        "/officer/analytics/letters/7",
    ):
        assert words in text, words


def test_each_signal_shows_the_figures_behind_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = run("pdftotext", written(tmp_path, letter()))
    for words in ("通过 297 人", "预期 225 人", "1.32 倍", "3e-10", "2e-07", "41.0%", "同类 6.0%"):
        assert words in text, words
    assert "理论成绩在及格线上方堆积" in "".join(text.split())  # wrapped in its cell


def test_the_funnel_puts_the_flagged_exam_point_in_red_above_the_nations_points() -> None:
    cities, exam_points = funnels_for(nation(), "440000", "2026-10", signals())
    assert "市" in cities.title and "考试点" in exam_points.title
    roles = {role for _, _, role in exam_points.points}
    assert roles == {"nation", "province", "flagged"}
    [(expected, ratio, label)] = exam_points.labels
    assert label == "EP-440400-01" and ratio > 1.25
    outer = next(lim for lim in exam_points.limits if lim[0] >= expected)
    assert ratio > outer[4]


def test_a_month_with_too_few_exams_for_a_funnel_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = run("pdftotext", written(tmp_path, letter(funnels=[])))
    assert "未绘制通过率漏斗图" in text and "通过率漏斗图\n" not in text


def test_a_revision_names_the_letter_it_replaces_and_a_provisional_deadline_says_so(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    view = letter(supersedes="应急考提〔2026〕第 0003 号", reply_due_provisional=True)
    text = run("pdftotext", written(tmp_path, view))
    assert "取代应急考提〔2026〕第 0003 号" in text
    assert "暂定" in text


def test_the_letters_pages_are_written_as_screenshots_at_phone_and_desktop_size(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pdf = written(tmp_path, letter())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for dpi, name in ((60, "360"), (110, "desktop")):
        stem = SCREENSHOTS / f"reminder-letter-{name}"
        for old in SCREENSHOTS.glob(f"reminder-letter-{name}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(stem)], check=True)
        pages = sorted(SCREENSHOTS.glob(f"reminder-letter-{name}-*.png"))
        assert 1 <= len(pages) <= 3
        with Image.open(pages[0]) as first:
            assert first.width == round(210 / 25.4 * dpi) or abs(first.width - 210 / 25.4 * dpi) < 2
    assert shutil.which("pdftoppm")
