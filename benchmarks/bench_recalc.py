"""Benchmark: recalculating 200 copies of a budget workbook, against the free alternatives.

Three runs side by side, each in its own process so that peak memory is its own:
  vng-xl       `vng-xl recalc DIR --out OUT --jobs N` on the workbook with VNG formulas
  libreoffice  `soffice --headless --convert-to xlsx` on the same workbook written with native
               formulas (LibreOffice has no VNG functions), set to recalculate on load
  formulas     the `formulas` package's own ExcelModel load/calculate/write, per file, with the
               VNG functions registered, over the same N processes

Usage: python benchmarks/bench_recalc.py [--copies 200] [--jobs N] [--formulas-copies 20]
Prints files per second and peak memory (largest process, MiB) for each.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
YEARS = [2025, 2026, 2027, 2028, 2029]
INDEX_A = [0.044, 0.020, 0.039, 0.039, 0.039]
INDEX_B = [0.025, 0.024, 0.022, 0.022, 0.022]
LINES = [
    ("Salarissen", "A", 39059724),
    ("Overige Personeelskosten", "B", 2362584),
    ("Afschrijvingen", "B", 1778619),
    ("Kantoor- en huisvestingskosten", "B", 6324645),
    ("Overige bedrijfskosten", "B", 1370031),
    ("Dekking Uren", "A", -10345280),
    ("Activiteitskosten", "B", 1081337),
    ("Doorbelasting Kosten Bedrijven", "B", -6066037),
    ("Doorbelasting Salarissen Gelieerde instellingen", "A", -852016),
    ("Overige baten", "B", -607000),
]
COPIES_PER_DEPARTMENT = 4  # each workbook holds this many departments' tables


def build(path: Path, native: bool) -> None:
    """The budget workbook: an index sheet and department sheets with projections, totals, ratios."""
    wb = xlsxwriter.Workbook(str(path))
    ix = wb.add_worksheet("Indexen")
    ix.write_row(0, 0, ["Jaar", *YEARS])
    ix.write_row(1, 0, ["A", *INDEX_A])
    ix.write_row(2, 0, ["B", *INDEX_B])
    # cumulative factors from 2025 (native formulas only need them)
    ix.write_row(3, 0, ["Factor A", 1])
    ix.write_row(4, 0, ["Factor B", 1])
    for j in range(2, 6):
        col = xlsxwriter.utility.xl_col_to_name(j)
        prev = xlsxwriter.utility.xl_col_to_name(j - 1)
        ix.write_formula(3, j, f"={prev}4*(1+{col}2)", None, 0)
        ix.write_formula(4, j, f"={prev}5*(1+{col}3)", None, 0)
    wb.define_name("Ingroei", "=0.01")
    for d in range(COPIES_PER_DEPARTMENT):
        ws = wb.add_worksheet(f"Afdeling {d + 1}")
        ws.write_row(0, 0, ["Post", "Type", *YEARS])
        for i, (name, typ, amount) in enumerate(LINES, start=1):
            r = i + 1  # Excel row
            ws.write_row(i, 0, [name, typ, amount * (1 + d / 10)])
            for j in range(3, 3 + len(YEARS) - 1):
                col = xlsxwriter.utility.xl_col_to_name(j)
                ixcol = xlsxwriter.utility.xl_col_to_name(j - 1)  # Indexen has no Post/Type columns
                if native:
                    f = f'=$C{r}*IF($B{r}="A",Indexen!{ixcol}$4,Indexen!{ixcol}$5)'
                else:
                    f = f"=VNG_RAMING($C{r},$B{r},{col}$1)"
                ws.write_formula(i, j, f, None, 0)
        n = len(LINES) + 1
        for j in range(2, 7):
            col = xlsxwriter.utility.xl_col_to_name(j)
            ws.write_formula(n, j, f"=SUM({col}2:{col}8)", None, 0)
            ws.write_formula(n + 1, j, f"=SUM({col}9:{col}11)", None, 0)
            ws.write_formula(n + 2, j, f"=ROUND({col}{n + 1}+{col}{n + 2},0)", None, 0)
            if j > 2:
                prev = xlsxwriter.utility.xl_col_to_name(j - 1)
                ws.write_formula(n + 3, j, f"=ROUND({col}{n + 3}/{prev}{n + 3}-1,3)", None, 0)
                ws.write_formula(n + 4, j, f"={col}{n + 4}+Ingroei", None, 0)
                idx = f"Indexen!{prev}2" if native else f'VNG_INDEX("A",{col}$1)'
                ws.write_formula(n + 5, j, f'=IF({col}{n + 4}>{idx},"boven","binnen")', None, "")
    wb.close()


def check_value(path: Path) -> float | None:
    """Afdeling 1's rounded total for 2029, to show that each tool really recalculated."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        sheet = next(n for n in wb.sheetnames if n.upper() == "AFDELING 1")  # formulas writes names upper-case
        return wb[sheet]["G14"].value
    except Exception:
        return None


