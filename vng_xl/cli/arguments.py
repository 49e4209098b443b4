"""Command-line options that take a typed number: read by vng_xl.notation (Dutch notation), refused in one line."""

from __future__ import annotations

import argparse

from vng_xl.errors import BadNumber
from vng_xl.notation import parse_count


class CountAction(argparse.Action):
    """A whole count above 0 in Dutch notation (18.044.027); a bad one ends the command with one English line.

    argparse's own refusal (`type=`) prints the usage first; this prints only what is wrong, before
    the command does anything.
    """

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        try:
            count = parse_count(str(values), "nl", option_string or self.dest)
        except BadNumber as exc:
            parser.exit(2, f"{parser.prog}: {exc.en}\n")
        setattr(namespace, self.dest, count)


def add_inwoners(parser: argparse.ArgumentParser, help: str) -> None:
    """The --inwoners option: the number of inhabitants, as the program prints it (18.044.027) or plain."""
    parser.add_argument("--inwoners", action=CountAction, metavar="N", help=f"{help}, e.g. 18.044.027")
