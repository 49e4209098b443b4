"""Benchmark: recalculating budget workbooks, `vng-xl recalc` against LibreOffice and IronCalc.

Three tools side by side in the same run, each in its own process so that its peak memory is
its own, on the budget of benchmarks/budget_workbook.py:
  vng-xl       `vng-xl recalc` on the budget with VNG_RAMING
  libreoffice  `soffice --headless --convert-to xlsx` on the same budget with the projection in
               ordinary functions (LibreOffice has no VNG functions), set to recalculate on load
  ironcalc     the `ironcalc` package (a Rust engine): load, evaluate, save, on the native budget

Sizes: 4,000 and 20,000 lines (5 formula cells a line), and 100 small files of 40 lines.
Each case runs --repeat rounds, each tool once a round in turn; the table shows the median seconds,
the ratio to vng-xl (> 1: that tool is slower), the largest peak memory (MiB) of one process and
the median CPU seconds (user + system) of all the tool's processes; below it, the lowest and
highest ratio of a single round.

Usage: python benchmarks/bench_recalc.py [--repeat 3] [--jobs 1] [--small-jobs 2] [--lines 4000 20000] [--files 100]
(--small-jobs: vng-xl's --jobs for the small files, default --jobs; the machine's cores are the limit)
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from budget_workbook import build_budget  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SMALL_LINES = 40

LO_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""

IRONCALC_RUN = """
import sys
from pathlib import Path
import ironcalc
out = Path(sys.argv[1])
for src in sys.argv[2:]:
    model = ironcalc.load_from_xlsx(src, "en", "UTC")
    model.evaluate()
    model.save_to_xlsx(str(out / Path(src).name))
"""

PROBE = textwrap.dedent(
    """
    import resource, subprocess, sys, time, json
    t = time.perf_counter()
    rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    dt = time.perf_counter() - t
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps([rc, dt, use.ru_maxrss / 1024, use.ru_utime + use.ru_stime]))
    """
)


def measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """Run a command in a child; return (seconds, peak RSS of its largest process in MiB, CPU seconds
    (user + system) of all its processes)."""
    out = subprocess.run([sys.executable, "-c", PROBE, *cmd], capture_output=True, text=True, env=env, check=True)
    rc, seconds, peak, cpu = json.loads(out.stdout)
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} exited {rc}")
    return seconds, peak, cpu


def total_2027(path: Path, lines: int) -> float | None:
    """The budget's total projection (D of the totals row), to show that each tool recalculated."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        ws = next(wb[n] for n in wb.sheetnames if n.upper() == "BEGROTING")
        value = ws.cell(lines + 2, 4).value
        return round(value, 2) if isinstance(value, float) else value
    except Exception:
        return None


def tool_commands(tool: str, files: list[Path], out: Path, tmp: Path, jobs: int) -> list[str] | None:
    if tool == "vng-xl":
        src = files[0] if len(files) == 1 else files[0].parent
        return [sys.executable, "-m", "vng_xl", "recalc", str(src), "--out", str(out), "--jobs", str(jobs)]
    if tool == "libreoffice":
        if not shutil.which("soffice"):
            return None
        profile = tmp / "lo-profile"
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(LO_RECALC_ALWAYS)
        return [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ]
    try:
        import ironcalc  # noqa: F401
    except ImportError:
        return None
    script = tmp / "run_ironcalc.py"
    script.write_text(IRONCALC_RUN)
    return [sys.executable, str(script), str(out), *map(str, files)]