def measured(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run a command in a child; return (seconds, peak RSS of its largest process in MiB)."""
    probe = textwrap.dedent(
        """
        import resource, subprocess, sys, time, json
        t = time.perf_counter()
        rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        dt = time.perf_counter() - t
        print(json.dumps([rc, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, env=env, check=True)
    rc, seconds, peak = json.loads(out.stdout)
    if rc not in (0, 1):
        raise RuntimeError(f"{cmd[:3]} exited {rc}")
    return seconds, peak


FORMULAS_RUN = """
import concurrent.futures as cf, sys, os
from pathlib import Path

def one(args):
    src, out = args
    import formulas
    from vng_xl.recalc.engine import ensure_vng_functions
    ensure_vng_functions()
    xl = formulas.ExcelModel().loads(src).finish()
    sol = xl.calculate()
    os.makedirs(out, exist_ok=True)
    xl.write(dirpath=out, solution=sol)
    return src

if __name__ == "__main__":
    src_dir, out_dir, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    files = sorted(src_dir.glob("*.xlsx"))
    work = [(str(f), str(out_dir / f.stem)) for f in files]
    with cf.ProcessPoolExecutor(jobs) as ex:
        list(ex.map(one, work))
"""

LO_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--formulas-copies", type=int, default=20, help="formulas is slow: time it on fewer copies")
    ap.add_argument("--skip", nargs="*", default=[], choices=["vng-xl", "libreoffice", "formulas"])
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-recalc-"))
    try:
        vng_dir, native_dir = tmp / "vng", tmp / "native"
        vng_dir.mkdir()
        native_dir.mkdir()
        build(vng_dir / "begroting_000.xlsx", native=False)
        build(native_dir / "begroting_000.xlsx", native=True)
        for i in range(1, args.copies):
            shutil.copy(vng_dir / "begroting_000.xlsx", vng_dir / f"begroting_{i:03}.xlsx")
            shutil.copy(native_dir / "begroting_000.xlsx", native_dir / f"begroting_{i:03}.xlsx")
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        rows = []
        if "vng-xl" not in args.skip:
            cmd = [
                sys.executable,
                "-m",
                "vng_xl",
                "recalc",
                str(vng_dir),
                "--out",
                str(tmp / "out-vng"),
                "--jobs",
                str(args.jobs),
            ]
            secs, peak = measured(cmd, env)
            rows.append(
                (
                    "vng-xl recalc (VNG formulas)",
                    args.copies,
                    secs,
                    peak,
                    check_value(tmp / "out-vng" / "begroting_000.xlsx"),
                )
            )
        if "libreoffice" not in args.skip and shutil.which("soffice"):
            profile = tmp / "lo-profile"
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(LO_RECALC_ALWAYS)
            files = sorted(str(p) for p in native_dir.glob("*.xlsx"))
            cmd = [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--calc",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp / "out-lo"),
                *files,
            ]
            secs, peak = measured(cmd)
            rows.append(
                (
                    "LibreOffice headless (native formulas)",
                    args.copies,
                    secs,
                    peak,
                    check_value(tmp / "out-lo" / "begroting_000.xlsx"),
                )
            )
        if "formulas" not in args.skip:
            sub = tmp / "formulas-in"
            sub.mkdir()
            for i in range(args.formulas_copies):
                shutil.copy(vng_dir / "begroting_000.xlsx", sub / f"begroting_{i:03}.xlsx")
            script = tmp / "run_formulas.py"
            script.write_text(FORMULAS_RUN)
            cmd = [sys.executable, str(script), str(sub), str(tmp / "out-formulas"), str(args.jobs)]
            secs, peak = measured(cmd, env)
            written = sorted((tmp / "out-formulas").rglob("*.xlsx")) or sorted((tmp / "out-formulas").rglob("*.XLSX"))
            rows.append(
                (
                    "formulas ExcelModel compute+write",
                    args.formulas_copies,
                    secs,
                    peak,
                    check_value(written[0]) if written else None,
                )
            )
        print(f"{'tool':<42}{'files':>6}{'seconds':>10}{'files/s':>10}{'peak MiB':>10}  check (Afdeling 1!G14)")
        for name, n, secs, peak, check in rows:
            print(f"{name:<42}{n:>6}{secs:>10.2f}{n / secs:>10.1f}{peak:>10.0f}  {check}")
        print(f"jobs={args.jobs}; the check column must agree across tools; peak = largest single process")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
