"""The VNG add-in for LibreOffice Calc (.oxt), generated from the one function registry.

The extension holds the UNO interface as IDL (LibreOffice reads an .idl file as a type library,
so no SDK is needed), CalcAddIns.xcu with the Dutch help and the Excel name of each function,
the Python component (vng_xl/libreoffice/component.py) and a config saying where this vng_xl
and its numpy are, because the component runs in LibreOffice's own Python.
"""

from __future__ import annotations

import json
import site
import sys
import sysconfig
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from vng_xl import __version__
from vng_xl.functions import FUNCTIONS, Argument, ExcelFunction

#: The add-in's names in UNO: Calc stores a formula as IMPLEMENTATION + "." + function name.
MODULE = ("vng", "xl")
INTERFACE = "XVngFunctions"
IMPLEMENTATION = "vng.xl.VngFunctions"
IDENTIFIER = "nl.vng.vng-xl.calc-addin"  # the extension's identifier, for unopkg remove

COMPONENT = "vng_xl_addin.py"
CONFIG = "vng_xl_addin.json"
TYPES = "vng_xl_addin.idl"

#: UNO IDL keywords an argument may not be named (the interface would not compile).
IDL_RESERVED = frozenset(
    "any attribute boolean byte char const constants double enum exception float get hyper in inout "
    "interface long module oneway optional out property raises readonly sequence service set short "
    "string struct type typedef unsigned void".split()
)


def programmatic_name(fn: ExcelFunction | str) -> str:
    """The name LibreOffice writes in an .ods for a VNG function: vng.xl.VngFunctions.VNG_RAMING."""
    return f"{IMPLEMENTATION}.{fn if isinstance(fn, str) else fn.name}"


def idl_name(argument: str) -> str:
    """An argument's name in the IDL, which allows no underscore in it: van_jaar becomes vanJaar."""
    head, *rest = argument.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


#: Calc hands an argument of this type over as the cells it refers to (ScCellRangeObj), errors and
#: formulas included; an `any` argument that holds an error fails the call before the add-in runs.
CELLS = "com::sun::star::table::XCellRange"

#: A first argument of this type is Calc's document (hidden in the function wizard): for references
#: to other sheets.
DOCUMENT = "com::sun::star::beans::XPropertySet"
CALLER = "document"


def idl_type(argument: Argument) -> str:
    """An argument's UNO type: the cells for one that takes errors (VNG_FOUT), else `any` (may be omitted)."""
    return CELLS if argument.errors else "any"


def takes_cells(fn: ExcelFunction) -> bool:
    """Whether Calc hands the function cells (and the document first): VNG_FOUT, which reads errors."""
    return any(a.errors for a in fn.args)


def idl(functions: dict[str, ExcelFunction] = FUNCTIONS) -> str:
    """The UNO interface: one method per function, every argument `any` (so Calc may omit it).

    Every function returns a block, a 1×1 one for a single value: an `any` holding rows is no
    matrix to Calc.
    """
    lines = []
    for fn in functions.values():
        reserved = [a.name for a in fn.args if idl_name(a.name).lower() in IDL_RESERVED]
        if reserved:
            raise ValueError(f"{fn.name}: argument {reserved[0]!r} is an IDL keyword")
        params = ", ".join(f"[in] {idl_type(a)} {idl_name(a.name)}" for a in fn.args)
        if takes_cells(fn):
            params = f"[in] {DOCUMENT} {CALLER}, {params}"
        lines.append(f"        sequence< sequence< any > > {fn.name}({params});")
    opening = " ".join(f"module {m} {{" for m in MODULE)
    closing = " ".join("};" for _ in MODULE)
    return (
        f"{opening}\n    interface {INTERFACE} : com::sun::star::uno::XInterface {{\n"
        + "\n".join(lines)
        + f"\n    }};\n{closing}\n"
    )


#: The help exists in Dutch only; it is given as en-US, the locale LibreOffice falls back to (7.4 refuses
#: the extension, with a bad_alloc, when a value has several xml:lang variants or none).
HELP_LOCALES = ("en-US",)


