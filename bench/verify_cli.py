"""Whole-process cost of one offline ``opcert verify``, against ``python -c pass`` in the same run.

Builds a signed bundle (root, trust list, status list with exp and rev, one credential) in a
temporary directory with the credential package alone, then runs, in alternating rounds so that
a noisy neighbour hits all alike:
- ``python -c pass`` (the floor: the interpreter's own start);
- ``opcert verify SC1:... --offline --trust-list ... --root-fingerprint ... --json`` through the
  console script (the fast entry point, ``interfaces/cli/entry.py``);
- the same command through the full Typer app (``interfaces/cli/main.py``), as every command ran
  before the fast entry point.
Each process's wall time (perf_counter around it) and peak RSS (``wait4`` resource usage of the
child, started from a tiny launcher: see ``LAUNCHER``) are recorded; one JSON object is printed
with the medians and the target (< 0.3 s, < 50 MiB). Run: ``.venv/bin/python bench/verify_cli.py [--rounds 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, machine
from opcert.credential.claims import CertificateClaims, CredentialPayload, exp_for
from opcert.credential.keys import ALG_EDDSA, SoftwareSigner, generate_private_key, public_jwk
from opcert.credential.pinning import root_fingerprint
from opcert.credential.sc1 import encode
from opcert.credential.statuslist import StatusBits, StatusList, sign_status_list
from opcert.credential.trustlist import KeyStatus, TrustedKey, TrustList, sign_trust_list

ISSUER, LIST_ID = "CN-440400", "CN-440400-0001"
TARGET_SECONDS, TARGET_MIB = 0.3, 50


def bundle(directory: Path) -> tuple[str, str]:
    """Write trust-list.jws, root-key.jwk and status/; return (credential, root fingerprint)."""
    root = SoftwareSigner(generate_private_key(ALG_EDDSA))
    issuer = SoftwareSigner(generate_private_key(ALG_EDDSA))
    now = int(time.time())
    key = TrustedKey(
        issuer.kid, ISSUER, "EdDSA", issuer.public_key(), now - 86400, None, KeyStatus.ACTIVE, None
    )
    (directory / "status").mkdir()
    trust = TrustList("CN", now, now + 86400, (key,))
    (directory / "trust-list.jws").write_text(sign_trust_list(trust, root))
    (directory / "root-key.jwk").write_text(json.dumps(public_jwk(root.public_key())))
    status = StatusList(LIST_ID, ISSUER, now, 3600, StatusBits(), exp=now + 86400, rev=1)
    (directory / "status" / f"{LIST_ID}.jws").write_text(sign_status_list(status, issuer))
    today = datetime.now(UTC).date()
    vto = date(today.year + 5, 1, 1)
    claims = CertificateClaims(
        typ="SO",
        no="T440402199003071235",
        nam="张三",
        sex=1,
        itn="低压电工作业",
        fst=today.isoformat(),
        vfr=today.isoformat(),
        vto=vto.isoformat(),
        aut="珠海市应急管理局",
        rs="MEM19",
        st=(LIST_ID, 7),
        cat="1",
        itm="1.2",
    )
    payload = CredentialPayload(ISSUER, now, exp_for(vto), os.urandom(16), claims)
    return encode(payload, issuer), root_fingerprint(root.public_key())


# ru_maxrss of a child counts the memory of the process it was forked from (Linux keeps the
# high-water mark across exec), so children are not started from this process, which holds the
# credential package: a tiny launcher (os, sys and time only, about 9 MiB) starts each one and
# reports its wall time and the peak RSS that wait4 gives for it.
LAUNCHER = """
import os, sys, time
for line in sys.stdin:
    command = line.rstrip("\\n").split("\\0")
    devnull = os.open(os.devnull, os.O_RDWR)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(command[0], command)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    os.close(devnull)
    print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), flush=True)
"""


class Launcher:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-S", "-c", LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def measure(self, command: list[str]) -> tuple[float, float, int]:
        """(wall seconds, peak RSS MiB, exit status) of one child process."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\0".join(command) + "\n")
        self.process.stdin.flush()
        wall, rss_kib, code = self.process.stdout.readline().split()
        return float(wall), int(rss_kib) / 1024, int(code)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    python = sys.executable
    script = str(Path(python).with_name("opcert"))
    with tempfile.TemporaryDirectory(prefix="opcert-verify-cli-") as name:
        directory = Path(name)
        credential, fingerprint = bundle(directory)
        arguments = [
            "verify",
            credential,
            "--offline",
            "--trust-list",
            str(directory / "trust-list.jws"),
            "--root-fingerprint",
            fingerprint,
            "--state",
            str(directory / "state.json"),
            "--json",
        ]
        full_app = (
            "import sys; from opcert.interfaces.cli.main import main; "
            "sys.argv = ['opcert', *sys.argv[1:]]; main()"
        )
        commands = {
            "python_pass": [python, "-c", "pass"],
            "opcert_verify": [script, *arguments],
            "full_app_verify": [python, "-c", full_app, *arguments],
        }
        samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
        launcher = Launcher()
        for command in commands.values():  # warm the page cache once, not measured
            launcher.measure(command)
        for _ in range(rounds):
            for name, command in commands.items():
                samples[name].append(launcher.measure(command))
        launcher.close()
    record: dict[str, object] = {"bench": "verify_cli", "rounds": rounds, **machine()}
    for name, runs in samples.items():
        record[name] = {
            "wall_s_median": round(statistics.median(run[0] for run in runs), 4),
            "wall_s_max": round(max(run[0] for run in runs), 4),
            "rss_mib_median": round(statistics.median(run[1] for run in runs), 1),
            "exit_codes": sorted({run[2] for run in runs}),
        }
    ours = record["opcert_verify"]
    assert isinstance(ours, dict)
    record["target"] = {"wall_s": TARGET_SECONDS, "rss_mib": TARGET_MIB}
    record["meets_target"] = (
        ours["wall_s_median"] < TARGET_SECONDS and ours["rss_mib_median"] < TARGET_MIB
    )
    emit(record)


if __name__ == "__main__":
    main()