def run_case(name: str, lines: int, copies: int, args, tmp: Path, env: dict, jobs: int) -> list[tuple]:
    """One size: --repeat rounds of each tool on the same files; (case, tool, median s, peak MiB, median
    CPU s, check, the tool's time over vng-xl's in each round)."""
    case = tmp / name
    vng_dir, native_dir = case / "vng", case / "native"
    vng_dir.mkdir(parents=True)
    native_dir.mkdir()
    for i in range(copies):  # each small file its own figures (variant), one template
        variant = i + 1 if copies > 1 else 0
        build_budget(vng_dir / f"begroting_{i:03}.xlsx", lines, variant=variant)
        build_budget(native_dir / f"begroting_{i:03}.xlsx", lines, native=True, variant=variant)
    tools = ("vng-xl", "libreoffice", "ironcalc")
    times: dict[str, list[float]] = {t: [] for t in tools}
    peaks: dict[str, list[float]] = {t: [] for t in tools}
    cpus: dict[str, list[float]] = {t: [] for t in tools}
    checks: dict[str, object] = {t: None for t in tools}
    # Round by round, each tool once in turn: a slow spell of the machine falls on all of them alike,
    # not on whichever tool happened to run its repeats then.
    for k in range(args.repeat):
        for tool in tools:
            folder = vng_dir if tool == "vng-xl" else native_dir
            files = sorted(folder.glob("*.xlsx"))
            out = case / f"out-{tool}-{k}"
            out.mkdir()
            cmd = tool_commands(tool, files, out, case, jobs)
            if cmd is None:
                continue
            secs, peak, cpu = measured(cmd, env if tool == "vng-xl" else None)
            times[tool].append(secs)
            peaks[tool].append(peak)
            cpus[tool].append(cpu)
            checks[tool] = total_2027(out / files[0].name, lines)
    rows = []
    for tool in tools:
        median = statistics.median(times[tool]) if times[tool] else None
        cpu = statistics.median(cpus[tool]) if cpus[tool] else None
        rounds = [t / v for t, v in zip(times[tool], times["vng-xl"])] if tool != "vng-xl" else []
        rows.append((name, tool, median, max(peaks[tool], default=None), cpu, checks[tool], rounds))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1, help="vng-xl's --jobs (LibreOffice and IronCalc use one core)")
    ap.add_argument("--lines", type=int, nargs="*", default=[4000, 20000])
    ap.add_argument("--files", type=int, default=100, help="small files of 40 lines")
    ap.add_argument("--small-jobs", type=int, help="vng-xl's --jobs for the small files (default: --jobs)")
    args = ap.parse_args()
    small_jobs = args.small_jobs or args.jobs
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # Byte-compiled once, as `pip install` leaves an installed package: without it, a Python run with
    # PYTHONDONTWRITEBYTECODE would compile every module from source on each run (~0.2 s).
    compileall.compile_dir(str(ROOT / "vng_xl"), quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="bench-recalc-"))
    rows = []
    try:
        for lines in args.lines:
            rows += run_case(f"{lines:,} lines ({lines * 5:,} formula cells)", lines, 1, args, tmp, env, args.jobs)
        if args.files:
            small = f"{args.files} files of {SMALL_LINES} lines"
            rows += run_case(small, SMALL_LINES, args.files, args, tmp, env, small_jobs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"| case | tool | median s | × vng-xl | peak MiB | CPU s | check: total {2027} |")
    print("|---|---|---:|---:|---:|---:|---:|")
    base = {}
    spread = []
    for case, tool, secs, peak, cpu, check, rounds in rows:
        if tool == "vng-xl":
            base[case] = secs
        if secs is None:
            print(f"| {case} | {tool} | not available | | | | |")
            continue
        ratio = secs / base[case] if base.get(case) else float("nan")
        rate = f" ({args.files / secs:.1f} files/s)" if case.startswith(f"{args.files} files") else ""
        print(f"| {case} | {tool} | {secs:.2f}{rate} | {ratio:.2f} | {peak:.0f} | {cpu:.2f} | {check} |")
        if rounds:
            spread.append(f"{case}, {tool}: {min(rounds):.2f}–{max(rounds):.2f}")
    jobs = f"--jobs {args.jobs}"
    if args.files and small_jobs != args.jobs:
        jobs += f" (small files: --jobs {small_jobs})"
    print(f"repeats={args.repeat} (round by round), vng-xl {jobs}; the check column must agree across tools")
    if spread:
        print("× vng-xl in each round (lowest–highest): " + "; ".join(spread))
    return 0


if __name__ == "__main__":
    sys.exit(main())