def _value(text: str) -> str:
    """A localized value (LibreOffice refuses the extension when one has no xml:lang)."""
    return "".join(f'<value xml:lang="{lang}">{escape(text)}</value>' for lang in HELP_LOCALES)


def _prop(name: str, text: str) -> str:
    return f'<prop oor:name="{name}">{_value(text)}</prop>'


def calc_addins_xcu(functions: dict[str, ExcelFunction] = FUNCTIONS) -> str:
    """CalcAddIns.xcu: display name, Dutch help and Excel name (CompatibilityName) of each function."""
    nodes = []
    for fn in functions.values():
        params = "".join(
            f'<node oor:name={quoteattr(idl_name(a.name))} oor:op="replace">'
            f"{_prop('DisplayName', a.name)}{_prop('Description', a.help)}</node>"
            for a in fn.args
        )
        nodes.append(
            f'<node oor:name="{fn.name}" oor:op="replace">'
            f"{_prop('DisplayName', fn.name)}{_prop('Description', fn.help)}"
            f'<prop oor:name="Category"><value>Add-In</value></prop>'
            f'<prop oor:name="CompatibilityName"><value xml:lang="en-US">{fn.name}</value></prop>'
            f'<node oor:name="Parameters">{params}</node></node>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="CalcAddIns" oor:package="org.openoffice.Office">\n'
        f'<node oor:name="AddInInfo"><node oor:name="{IMPLEMENTATION}" oor:op="replace">'
        f'<node oor:name="AddInFunctions">\n' + "\n".join(nodes) + "\n</node></node></node>\n</oor:component-data>\n"
    )


def description_xml() -> str:
    """The extension's identity and version, as the extension manager shows them."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<description xmlns="http://openoffice.org/extensions/description/2006" '
        'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        f'<identifier value="{IDENTIFIER}"/>\n<version value="{__version__}"/>\n'
        '<display-name><name lang="nl">VNG Kadernota-functies (vng-xl)</name></display-name>\n'
        "</description>\n"
    )


def manifest_xml() -> str:
    """META-INF/manifest.xml: which file is the type library, the component and the configuration."""
    entries = [
        (TYPES, "application/vnd.sun.star.uno-typelibrary;type=RDB"),
        (COMPONENT, "application/vnd.sun.star.uno-component;type=Python"),
        ("CalcAddIns.xcu", "application/vnd.sun.star.configuration-data"),
    ]
    body = "".join(
        f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{kind}"/>\n' for path, kind in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">\n' + body + "</manifest:manifest>\n"
    )


def environment() -> dict[str, object]:
    """Where this vng_xl and its packages are, for LibreOffice's Python to find them."""
    import vng_xl

    source = str(Path(vng_xl.__file__).resolve().parent.parent)
    packages = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()]
    return {
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "source": [source],
        "site_packages": list(dict.fromkeys(str(Path(p).resolve()) for p in packages if Path(p).is_dir())),
    }


def config(env: dict[str, object] | None = None) -> str:
    """vng_xl_addin.json: the component's names and the environment to load vng_xl from."""
    data = {
        "implementation": IMPLEMENTATION,
        "functions": list(FUNCTIONS),
        "cell_functions": [fn.name for fn in FUNCTIONS.values() if takes_cells(fn)],
        **(env or environment()),
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def build_oxt(out: Path, env: dict[str, object] | None = None) -> Path:
    """Write the extension to `out` (written whole, then moved into place)."""
    component = Path(__file__).with_name("component.py").read_text(encoding="utf-8")
    parts = {
        "META-INF/manifest.xml": manifest_xml(),
        "description.xml": description_xml(),
        TYPES: idl(),
        "CalcAddIns.xcu": calc_addins_xcu(),
        COMPONENT: component,
        CONFIG: config(env),
    }
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/", "")  # LibreOffice 7.4 fails to add the package without it
        for name, text in parts.items():
            z.writestr(name, text)
    tmp.replace(out)
    return out
