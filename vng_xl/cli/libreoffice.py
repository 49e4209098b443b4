"""`vng-xl libreoffice build|install|uninstall`: the VNG functions as a LibreOffice Calc add-in."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_build(args: argparse.Namespace) -> int:
    from vng_xl.libreoffice.addin import build_oxt

    build_oxt(Path(args.out))
    print(f"{args.out}: LibreOffice extension with the VNG functions, for this Python environment")
    return 0


def _where(profile: str | None) -> str:
    return f"the LibreOffice profile {profile}" if profile else "your LibreOffice profile"


def cmd_install(args: argparse.Namespace) -> int:
    from vng_xl.libreoffice import session

    session.install(Path(args.profile) if args.profile else None)
    print(f"installed the VNG functions in {_where(args.profile)}; restart LibreOffice if it is open")
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    from vng_xl.libreoffice import session

    removed = session.uninstall(Path(args.profile) if args.profile else None)
    print(f"{'removed' if removed else 'not installed; nothing removed'}: the VNG functions in {_where(args.profile)}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register `vng-xl libreoffice build|install|uninstall`."""
    p = sub.add_parser(
        "libreoffice",
        help="the VNG functions in LibreOffice Calc (an add-in extension)",
        description="Build or install a LibreOffice extension that lets Calc compute the VNG functions "
        "with this vng-xl installation.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="write the extension (.oxt) to install by hand")
    build.add_argument("out", metavar="OUT.oxt", help="the extension file to write")
    build.set_defaults(func=cmd_build)
    for name, func, text in (
        ("install", cmd_install, "build the extension and add it to LibreOffice (replacing an older one)"),
        ("uninstall", cmd_uninstall, "remove the extension from LibreOffice"),
    ):
        q = actions.add_parser(name, help=text)
        q.add_argument(
            "--profile",
            metavar="DIR",
            help="a LibreOffice user profile folder (as -env:UserInstallation takes it); default: your own",
        )
        q.set_defaults(func=func)
