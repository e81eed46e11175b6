"""The command line, against the same database as the rest: one line on stderr for errors."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import text
from typer.testing import CliRunner

from opcert.interfaces.cli import context as cli_context
from opcert.interfaces.cli.main import app
from tests.integration.builders import make_result
from tests.integration.conftest import START


@pytest.fixture
def cli(platform, monkeypatch, tmp_path):
    monkeypatch.setenv("OPCERT_VERIFIER_STATE", str(tmp_path / "verifier-state.json"))
    monkeypatch.setenv("OPCERT_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("OPCERT_DATABASE_URL", platform.settings.resolved_database_url)
    monkeypatch.setenv("OPCERT_FAKE_NOW", START.isoformat())
    cli_context.platform.cache_clear()
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, list(args))
        if ok:
            assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    yield run
    cli_context.platform.cache_clear()


@pytest.fixture
def exam_setup(cli) -> str:
    key = (
        cli(
            "institutions",
            "add",
            "--code",
            "EXAM-ZH",
            "--name",
            "珠海市安全生产考试中心",
            "--region",
            "440402",
            "--kind",
            "exam",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    cli(
        "exam-points",
        "add",
        "--institution",
        "EXAM-ZH",
        "--code",
        "EP-440400-01",
        "--name",
        "香洲考试点",
        "--region",
        "440402",
    )
    return key


def test_init_is_safe_to_run_twice(cli):
    cli("init")
    second = cli("init")
    assert "0" in second.stderr


def test_an_institution_key_printed_once_on_the_last_line_files_results(cli, exam_setup, client):
    assert exam_setup.startswith("opk_")
    response = client.post(
        "/api/v1/exam-results",
        json={"results": [make_result()]},
        headers={"Authorization": f"Bearer {exam_setup}"},
    )
    assert response.json()["results"][0]["outcome"] == "issued"


def test_results_import_reads_csv_xlsx_and_json_and_reports_each_row(
    cli, exam_setup, tmp_path: Path
):
    good, bad = make_result(), make_result(item="99.9")
    csv_file = tmp_path / "results.csv"
    fields = list(good)
    csv_file.write_text(
        ",".join(fields)
        + "\n"
        + "\n".join(",".join(str(r[f]) for f in fields) for r in (good, bad))
    )
    out = cli("results", "import", str(csv_file), "--institution", "EXAM-ZH").stdout
    assert "issued" in out and "rejected" in out and "item" in out

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["成绩编号", "证件号码", "姓名", "操作项目", "理论成绩", "实操成绩", "考试日期", "考试点"]
    )
    row = make_result()
    sheet.append(
        [row["ref"], row["id_number"], "赵六", "2.1", 90, 85, "2026-11-18", "EP-440400-01"]
    )
    xlsx = tmp_path / "results.xlsx"
    book.save(xlsx)
    report = tmp_path / "report.csv"
    cli("results", "import", str(xlsx), "--institution", "EXAM-ZH", "--report", str(report))
    assert "issued" in report.read_text()

    json_file = tmp_path / "results.json"
    json_file.write_text(json.dumps({"results": [make_result(theory_score=50)]}))
    assert ",failed," in cli("results", "import", str(json_file)).stdout


def test_an_unreadable_file_is_one_clear_line_on_stderr(cli, exam_setup, tmp_path: Path):
    bad = tmp_path / "results.txt"
    bad.write_text("hello")
    result = cli("results", "import", str(bad), ok=False)
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "xlsx" in result.stderr


def _issue(cli, exam_setup, tmp_path) -> tuple[str, str]:
    row = make_result()
    path = tmp_path / "one.json"
    path.write_text(json.dumps([row]))
    cli("results", "import", str(path))
    return "T" + row["id_number"], row["item"]


def test_export_then_offline_verify_says_valid_and_after_revoke_revoked(
    cli, exam_setup, tmp_path: Path
):
    number, item = _issue(cli, exam_setup, tmp_path)
    credential = cli("certificates", "export", number, "--item", item).stdout.strip()
    assert credential.startswith("SC1:")
    trust = tmp_path / "trust"
    cli("trust", "export", str(trust))
    args = [
        "verify",
        credential,
        "--offline",
        "--trust-list",
        str(trust / "trust-list.jws"),
        "--status-dir",
        str(trust / "status"),
        "--root-key",
        str(trust / "root-key.jwk"),
    ]
    assert "VALID" in cli(*args).stdout

    cli(
        "certificates",
        "revoke",
        number,
        "--item",
        item,
        "--reason",
        "证书记载虚假信息",
        "--ground",
        "false_information",
    )
    cli("trust", "export", str(trust))
    revoked = cli(*args, ok=False)
    assert revoked.exit_code == 1
    assert "REVOKED" in revoked.stdout


def test_ledger_verify_passes_then_fails_after_tampering(cli, exam_setup, tmp_path: Path, platform):
    _issue(cli, exam_setup, tmp_path)
    assert "intact" in cli("ledger", "verify").stdout
    with platform.engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET actor = 'someone-else'"))
        connection.execute(
            text("UPDATE ledger_entries SET body = replace(body, 'institution', 'x')")
        )
    assert cli("ledger", "verify", ok=False).exit_code == 1


def test_officers_add_prints_the_initial_password_on_the_last_line(cli):
    password = (
        cli("officers", "add", "--username", "zh", "--region", "440400")
        .stdout.strip()
        .splitlines()[-1]
    )
    assert len(password) >= 12


def test_a_bad_region_is_one_line_naming_the_field(cli):
    result = cli("officers", "add", "--username", "x", "--region", "44", ok=False)
    assert result.exit_code == 1
    assert "region" in result.stderr


def test_keys_root_prints_a_one_line_jwk(cli):
    jwk = json.loads(cli("keys", "root", "--jwk").stdout)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"


def test_keys_root_fingerprint_prints_the_lowercase_hex_sha256_of_the_root_spki_first(cli):
    from opcert.credential.keys import public_key_from_jwk, spki_der

    jwk = json.loads(cli("keys", "root", "--jwk").stdout)
    spec_form, grouped_form = cli("keys", "root", "--fingerprint").stdout.splitlines()
    assert spec_form == hashlib.sha256(spki_der(public_key_from_jwk(jwk))).hexdigest()
    assert grouped_form.replace(" ", "").lower() == spec_form


def test_the_pdf_certificate_carries_a_qr_code_that_gives_back_the_exact_credential(
    cli, exam_setup, tmp_path: Path
):
    number, item = _issue(cli, exam_setup, tmp_path)
    credential = cli("certificates", "export", number, "--item", item).stdout.strip()
    pdf = tmp_path / "cert.pdf"
    cli("certificates", "export", number, "--item", item, "--format", "pdf", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    from opcert.credential.offline import read_credential_from_file

    assert read_credential_from_file(pdf) == credential
    png = tmp_path / "qr.png"
    cli("certificates", "export", number, "--item", item, "--format", "png", "-o", str(png))
    assert read_credential_from_file(png) == credential


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed"
)
def test_the_pdf_rendered_by_pdftoppm_at_150_dpi_gives_back_the_credential_and_verifies_valid(
    cli, exam_setup, tmp_path: Path
):
    number, item = _issue(cli, exam_setup, tmp_path)
    credential = cli("certificates", "export", number, "--item", item).stdout.strip()
    pdf = tmp_path / "cert.pdf"
    cli("certificates", "export", number, "--item", item, "--format", "pdf", "-o", str(pdf))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    [page] = sorted(tmp_path.glob("page*.png"))
    from opcert.credential.qr import read_qr

    assert credential in read_qr(page)
    trust = tmp_path / "trust"
    cli("trust", "export", str(trust))
    pinned = cli("keys", "root", "--fingerprint").stdout.split()[0]
    bundle = ["--offline", "--trust-list", str(trust / "trust-list.jws")]
    result = cli("verify", str(pdf), *bundle, "--root-fingerprint", pinned)
    assert "VALID" in result.stdout
    assert cli("verify", str(page), *bundle, "--root-fingerprint", pinned).exit_code == 0
