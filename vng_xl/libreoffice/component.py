"""The UNO component of the VNG add-in for LibreOffice Calc, shipped as it is inside the extension.

It runs in LibreOffice's own Python, not in the environment vng-xl was installed in: the config
next to it (vng_xl_addin.json, written when the extension is built) says where vng_xl and numpy
are. This file imports nothing of vng_xl at load time, so a missing package shows as a Dutch
message in the cell instead of an add-in LibreOffice cannot load.
"""

import json
import os
import sys

import unohelper
from com.sun.star.lang import XServiceInfo
from vng.xl import XVngFunctions

CONFIG_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vng_xl_addin.json")
with open(CONFIG_FILE, encoding="utf-8") as _f:
    CONFIG = json.load(_f)

PREFIX = "#VNG! "
CALL_LOG = os.environ.get("VNG_XL_CALL_LOG")  # a file to log each call's function name in (counting calls)
_calc = None  # vng_xl.libreoffice.calc, once imported
_failure = None  # the Dutch message when it cannot be imported


def _python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def _load():
    """Import vng_xl.libreoffice.calc from the paths in the config; remember a Dutch message when it fails."""
    global _calc, _failure
    if _calc is not None or _failure is not None:
        return _calc
    same_python = CONFIG["python"] == _python()
    for path in reversed(CONFIG["source"]):
        if path not in sys.path:
            sys.path.insert(0, path)
    if same_python:  # compiled packages (numpy) only load in the Python they were built for
        for path in CONFIG["site_packages"]:
            if path not in sys.path:
                sys.path.append(path)
    try:
        import numpy  # noqa: F401
    except ImportError:
        if same_python:
            _failure = f"numpy ontbreekt (gezocht in {', '.join(CONFIG['site_packages'])})"
        else:
            _failure = (
                f"numpy ontbreekt voor Python {_python()} van LibreOffice "
                f"(vng-xl is geïnstalleerd voor Python {CONFIG['python']})"
            )
        return None
    try:
        from vng_xl.libreoffice import calc
    except ImportError:
        _failure = f"vng_xl niet gevonden (gezocht in {', '.join(CONFIG['source'])})"
        return None
    _calc = calc
    return calc


def _method(name):
    def call(self, *args):
        if CALL_LOG:
            with open(CALL_LOG, "a", encoding="utf-8") as log:
                log.write(name + "\n")
        calc = _load()
        if calc is None:
            return ((PREFIX + _failure,),)
        return calc.call(name, args)

    call.__name__ = name
    return call


class VngFunctions(unohelper.Base, XVngFunctions, XServiceInfo):
    """The Calc add-in: one method per VNG function, each handing its cells to vng_xl."""

    def __init__(self, ctx):
        self.ctx = ctx

    def getImplementationName(self):
        return CONFIG["implementation"]

    def supportsService(self, name):
        return name in self.getSupportedServiceNames()

    def getSupportedServiceNames(self):
        return ("com.sun.star.sheet.AddIn", CONFIG["implementation"])


for _name in CONFIG["functions"]:
    setattr(VngFunctions, _name, _method(_name))

g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(VngFunctions, CONFIG["implementation"], ("com.sun.star.sheet.AddIn",))
