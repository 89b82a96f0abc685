#!/usr/bin/env python
"""Live-preview benchmark: time from a save to every affected output on disk, for serve's rebuild.

Run by hand from anywhere (pytest does not collect bench_*.py):

    python tests/benchmarks/bench_serve.py                                # bundled, N = 1000, 5000; 5 runs each
    python tests/benchmarks/bench_serve.py --sizes bundled 1000 --runs 5
    python tests/benchmarks/bench_serve.py --sizes 1000 --runs 3 --profile   # also cProfile one prose and one YAML edit

For each site (a copy of the bundled content/ and templates/, or a synthetic site of N roles written by
bench_build.generate_site) it builds a `site_src.serve.Preview` in this process, exactly as `serve` does,
calls `rebuild()` twice to build and warm everything, then times three kinds of save:

  prose     one word of one role's Markdown replaced by a new word each run
  yaml      one pay band's `low` in data/pay.yaml lowered by another 1000 each run, so low <= high holds
  template  a new HTML comment just before </body> in templates/base.html each run: every page changes

Each timed run writes the file, starts the clock, calls `preview.rebuild()` and stops the clock when it
returns (rebuild returns only after the new site has been swapped in). Every run saves a version of the
file never saved before, so no cache can hold its result (going back to an earlier version would be served
from the memo), and each run checks that the affected output's bytes on disk changed in the expected way,
so a no-op cannot pass. A clean full build of the same site (a fresh Preview,
an empty cache folder and a new output folder) is timed for comparison with the template edit.
site_src/, content/ and templates/ are snapshotted into the work folder first and site_src is imported from
there, so others editing the checkout during a run cannot mix code versions. See tests/benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for _p in (str(REPO), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from bench_build import CONTENT, TEMPLATES, code_fingerprint, generate_site  # noqa: E402  (reused, not copied)

# Goals: (N, edit kind) -> the most a median rebuild may take, in seconds.
GOALS = {(1000, "prose"): 0.050, (1000, "yaml"): 0.100, (5000, "prose"): 0.300, (5000, "yaml"): 0.300}
KINDS = ("prose", "yaml", "template")
MARKER_WORD = "quillwort"  # the prose edit's new word: no digits (the typed-figure check stays quiet), rare
TEMPLATE_COMMENT = "<!-- preview benchmark template edit {} -->\n"
SUMMARY = re.compile(r"^(\d+) pages written, (\d+) unchanged, ([\d.]+) s$")


class BenchError(Exception):
    """A rebuild failed or did not change what it should have."""


# ---------------------------------------------------------------------------------------------------
# The code under test. main() copies site_src/, content/ and templates/ into the work folder and imports
# site_src from that copy, so edits to the checkout during a run (others may be working in it) cannot mix
# versions: the Markdown pool's "spawn" workers import site_src afresh, from the same sys.path.

Options = Preview = money = None  # set by use_code()
SNAPSHOT = {"content": CONTENT, "templates": TEMPLATES}

# Counting renders: pipeline calls site_src.render.render(...) once per output it re-renders (kept outputs
# skip it), so a thin wrapper counts how many outputs a rebuild rendered. It costs one extra call per render.
_renders = [0]


def use_code(folder: Path) -> str:
    """Snapshot the checkout's site_src, content and templates into folder and import site_src from there."""
    global Options, Preview, money
    if "site_src" in sys.modules:
        raise RuntimeError("site_src was imported before the snapshot")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.rmtree(folder, ignore_errors=True)
    for name in ("site_src", "content", "templates"):
        shutil.copytree(REPO / name, folder / name, ignore=ignore)
    SNAPSHOT.update(content=folder / "content", templates=folder / "templates")
    h = hashlib.sha256()  # as bench_build.code_fingerprint() hashes the checkout, before anything is compiled
    for root in (folder / "site_src", folder / "templates"):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    fingerprint = h.hexdigest()[:12]
    sys.path.insert(0, str(folder))
    import site_src.render as render_module
    from site_src.figures import money as _money
    from site_src.pipeline import Options as _Options
    from site_src.serve import Preview as _Preview

    if not Path(render_module.__file__).resolve().is_relative_to(folder.resolve()):
        raise RuntimeError(f"site_src was imported from {render_module.__file__}, not from the snapshot in {folder}")
    Options, Preview, money = _Options, _Preview, _money
    real = render_module.render

    def counting_render(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        _renders[0] += 1
        return real(*args, **kwargs)

    render_module.render = counting_render
    return fingerprint


@dataclass
class Report:
    """What one rebuild said: its changed outputs and its summary line."""

    changed: list[str]
    written: int
    unchanged: int
    build_s: float
    rendered: int
    other: list[str]  # warnings and anything else

    @classmethod
    def parse(cls, lines: list[str], rendered: int) -> "Report":
        changed, other, summary = [], [], None
        for line in lines:
            if line.startswith("changed: /"):
                changed.append(line[len("changed: /"):])
            elif SUMMARY.match(line):
                summary = SUMMARY.match(line)
            else:
                other.append(line)
        if summary is None:
            raise BenchError("no summary line in the rebuild's report:\n" + "\n".join(lines[-20:]))
        return cls(changed, int(summary[1]), int(summary[2]), float(summary[3]), rendered, other)

    @property
    def changed_pages(self) -> list[str]:
        return [p for p in self.changed if p.endswith(".html")]


def rebuild(preview: Preview, profile: cProfile.Profile | None = None) -> tuple[float, Report]:
    """One timed rebuild; raise BenchError if it failed."""
    _renders[0] = 0
    started = time.perf_counter()
    if profile:
        lines = profile.runcall(preview.rebuild)
    else:
        lines = preview.rebuild()
    elapsed = time.perf_counter() - started
    if preview.problems:
        raise BenchError("the rebuild failed:\n" + "\n".join(lines[:30]))
    return elapsed, Report.parse(lines, _renders[0])


# ---------------------------------------------------------------------------------------------------
# The sites and their edits.

@dataclass
class Edit:
    """One kind of save: apply(k) writes version k of the file, one never saved before, so no cache can hold
    its result; check(k, before, after) raises BenchError unless the affected output changed as it should."""

    kind: str
    path: Path
    original: str
    version: Callable[[int], tuple[str, str, str | None]]  # k -> (file text, text the probe must show, text it must not)
    probe: Path  # the output to look at
    all_pages: bool = False  # every page must show up in the changed lines

    def apply(self, k: int) -> None:
        self.path.write_text(self.version(k)[0], "utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, "utf-8")

    def check(self, k: int, before: bytes, after: bytes, report: Report, pages: int) -> None:
        what = f"{self.kind} edit run {k + 1}"
        _, expect, forbid = self.version(k)
        if after == before:
            raise BenchError(f"{what}: {self.probe} did not change on disk")
        text = after.decode("utf-8")
        if expect not in text:
            raise BenchError(f"{what}: {self.probe} does not contain {expect!r}")
        if forbid and forbid in text:
            raise BenchError(f"{what}: {self.probe} still contains {forbid!r}")
        if self.all_pages and len(report.changed_pages) != pages:
            raise BenchError(f"{what}: {len(report.changed_pages)} pages changed, expected all {pages}")


def letters(k: int) -> str:
    """A distinct run of letters for each k (a, b, ..., z, ba, bb, ...): new words without digits."""
    out = ""
    while True:
        out = chr(ord("a") + k % 26) + out
        k //= 26
        if not k:
            return out


@dataclass
class Site:
    label: str
    roles: int
    root: Path
    content: Path
    templates: Path

    def options(self, output: Path, cache: Path) -> Options:
        return Options(self.content, self.templates, output, date.today(), cache_dir=cache)


def make_site(token: str, work: Path, log: Callable[[str], None]) -> Site:
    """Copy the bundled site or generate a synthetic one (once) under work."""
    root = work / f"site-{token}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = time.perf_counter()
    if token == "bundled":
        shutil.copytree(SNAPSHOT["content"], root / "content")
        roles = len(list((root / "content" / "roles").glob("*.md")))
        label = "bundled"
    else:
        n = int(token)
        meta = generate_site(root / "content", n)
        roles, label = n, f"N={n}"
        log(f"{label}: generated {n} roles, {meta['words_per_page']:.0f} words/page, "
            f"{meta['markdown_mib']:.1f} MiB of Markdown in {time.perf_counter() - started:.1f} s")
    shutil.copytree(SNAPSHOT["templates"], root / "templates")
    return Site(label, roles, root, root / "content", root / "templates")


def _role_slug(text: str) -> str:
    m = re.search(r"^role:\s*(\S+)\s*$", text, re.M)
    if not m:
        raise BenchError("role page has no `role:` line in its front matter")
    return m.group(1)


def make_edits(site: Site, output: Path) -> dict[str, Edit]:
    """The three edits for this site, all aimed at one role in the middle of the list."""
    role_files = sorted((site.content / "roles").glob("*.md"))
    role_file = role_files[len(role_files) // 2]
    text = role_file.read_text("utf-8")
    slug = _role_slug(text)
    page = output / "roles" / slug / "index.html"

    # prose: the first plain word of five or more letters in an ordinary paragraph after the front matter.
    body_at = text.index("\n---\n", 4) + 5
    at = word = None
    pos = body_at
    for line in text[body_at:].split("\n"):
        if line and line[0].isalpha() and "{{" not in line and "|" not in line:
            m = re.search(r"(?<=\s)([a-z]{5,})(?=[\s,.])", line)
            if m:
                at, word = pos + m.start(1), m.group(1)
                break
        pos += len(line) + 1
    if at is None:
        raise BenchError(f"no plain word to edit in {role_file}")
    if MARKER_WORD in text:
        raise BenchError(f"{role_file} already contains {MARKER_WORD!r}")
    def prose_version(k: int) -> tuple[str, str, str | None]:
        new = MARKER_WORD + letters(k)
        return text[:at] + new + text[at + len(word):], new, MARKER_WORD + letters(k - 1) if k else None
    prose = Edit("prose", role_file, text, prose_version, page)

    # yaml: this role's first pay band; its low goes down by another 1000 each run, which keeps low <= high.
    pay = site.content / "data" / "pay.yaml"
    ptext = pay.read_text("utf-8")
    band_at = ptext.index(f"\n  - role: {slug}\n", ptext.index("\nbands:"))
    low_at = ptext.index("\n    low: ", band_at) + len("\n    low: ")
    low_end = ptext.index("\n", low_at)
    low = int(ptext[low_at:low_end])
    currency = re.search(r"\n    currency: (\S+)", ptext[band_at:low_at]).group(1)

    def yaml_version(k: int) -> tuple[str, str, str | None]:
        new_low = low - 1000 * (k + 1)
        return ptext[:low_at] + str(new_low) + ptext[low_end:], money(new_low, currency), None
    yaml = Edit("yaml", pay, ptext, yaml_version, page)

    # template: a comment inside <body>, after every block, so every page built on base.html changes.
    base = site.templates / "base.html"
    btext = base.read_text("utf-8")
    if btext.count("</body>") != 1:
        raise BenchError("templates/base.html should have exactly one </body>")

    def template_version(k: int) -> tuple[str, str, str | None]:
        comment = TEMPLATE_COMMENT.format(letters(k))
        previous = TEMPLATE_COMMENT.format(letters(k - 1)).strip() if k else None
        return btext.replace("</body>", comment + "</body>"), comment.strip(), previous
    template = Edit("template", base, btext, template_version, page, all_pages=True)
    return {"prose": prose, "yaml": yaml, "template": template}


# ---------------------------------------------------------------------------------------------------
# Measuring.

@dataclass
class Series:
    """The timed runs of one edit kind on one site."""

    times: list[float] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.times)

    def med(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.reports)


@dataclass
class SiteResult:
    site: Site
    pages: int = 0  # .html files in the output
    outputs: int = 0  # every file in the output
    first_build_s: float = 0.0
    hot_rebuild_s: float = 0.0
    series: dict[str, Series] = field(default_factory=dict)
    clean: list[float] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def count_files(folder: Path) -> tuple[int, int]:
    """(.html files, all files) under folder, skipping dot files."""
    html = total = 0
    for _, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                total += 1
                html += name.endswith(".html")
    return html, total


def profile_text(profile: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def bench_site(site: Site, runs: int, clean_runs: int, work: Path, do_profile: bool, profile_top: int,
               log: Callable[[str], None]) -> SiteResult:
    res = SiteResult(site)
    output, cache = work / f"out-{site.label}", work / f"cache-{site.label}"
    for path in (output, cache):
        shutil.rmtree(path, ignore_errors=True)
    preview = Preview(site.options(output, cache))
    res.first_build_s, first = rebuild(preview)
    res.warnings = first.other
    res.hot_rebuild_s, again = rebuild(preview)
    res.pages, res.outputs = count_files(output)
    log(f"{site.label}: first build {res.first_build_s:.2f} s ({first.written} files written, {len(first.other)} warning(s)); "
        f"rebuild with nothing changed {res.hot_rebuild_s * 1000:.0f} ms ({again.rendered} rendered, "
        f"{len(again.changed)} changed); {res.pages} pages, {res.outputs} files")
    for line in first.other[:5]:
        log(f"{site.label}: warning: {line}")

    edits = make_edits(site, output)
    for kind in KINDS:
        edit, series = edits[kind], Series()
        res.series[kind] = series
        try:
            for k in range(runs):
                before = edit.probe.read_bytes()
                edit.apply(k)
                elapsed, report = rebuild(preview)
                edit.check(k, before, edit.probe.read_bytes(), report, res.pages)
                series.times.append(elapsed)
                series.reports.append(report)
                log(f"{site.label}: {kind} run {k + 1}: {elapsed * 1000:.1f} ms, {report.written} written, "
                    f"{report.unchanged} unchanged, {report.rendered} rendered, {len(report.changed)} changed")
            if do_profile and kind in ("prose", "yaml"):
                profile = cProfile.Profile()
                edit.apply(runs)
                elapsed, _ = rebuild(preview, profile)
                res.profiles[kind] = (f"{site.label}, {kind} edit, one rebuild under cProfile: {elapsed * 1000:.0f} ms\n"
                                      + profile_text(profile, profile_top))
        finally:
            edit.restore()
        if kind != "template":  # leave the published site matching the sources; untimed
            rebuild(preview)

    # The clean build: nothing from the warm preview may help it.
    del preview
    gc.collect()
    for k in range(clean_runs):
        out, empty = work / f"clean-out-{site.label}", work / f"clean-cache-{site.label}"
        for path in (out, empty):
            shutil.rmtree(path, ignore_errors=True)
        fresh = Preview(site.options(out, empty))
        elapsed, report = rebuild(fresh)
        if count_files(out)[0] != res.pages:
            raise BenchError(f"clean build wrote {count_files(out)[0]} pages, expected {res.pages}")
        res.clean.append(elapsed)
        log(f"{site.label}: clean full build run {k + 1}: {elapsed:.2f} s ({report.written} files written)")
        del fresh
        gc.collect()
        for path in (out, empty):
            shutil.rmtree(path, ignore_errors=True)
    for path in (output, cache):
        shutil.rmtree(path, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------------
# Reporting.

def _ms(x: float) -> str:
    return f"{x * 1000:.1f}"


def report(results: list[SiteResult], runs: int) -> dict:
    """Print the table, the YAML edit's page counts and the goals; return the figures as plain data."""
    print()
    print(f"Live-preview benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), median of {runs} run(s) per edit;")
    print("time = preview.rebuild() in this process, from just after the save to the new site swapped in on disk;")
    print("written/unchanged/changed come from the rebuild's report lines (medians); rendered = outputs re-rendered through Jinja.")
    print()
    head = (f"{'site':<9}{'roles':>6}{'pages':>7}  {'edit':<10}{'median ms':>10}{'min ms':>9}{'max ms':>9}{'runs':>5}"
            f"{'written':>9}{'unchanged':>10}{'changed':>8}{'rendered':>9}")
    print(head)
    print("-" * len(head))
    data = {"sites": []}
    for res in results:
        s = res.site
        row = {"site": s.label, "roles": s.roles, "pages": res.pages, "first_build_s": res.first_build_s,
               "hot_rebuild_s": res.hot_rebuild_s, "clean_s": res.clean, "edits": {}}
        for kind in KINDS:
            ser = res.series.get(kind)
            if not ser or not ser.times:
                print(f"{s.label:<9}{s.roles:>6}{res.pages:>7}  {kind:<10}{'-':>10}  (not measured)")
                continue
            print(f"{s.label:<9}{s.roles:>6}{res.pages:>7}  {kind:<10}{_ms(ser.median()):>10}{_ms(min(ser.times)):>9}"
                  f"{_ms(max(ser.times)):>9}{len(ser.times):>5}{ser.med('written'):>9.0f}{ser.med('unchanged'):>10.0f}"
                  f"{statistics.median(len(r.changed) for r in ser.reports):>8.0f}{ser.med('rendered'):>9.0f}")
            row["edits"][kind] = {"times_s": ser.times, "median_s": ser.median(),
                                  "written": [r.written for r in ser.reports], "unchanged": [r.unchanged for r in ser.reports],
                                  "rendered": [r.rendered for r in ser.reports], "changed": [r.changed for r in ser.reports]}
        if res.clean:
            med = statistics.median(res.clean)
            print(f"{s.label:<9}{s.roles:>6}{res.pages:>7}  {'clean':<10}{_ms(med):>10}{_ms(min(res.clean)):>9}"
                  f"{_ms(max(res.clean)):>9}{len(res.clean):>5}   (fresh Preview, empty cache, new output folder)")
        data["sites"].append(row)
    print()
    for res in results:
        ser = res.series.get("yaml")
        if ser and ser.reports:
            r = ser.reports[0]
            shown = ", ".join("/" + p for p in r.changed[:6]) + (f", ... ({len(r.changed)} in all)" if len(r.changed) > 6 else "")
            print(f"YAML edit, {res.site.label}: {ser.med('written'):.0f} pages written, {ser.med('unchanged'):.0f} unchanged "
                  f"(of {res.outputs} files); {ser.med('rendered'):.0f} of {res.pages} pages re-rendered; changed: {shown or 'none'}")

    print()
    print("Goals")
    by_roles = {res.site.roles: res for res in results if res.site.label.startswith("N=")}
    goals = []

    def verdict(ok: bool, text: str) -> None:
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}")
        goals.append({"goal": text, "pass": ok})

    for (n, kind), limit in GOALS.items():
        res = by_roles.get(n)
        what = f"{kind} edit at N={n} <= {limit * 1000:.0f} ms"
        if res is None:
            print(f"  [ n/a ] {what}: N={n} not in --sizes")
            continue
        ser = res.series.get(kind)
        if not ser or not ser.times:
            verdict(False, f"{what}: not measured")
            continue
        verdict(ser.median() <= limit, f"{what}: median {_ms(ser.median())} ms")
    for res in results:
        ser = res.series.get("template")
        what = f"template edit faster than a clean full build, {res.site.label}"
        if not ser or not ser.times or not res.clean:
            verdict(False, f"{what}: not measured")
            continue
        t, c = ser.median(), statistics.median(res.clean)
        verdict(t < c, f"{what}: {_ms(t)} ms vs {_ms(c)} ms ({t / c:.2f} x)")
    for res in results:
        ser = res.series.get("yaml")
        what = f"YAML edit writes only the pages that show the figure, not all {res.pages}, {res.site.label}"
        if not ser or not ser.reports:
            verdict(False, f"{what}: not measured")
            continue
        rendered = ser.med("rendered")
        changed = statistics.median(len(r.changed_pages) for r in ser.reports)
        written = ser.med("written")
        extra = f"; {rendered - changed:.0f} page(s) re-rendered whose bytes did not change" if rendered > changed else ""
        verdict(changed < res.pages and rendered < res.pages,
                f"{what}: {written:.0f} files written, {changed:.0f} pages changed, {rendered:.0f} re-rendered{extra}")
    data["goals"] = goals
    return data


def parse_sizes(tokens: list[str]) -> list[str]:
    out = []
    for t in tokens:
        t = t.strip().lower()
        if t != "bundled" and not (t.isdigit() and int(t) > 0):
            raise argparse.ArgumentTypeError(f"size {t!r}: use 'bundled' or a number of roles")
        out.append(t)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", default=["bundled", "1000", "5000"],
                   help="sites: 'bundled' and/or role counts (default: bundled 1000 5000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per edit kind and site, alternating edit and revert (default: 5)")
    p.add_argument("--clean-runs", type=int, help="clean full builds per site (default: 3 for sites of up to 1000 roles, "
                                                   "1 above: a 5000-role cold build takes about a minute)")
    p.add_argument("--profile", action="store_true", help="also run one prose and one YAML edit per site under cProfile "
                                                          "(untimed) and print the top functions by cumulative time")
    p.add_argument("--profile-top", type=int, default=30, help="functions shown per profile (default: 30)")
    p.add_argument("--workdir", type=Path, help="where to put sites and outputs (default: a temp folder, removed after)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = p.parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes)
    except argparse.ArgumentTypeError as exc:
        p.error(str(exc))
    if args.runs < 1 or (args.clean_runs is not None and args.clean_runs < 1):
        p.error("--runs and --clean-runs must be at least 1")

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    before = code_fingerprint()
    tested = use_code(work / "code")
    log(f"work folder {work}; testing a snapshot of site_src/, templates/ and content/ (fingerprint {tested}, "
        f"same hash as bench_build's); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: list[SiteResult] = []
    started = time.perf_counter()
    status = 0
    try:
        for token in sizes:
            site = make_site(token, work, log)
            try:
                clean_runs = args.clean_runs or (3 if site.roles <= 1000 else 1)
                results.append(bench_site(site, args.runs, clean_runs, work, args.profile, args.profile_top, log))
            finally:
                if not args.keep:
                    shutil.rmtree(site.root, ignore_errors=True)
    except BenchError as exc:
        print(f"benchmark stopped: {exc}", file=sys.stderr)
        status = 1
    finally:
        if results:
            data = report(results, args.runs)
            for res in results:
                for text in res.profiles.values():
                    print()
                    print(text.rstrip())
            print()
            print(f"total {time.perf_counter() - started:.0f} s; load average at the end "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (this machine has {os.cpu_count()} CPUs; "
                  "other load skews the figures)")
            after = code_fingerprint()
            print(f"tested site_src+templates fingerprint {tested}" + ("" if after == before else
                  f"; note: the checkout changed during the run (now {after}); the figures are for the snapshot"))
            if args.json:
                data["fingerprint"] = {"tested": tested, "checkout_after": after}
                args.json.write_text(json.dumps(data, indent=2), "utf-8")
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
