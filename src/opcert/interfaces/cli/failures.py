"""Every way a command can fail, as one line on stderr and an exit code: never a traceback.

``run`` is what the ``opcert`` console script calls. Commands report what they expect with
``context.fail``; anything that escapes them lands here: a usage error (unknown option, missing
argument), a refused configuration (``ValueError`` from the settings, production refusals
included), a database that cannot be reached or was lost, a file that cannot be read or written,
an interrupt, and, last, any other exception, named by its type, so that a bug still reads as one
line.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeGuard

import typer
import typer.main

from opcert.domain.errors import DomainError
from opcert.interfaces import log_privacy

if TYPE_CHECKING:
    from pydantic import ValidationError

MAX_LINE = 600
USAGE_EXIT = 2
INTERRUPTED_EXIT = 130


def run(app: typer.Typer, args: Sequence[str] | None = None) -> int:
    """Run the CLI app with ``args`` (``sys.argv[1:]`` when None); return the exit code."""
    log_privacy.install()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="opcert", standalone_mode=False)
    except BaseException as error:  # the one place every failure becomes a line
        return report(error)
    return code if isinstance(code, int) else 0


def report(error: BaseException) -> int:
    """Print what escaped a command as one line on stderr; return the exit code."""
    if isinstance(error, SystemExit):
        if isinstance(error.code, str):
            print(f"错误 / error: {_one_line(error.code)}", file=sys.stderr)
        return _exit_code(error.code)
    if isinstance(error, BrokenPipeError):
        return 1  # the reader went away (| head): nothing left to tell it
    message, code = describe(error)
    with contextlib.suppress(OSError):
        print(f"错误 / error: {_one_line(message)}", file=sys.stderr)
    return code


def describe(error: BaseException) -> tuple[str, int]:
    """The message (Chinese / English) and exit code for an exception no command caught."""
    if isinstance(error, typer.TyperException):  # click's errors: usage, bad parameters
        return _usage(error)
    if isinstance(error, KeyboardInterrupt | typer.Abort):
        return "已中断 / interrupted", INTERRUPTED_EXIT
    if isinstance(error, DomainError):
        return f"{error.message_zh} / {error.message_en}", 1
    failure = _database_failure(error)
    if failure is not None:
        return failure, 1
    if _is_validation_error(error):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'settings'}: {item['msg']}"
            for item in error.errors()
        )
        return f"配置无效 / invalid settings: {problems}", 1
    if isinstance(error, ValueError):
        return f"配置或输入无效 / refused: {error}", 1
    if isinstance(error, OSError):
        return _file_failure(error), 1
    return f"内部错误 / internal error ({type(error).__name__}): {error}", 1


def _database_failure(error: BaseException) -> str | None:
    # Imported only where the database layer was loaded: a command that never touched it
    # (``opcert verify --offline``) cannot have failed there, and starts without SQLAlchemy.
    if "sqlalchemy" not in sys.modules:
        return None
    from opcert.bootstrap import explain_database_failure

    return explain_database_failure(error)


def _is_validation_error(error: BaseException) -> TypeGuard[ValidationError]:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(error, pydantic.ValidationError)


def _usage(error: typer.TyperException) -> tuple[str, int]:
    context = getattr(error, "ctx", None)
    path = context.command_path if context is not None else "opcert"
    if type(error).__name__ == "NoArgsIsHelpError":
        # A group called without a sub-command: its help on stdout, one line on stderr.
        typer.echo(error.format_message())
        return f"缺少子命令，见上 / a sub-command is needed, listed above ({path})", USAGE_EXIT
    code = getattr(error, "exit_code", 1)
    return (
        f"命令参数有误 / invalid usage: {error.format_message()} (see: {path} --help)",
        code if isinstance(code, int) and code else USAGE_EXIT,
    )


def _file_failure(error: OSError) -> str:
    where = f" {error.filename}" if error.filename else ""
    reasons = {
        errno.EISDIR: "是目录，需要文件 / is a directory, a file is needed",
        errno.ENOENT: "不存在 / does not exist",
        errno.EACCES: "无权限 / permission denied",
        errno.EPERM: "无权限 / permission denied",
        errno.ENOTDIR: "路径中有非目录 / a part of the path is not a directory",
        errno.ENAMETOOLONG: "名称过长 / name too long",
        errno.ENOSPC: "磁盘已满 / no space left on the device",
        errno.EROFS: "只读文件系统 / read-only file system",
    }
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    return f"文件操作失败 / file error{where}: {reason}"


def _one_line(message: str) -> str:
    line = " ".join(str(message).split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1
