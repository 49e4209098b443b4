"""The `vng-xl` command: argparse, one module function per sub-command group.

Each sub-command module offers `add_parser(subparsers)` that registers its parser with `func=`
set to a handler `(args) -> int` (the exit code). Errors for the user are printed in English.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from vng_xl import __version__
from vng_xl.errors import VngError

#: Modules whose `add_parser(subparsers)` adds sub-commands, in the order `--help` lists them.
SUBCOMMANDS = (
    "vng_xl.cli.raming",
    "vng_xl.cli.workbook",
    "vng_xl.cli.recalc",
    "vng_xl.cli.controle",
    "vng_xl.cli.gemeenten",
    "vng_xl.cli.export",
    "vng_xl.cli.libreoffice",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vng-xl",
        description="The VNG Kadernota 2026 budget model: tables, formulas, workbooks.",
    )
    parser.add_argument("--version", action="version", version=f"vng-xl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except VngError as exc:
        print(f"vng-xl {args.command}: {exc.en}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"vng-xl {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
