"""analytics run: the exam-data analysis over a span of months (issue 16); analytics far: the
candidates examined far from home."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.progress import Progress

from opcert.domain.input_formats import parse_date
from opcert.interfaces.cli.context import domain_errors, ready_platform
from opcert.services.analytics import far
from opcert.services.analytics import letters as reminder_letters
from opcert.services.analytics import run as analysis

app = typer.Typer(help="考试数据分析 / exam-data analysis", no_args_is_help=True)


def _date(text: str | None, name: str, default: date) -> date:
    """The option's date in any form the uploads accept (2026-11-22, 2026/11/22, 2026年11月22日)."""
    return default if text is None else parse_date(text, name)


@app.command("run")
def run(
    date_from: str = typer.Option(
        None, "--from", help="起始日期 / first day (default: 12 months ago)"
    ),
    date_to: str = typer.Option(None, "--to", help="截止日期 / last day (default: today)"),
    fdr: float = typer.Option(
        analysis.DEFAULT_FDR, "--fdr", help="错误发现率 / false-discovery level"
    ),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON object"),
) -> None:
    """分析各省、市、考试机构和考试点的考试数据，按错误发现率筛出异常信号 / test every province,
    city, exam institution and exam point, and keep the signals under the false-discovery level."""
    ctx = ready_platform().ctx
    today = ctx.today()
    year_ago = date(today.year - 1, today.month, 1)
    start, end = _date(date_from, "from", year_ago), _date(date_to, "to", today)
    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task("分析 / analysing", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = analysis.run(ctx, start, end, fdr, progress=step)
    if as_json:
        typer.echo(json.dumps(_json(result), ensure_ascii=False))
        return
    for signal in result.signals:
        t = signal.test
        mark = " (未结月份 / provisional)" if signal.provisional else ""
        typer.echo(
            f"q={signal.q_value:.2g}\t{t.unit_type}\t{t.unit}\t{t.kind}\t{signal.explanation_zh}{mark}"
        )
    if not result.tests:
        typer.echo("该期间没有可检验的考试数据 / no exams to test in this period")
    typer.echo(
        f"运行 / run {result.run_id}: {result.tests} 项检验 / tests, {len(result.signals)} 个信号 / "
        f"signals (FDR {fdr}); 考点月份 {result.untested['exam_point_months_below_minimum']} 个因考试"
        f"人次不足未检验 / exam-point months below the minimum, not tested"
    )


def _json(result: analysis.RunResult) -> dict[str, object]:
    return {
        "run": result.run_id,
        "tests": result.tests,
        "signals": [
            {
                "unit_type": str(s.test.unit_type),
                "unit": s.test.unit,
                "kind": str(s.test.kind),
                "period": s.test.period,
                "statistic": s.test.statistic,
                "p_value": s.test.p_value,
                "q_value": s.q_value,
                "effect": s.test.effect,
                "explanation": s.explanation_zh,
            }
            for s in result.signals
        ],
    }


@app.command("far")
def far_list(
    date_from: str = typer.Option(
        None, "--from", help="起始日期 / first day (default: 12 months ago)"
    ),
    date_to: str = typer.Option(None, "--to", help="截止日期 / last day (default: today)"),
    km: float = typer.Option(far.FAR_KM, "--km", help="最短距离（公里）/ at least this far (km)"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print one JSON array"),
) -> None:
    """列出在远离户籍省份的考点参加考试的考生（规则见 docs/operations.md），供核查 / list the
    candidates examined far from their home province (the rule: docs/operations.md), to check."""
    ctx = ready_platform().ctx
    today = ctx.today()
    with domain_errors():
        start = _date(date_from, "from", date(today.year - 1, today.month, 1))
        end = _date(date_to, "to", today)
        found = far.far_exams(ctx, start, end, km)
    rows = [
        {
            "id_number": f.exam.id_number,
            "home": f.exam.home,
            "exam_point": f.exam.exam_point,
            "institution": f.exam.institution,
            "region": f.exam.region,
            "item": f.exam.item,
            "exam_on": f.exam.exam_on.isoformat(),
            "passed": f.exam.passed,
            "km": round(f.km),
        }
        for f in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(
            f"{row['exam_on']}\t{row['id_number']}\t{row['home']} → {row['region']}"
            f"\t{row['km']} km\t{row['exam_point']}\t{row['item']}"
        )
    typer.echo(
        f"{len(rows)} 次考试距户籍省份超过 {km:.0f} 公里 / exams over {km:.0f} km from home; "
        "请先核实考生的用人单位所在地 / check the employer's location first"
    )


# --- letters ---
@app.command("letters")
def letters_command(
    period: str = typer.Option(..., "--period", help="月份 / month, YYYY-MM"),
    out: Path = typer.Option(..., "-o", "--out", help="输出目录 / directory for the PDFs"),
) -> None:
    """为该月有异常信号的每个省份生成提醒函 PDF / write one reminder letter PDF per province with
    signals in the month. Exit 0 also when no province has a signal (nothing is written); 1 for a
    bad month, a month not over, or no analysis run covering it."""
    ctx = ready_platform().ctx
    issued = reminder_letters.issue_letters(ctx, period)
    if not issued:
        typer.echo(f"{period} 没有异常信号，无需发函 / no signals in {period}: no letter to write")
        return
    out.mkdir(parents=True, exist_ok=True)
    for letter in issued:
        name, pdf = reminder_letters.letter_pdf(ctx, None, letter.id)
        (out / name).write_bytes(pdf)
        state = "新发 / issued" if letter.created else "已发过 / already issued"
        typer.echo(
            f"{letter.number}\t{letter.province_name}\t{len_signals(letter.signals)}\t"
            f"{state}\t{out / name}"
        )
    typer.echo(f"已写入 {len(issued)} 份提醒函 / {len(issued)} letters written to {out}")


def len_signals(count: int) -> str:
    return f"{count} 项信号 / signals"
