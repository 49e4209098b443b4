"""Command-line options that take a typed number: read by vng_xl.notation (Dutch notation), refused in one line."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from vng_xl.errors import BadNumber
from vng_xl.notation import parse_count, parse_year


class _TypedAction(argparse.Action):
    """Reads the option's text with `reader`; a bad value ends the command with one English line (exit 2).

    argparse's own refusal (`type=`) prints the usage first; this prints only what is wrong, before
    the command does anything.
    """

    reader: Callable[[str, str], object]

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        try:
            value = type(self).reader(str(values), option_string or self.dest)
        except BadNumber as exc:
            parser.exit(2, f"{parser.prog}: {exc.en}\n")
        setattr(namespace, self.dest, value)


class CountAction(_TypedAction):
    """A whole count above 0 in Dutch notation: 18.044.027 or 18044027."""

    reader = staticmethod(lambda text, where: parse_count(text, "nl", where))


class YearAction(_TypedAction):
    """A year: four plain digits."""

    reader = staticmethod(lambda text, where: parse_year(text, where))


def add_inwoners(parser: argparse.ArgumentParser, help: str) -> None:
    """The --inwoners option: the number of inhabitants, as the program prints it (18.044.027) or plain."""
    parser.add_argument("--inwoners", action=CountAction, metavar="N", help=f"{help}, e.g. 18.044.027")
