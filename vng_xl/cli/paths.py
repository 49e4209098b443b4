"""Checks of the paths given on the command line, made before any work is done so a refusal writes nothing.

Standard library only: `vng-xl --help` must not wait for numpy or lxml.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from vng_xl.errors import FileProblem, WrongFileType, file_problem

#: The only name Excel opens a workbook with macros (VBA) under.
MACRO_WORKBOOK = ".xlsm"


def input_file(path: Path | str) -> Path:
    """An existing file to read: refuses a missing path, a folder, or a path through a file."""
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
    except OSError as exc:
        raise file_problem(exc, p) from None
    if stat.S_ISDIR(mode):
        raise file_problem(OSError(errno.EISDIR, "is a folder"), p)
    return p


def output_file(path: Path | str, suffixes: tuple[str, ...] = ()) -> Path:
    """A file to write: its folder must exist and be a folder, the path itself must not be a folder."""
    p = Path(path)
    if suffixes and p.suffix.lower() not in suffixes:
        raise WrongFileType(
            file=str(p),
            reason_nl=f"de naam moet eindigen op {' of '.join(suffixes)}",
            reason_en=f"the name must end in {' or '.join(suffixes)}",
        )
    if p.is_dir():
        raise file_problem(OSError(errno.EISDIR, "is a folder"), p)
    folder = p.parent
    try:
        mode = os.stat(folder).st_mode
    except FileNotFoundError:
        raise FileProblem(
            file=str(p), reason_nl=f"de map {folder} bestaat niet", reason_en=f"the folder {folder} does not exist"
        ) from None
    except OSError as exc:
        raise file_problem(exc, p) from None
    if not stat.S_ISDIR(mode):
        raise file_problem(OSError(errno.ENOTDIR, "not a folder"), p)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise file_problem(OSError(errno.EACCES, "permission denied"), p)
    return p


def macro_workbook(path: Path | str) -> Path:
    """A workbook with macros to write: only under an .xlsm name, which is the only one Excel opens it under."""
    p = Path(path)
    if p.suffix.lower() != MACRO_WORKBOOK:
        raise WrongFileType(
            file=str(p),
            reason_nl="een werkmap met macro's moet eindigen op .xlsm, anders opent Excel haar niet",
            reason_en="a workbook with macros must be named .xlsm; Excel refuses to open it under another name",
        )
    return output_file(p)


def output_folder(path: Path | str) -> Path:
    """A folder to write into: made if missing, refused if it is a file or lies under one."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise FileProblem(
            file=str(p), reason_nl="is een bestand, geen map", reason_en="is a file, not a folder"
        ) from None
    except OSError as exc:
        raise file_problem(exc, p) from None
    return p
