#!/usr/bin/env python
"""Build benchmark: our pipeline against a naive Markdown-to-HTML loop, on synthetic sites of N roles.

Run by hand from anywhere (pytest does not collect bench_*.py):

    python tests/benchmarks/bench_build.py                       # N = 100, 1000, 5000; 3 runs each
    python tests/benchmarks/bench_build.py --sizes 100 --runs 1  # quick check that it works
    python tests/benchmarks/bench_build.py --sizes 1000 --json out.json

For each N it generates one deterministic synthetic site (data/*.yaml in the bundled formats and one
~1,200-word role write-up per role), then times, on those same files and in the same run:

  a  cold     a full build with no cache into a fresh output folder (`build.py --no-cache`)
  b  template a rebuild after a template edit, with the rendered-Markdown cache warm
  c  data     a rebuild after one pay figure changes in pay.yaml, with the cache warm
  d  naive    one process: strip front matter, markdown.markdown(), one Jinja template, write; nothing else

Every timed run is a fresh subprocess, so interpreter start-up, imports and pool start-up count, and
memory is per run: the subprocess reports its own peak RSS (VmHWM, which equals
getrusage(RUSAGE_SELF).ru_maxrss on Linux) and the peak RSS of its largest Markdown pool worker, sampled
from /proc every 0.1 s. getrusage(RUSAGE_CHILDREN).ru_maxrss is reported too, but for "spawn" workers it
is the parent's size at fork (Linux carries the pre-exec peak across exec), so it overstates workers.
See tests/benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
CONTENT = REPO / "content"
MARK = "BENCH-JSON "

# Goals printed beside the figures.
GOAL_N = 1000
GOAL_COLD = 0.55  # cold build <= 0.55 x naive at N=1000
GOAL_REBUILD = 0.25  # template- and data-change rebuilds <= 0.25 x naive at N=1000
GOAL_MEM_N = 5000
GOAL_MEM_MIB = 100.0  # peak RSS of any one process of a build at N=5000

# ---------------------------------------------------------------------------------------------------
# Subprocess bodies. They run with cwd=REPO, so `site_src` imports from this checkout.

# A build through the real CLI; argv after -c is the CLI's argv.
BUILD_CHILD = r"""
import json, os, resource, sys, threading, time
t0 = time.perf_counter()

def hwm(pid):
    # VmHWM: peak RSS of the process's current memory image. Unlike ru_maxrss it is not inflated by the
    # fork-before-exec that starts a "spawn" pool worker (ru_maxrss would report the parent's size then).
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0

peaks, stop, me = {}, threading.Event(), os.getpid()

def watch():
    # Every 0.1 s: find this process's children (the pool workers) and record their peak RSS.
    while not stop.wait(0.1):
        try:
            names = [n for n in os.listdir("/proc") if n.isdigit()]
        except OSError:
            return
        for name in names:
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == me:
                peaks[name] = max(peaks.get(name, 0), hwm(name))

if os.path.isdir("/proc/self"):
    threading.Thread(target=watch, daemon=True).start()
from site_src.cli import main
t1 = time.perf_counter()
rc = main(sys.argv[1:])
t2 = time.perf_counter()
stop.set()
me_ru = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.flush()
print("BENCH-JSON " + json.dumps({"rc": rc, "import_s": t1 - t0, "build_s": t2 - t1,
      "self_maxrss_kib": hwm("self") or me_ru.ru_maxrss, "children_maxrss_kib": max(peaks.values(), default=0),
      "children_seen": len(peaks), "ru_self_maxrss_kib": me_ru.ru_maxrss, "ru_children_maxrss_kib": kids.ru_maxrss,
      "self_cpu_s": me_ru.ru_utime + me_ru.ru_stime, "children_cpu_s": kids.ru_utime + kids.ru_stime}))
sys.exit(rc)
"""

# The naive reference: argv = content_dir, output_dir, JSON list of extensions, JSON extension config.
NAIVE_CHILD = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
import markdown, jinja2
content, out, extensions, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
template = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{{ title }}</title>\n</head>\n"
    "<body>\n<main>\n<h1>{{ title }}</h1>\n{{ body | safe }}\n</main>\n</body>\n</html>\n")
t1 = time.perf_counter()
md_s = render_s = write_s = 0.0
roles = os.path.join(content, "roles")
names = sorted(n for n in os.listdir(roles) if n.endswith(".md"))
for name in names:
    with open(os.path.join(roles, name), encoding="utf-8") as f:
        text = f.read()
    title = name[:-3]
    if text.startswith("---\n"):
        front, _, text = text[4:].partition("\n---\n")
        for line in front.splitlines():
            if line.startswith("role:"):
                title = line[5:].strip()
    a = time.perf_counter()
    body = markdown.markdown(text, extensions=extensions, extension_configs=config)
    b = time.perf_counter()
    html = template.render(title=title, body=body)
    c = time.perf_counter()
    folder = os.path.join(out, "roles", title)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as f:
        f.write(html)
    d = time.perf_counter()
    md_s += b - a
    render_s += c - b
    write_s += d - c
t2 = time.perf_counter()
me = resource.getrusage(resource.RUSAGE_SELF)
hwm = 0
try:
    with open("/proc/self/status") as f:
        hwm = next((int(line.split()[1]) for line in f if line.startswith("VmHWM:")), 0)
except OSError:
    pass
print("BENCH-JSON " + json.dumps({"rc": 0, "pages": len(names), "import_s": t1 - t0, "build_s": t2 - t1,
      "markdown_s": md_s, "render_s": render_s, "write_s": write_s,
      "self_maxrss_kib": hwm or me.ru_maxrss, "children_maxrss_kib": 0, "ru_self_maxrss_kib": me.ru_maxrss,
      "self_cpu_s": me.ru_utime + me.ru_stime, "children_cpu_s": 0.0}))
"""

# ---------------------------------------------------------------------------------------------------
# Synthetic site. Prose holds no digits at all, so the typed-figure check never fires; figures appear
# only through shortcodes and in Markdown table rows (which the check skips).

FIELDS = ["data", "platform", "model", "evaluation", "inference", "retrieval", "agent", "safety", "search",
          "vision", "speech", "analytics", "training", "serving", "feature", "quality", "privacy", "security",
          "product", "research", "content", "design", "growth", "risk", "compliance", "support", "tooling",
          "pipeline", "labeling", "robotics", "forecasting", "pricing", "ranking", "ads", "fraud", "health"]
KINDS = ["engineer", "manager", "analyst", "scientist", "architect", "designer", "strategist", "lead",
         "specialist", "operator", "researcher", "writer", "consultant", "steward", "reviewer", "planner"]
ADJ = ["reliable", "careful", "noisy", "quiet", "shared", "internal", "external", "costly", "cheap", "slow",
       "fast", "brittle", "sturdy", "legacy", "modern", "manual", "automated", "hidden", "visible", "shallow",
       "deep", "narrow", "broad", "early", "late", "formal", "informal", "central", "local", "remote", "steady",
       "uneven", "clear", "vague", "strict", "loose", "small", "large", "mature", "young", "regulated", "open",
       "private", "public", "practical", "theoretical", "routine", "unusual", "critical", "minor", "senior",
       "junior", "seasoned", "curious", "patient", "stubborn", "honest", "measured", "bold", "cautious"]
NOUNS = ["pipeline", "dashboard", "model", "dataset", "roadmap", "budget", "incident", "review", "launch",
         "metric", "benchmark", "prototype", "runbook", "contract", "vendor", "customer", "stakeholder",
         "interview", "portfolio", "deadline", "outage", "release", "experiment", "hypothesis", "rubric",
         "checklist", "backlog", "migration", "cluster", "endpoint", "schema", "index", "cache", "queue",
         "workflow", "handoff", "escalation", "audit", "policy", "spreadsheet", "notebook", "template",
         "report", "summary", "forecast", "estimate", "trade-off", "constraint", "requirement", "decision",
         "meeting", "memo", "spec", "demo", "pilot", "rollout", "regression", "baseline", "threshold",
         "signal", "alert", "label", "annotation", "prompt", "evaluation", "retriever", "guardrail",
         "service", "library", "framework", "platform", "team", "manager", "mentor", "peer", "recruiter"]
SUBJECTS = ["teams", "hiring managers", "new hires", "most candidates", "senior people", "good managers",
            "recruiters", "platform groups", "product leads", "the best teams", "smaller companies",
            "larger companies", "early-stage startups", "regulated firms", "consultancies", "agencies",
            "people who move across", "interviewers", "experienced practitioners", "newcomers"]
VERBS = ["build", "review", "ship", "measure", "maintain", "question", "document", "rewrite", "simplify",
         "automate", "debug", "own", "plan", "test", "monitor", "explain", "defend", "retire", "replace",
         "compare", "prioritize", "scope", "estimate", "negotiate", "audit", "stabilize", "untangle",
         "prototype", "benchmark", "triage", "present", "inherit", "rethink", "protect", "share"]
ADVERBS = ["usually", "often", "rarely", "quietly", "carefully", "quickly", "eventually", "openly",
           "reluctantly", "deliberately", "gradually", "regularly", "seldom", "happily", "patiently"]
DETS = ["the", "every", "each", "their", "your", "that", "this", "one", "a shared", "the next", "the old"]
PREPS = ["with", "for", "across", "around", "behind", "under", "without", "alongside", "before", "after"]
CONNECT = ["because", "while", "so", "although", "since", "and then", "but", "until", "whenever"]
H3 = ["A typical week", "Where the time goes", "Tools of the trade", "How the role differs",
      "Signals in a job ad", "What interviewers probe", "Questions to ask", "Common titles",
      "Moving sideways", "The first quarter", "Proof that counts", "What to skip", "Reading the market",
      "How teams are shaped", "Where it is heading", "Red flags", "What good looks like", "The quiet parts"]

SECTIONS = ("What the work is", "Who hires", "Pay", "Entry paths", "The failure mode to avoid", "Durability")
BACKGROUNDS = [("platform-engineer", "Platform engineering"), ("sre", "Site reliability engineering"),
               ("infrastructure-engineer", "Infrastructure engineering"), ("data-engineer", "Data engineering"),
               ("software-engineer", "Software engineering"), ("data-scientist", "Data science"),
               ("technical-content-designer", "Technical content design"), ("technical-writer", "Technical writing"),
               ("developer-tooling", "Developer tooling"), ("product-manager", "Product management"),
               ("program-manager", "Program or technical program management"),
               ("solutions-engineer", "Solutions engineering"),
               ("senior-ic-engineer", "Senior individual-contributor engineering"),
               ("non-technical", "A non-technical background")]
FITS = [("strong", "Shortest path"), ("good", "Common path"), ("possible", "Possible with extra work"),
        ("weak", "Often struggles")]
SOURCES = [("ikimate-2026", "MLOps, Prompt Engineer, or AI Product Manager: Which AI Career Pays Best in 2026",
            "Ikimate Editorial"),
           ("bench-market-survey", "A synthetic survey of the AI hiring market", "Benchmark Research"),
           ("bench-hiring-panel", "A synthetic panel of hiring managers", "Benchmark Panel")]
# (key, label, unit, value range/choices, has high)
FACTS = [("reliability-share", "Share of the job that is reliability engineering", "percent"),
         ("first-wave-hiring", "Years of the first wave of AI hiring that now needs an operations layer", "year"),
         ("redefinitions", "Waves of redefinition the role has gone through since it emerged", "count"),
         ("adjacent-skills-window", "Time within which a newcomer should build adjacent skills", "months"),
         ("ramp-time", "Time a strong hire needs to work unsupervised", "years")]
WORDS_TARGET = 1200


def _alpha(i: int) -> str:
    """0 -> aaa, 1 -> aab, ...: a digit-free suffix that keeps ids unique and typed-figure-free."""
    out = ""
    for _ in range(3):
        i, r = divmod(i, 26)
        out = chr(ord("a") + r) + out
    return out


@dataclass
class RoleSpec:
    """One synthetic role: its data records and what its page may cite."""

    id: str
    title: str
    in_sentence: str
    facts: list[tuple[str, str, str, float, float | None]] = field(default_factory=list)
    bands: list[dict] = field(default_factory=list)
    paths: list[dict] = field(default_factory=list)
    horizon: int = 5


class Prose:
    """Deterministic, varied English-ish prose from a seeded generator."""

    def __init__(self, rng: random.Random, markup: bool = True):
        self.r = rng
        self.words = 0
        self.markup = markup  # False for data strings: no emphasis, links, code or quotes

    def obj(self) -> str:
        r = self.r
        phrase = f"{r.choice(DETS)} {r.choice(ADJ)} {r.choice(NOUNS)}"
        roll = r.random() if self.markup else 1.0
        if roll < 0.05:
            phrase = f"*{phrase}*"
        elif roll < 0.08:
            phrase = f"**{phrase}**"
        elif roll < 0.11:
            noun, adj = r.choice(NOUNS), r.choice(ADJ)
            phrase = f"[{adj} {noun}s](https://example.org/notes/{noun}-{adj}/)"
        elif roll < 0.13:
            phrase = f"`{r.choice(NOUNS).replace('-', '_')}_{r.choice(NOUNS).replace('-', '_')}`"
        elif roll < 0.15:
            phrase = f"\"{r.choice(ADJ)} {r.choice(NOUNS)}\""
        elif roll < 0.17:
            phrase = f"the {r.choice(NOUNS)}'s {r.choice(NOUNS)}"
        return phrase

    def sentence(self) -> str:
        r = self.r
        s = f"{r.choice(SUBJECTS)} {r.choice(ADVERBS) + ' ' if r.random() < 0.4 else ''}{r.choice(VERBS)} {self.obj()}"
        if r.random() < 0.6:
            s += f" {r.choice(PREPS)} {self.obj()}"
        if r.random() < 0.4:
            s += f", {r.choice(CONNECT)} {r.choice(SUBJECTS)} {r.choice(VERBS)} {self.obj()}"
        s = s[0].upper() + s[1:] + r.choice([".", ".", ".", ".", "!", "?"] if r.random() < 0.1 else ["."])
        self.words += len(s.split())
        return s

    def paragraph(self, low: int = 3, high: int = 6, extra: str = "") -> str:
        parts = [self.sentence() for _ in range(self.r.randint(low, high))]
        if extra:
            parts.insert(self.r.randint(0, len(parts)), extra)
            self.words += len(extra.split())
        return " ".join(parts)

    def item(self) -> str:
        r = self.r
        s = f"{r.choice(VERBS)} {self.obj()} {r.choice(PREPS)} {self.obj()}"
        self.words += len(s.split())
        return s

    def bullets(self, low: int = 3, high: int = 6) -> str:
        return "\n".join(f"- {self.item()}" for _ in range(self.r.randint(low, high)))

    def heading(self) -> str:
        h = f"{self.r.choice(H3)}: {self.r.choice(ADJ)} {self.r.choice(NOUNS)}s"
        self.words += len(h.split())
        return h


def _q(s: str) -> str:
    """A YAML scalar: plain when that is safe (it is for generated words), else double-quoted."""
    if any(c in s for c in ":#{}[]&*!|>'\"%@`") or s.strip() != s or s[:1] in "-?,":
        return json.dumps(s)
    return s


def _roles(n: int, rng: random.Random) -> list[RoleSpec]:
    roles = []
    for i in range(n):
        fld, kind = FIELDS[i % len(FIELDS)], KINDS[(i // len(FIELDS)) % len(KINDS)]
        suffix = _alpha(i)
        rid = f"{fld}-{kind}-{suffix}"
        title = f"{fld.capitalize()} {kind} {suffix.upper()}"
        spec = RoleSpec(rid, title, f"{fld} {kind} {suffix.upper()}", horizon=rng.choice([3, 5, 5, 10]))
        for key, label, unit in rng.sample(FACTS, rng.randint(1, 3)):
            if unit == "percent":
                value, high = rng.randrange(40, 95, 5), None
            elif unit == "year":
                value = rng.choice([2022, 2023, 2024])
                high = value + 1 if rng.random() < 0.5 else None
            elif unit == "count":
                value, high = rng.randint(2, 6), None
            elif unit == "months":
                value, high = rng.choice([6, 9, 12, 18]), None
            else:
                value = rng.randint(1, 3)
                high = value + 1 if rng.random() < 0.5 else None
            spec.facts.append((key, label, unit, value, high))
        # Pay: senior/mid-market, senior/top-tier, and one of staff/top-tier or junior/unstated.
        low = rng.randrange(140_000, 240_000, 5_000)
        high = low + rng.randrange(30_000, 90_000, 5_000)
        spec.bands.append({"levels": ["senior"], "tier": "mid-market", "basis": "total-comp", "low": low, "high": high,
                           "scope": "Entry into senior roles at mid-size companies"})
        low2 = high + rng.randrange(20_000, 80_000, 5_000)
        top_open = rng.random() < 0.4
        spec.bands.append({"levels": ["senior"], "tier": "top-tier", "basis": "total-comp", "low": low2,
                           "high": low2 + rng.randrange(50_000, 150_000, 10_000), "open_ended": top_open,
                           "scope": "Entry into senior roles at top-tier AI labs and hyperscalers"})
        if rng.random() < 0.5:
            spec.bands.append({"levels": ["staff"], "tier": "top-tier", "basis": "total-comp",
                               "low": rng.randrange(400_000, 700_000, 50_000), "high": None, "open_ended": True,
                               "scope": "Staff and principal roles at leading AI companies regularly clear this figure"})
        elif rng.random() < 0.8:
            jl = rng.randrange(90_000, 140_000, 5_000)
            spec.bands.append({"levels": ["junior"], "tier": "unstated", "basis": "unstated", "low": jl,
                               "high": jl + rng.randrange(20_000, 60_000, 5_000),
                               "scope": "Junior-equivalent roles"})
        for j, (bg, _) in enumerate(rng.sample(BACKGROUNDS, rng.randint(2, 3))):
            path = {"background": bg, "fit": "strong" if j == 0 else rng.choice(["good", "possible", "weak"])}
            if j == 0 or rng.random() < 0.4:
                lo = rng.randint(3, 9)
                path["runway"] = (lo, lo + rng.randint(2, 9))
            else:
                path["runway"] = None
            if rng.random() < 0.2 and path["runway"]:
                path["bridge_role"] = True
            spec.paths.append(path)
        roles.append(spec)
    return roles


def _yaml_data(roles: list[RoleSpec], rng: random.Random, as_of: str, published: str) -> dict[str, str]:
    """The four data files, in the bundled files' layout and key order."""
    src_ids = [s[0] for s in SOURCES]
    out = ["# yaml-language-server: $schema=../../site_src/schemas/sources.schema.json",
           "# Every source that a figure on the site cites. Figures name a source by its id.", "sources:"]
    for sid, title, publisher in SOURCES:
        out += [f"  - id: {sid}", f"    title: {json.dumps(title)}", f"    publisher: {publisher}",
                f"    published: {published}", "    covers: U.S. base salaries and total compensation, entry paths, durability"]
    sources = "\n".join(out) + "\n"

    out = ["# yaml-language-server: $schema=../../site_src/schemas/roles.schema.json",
           "# One entry per role. The order here is the order roles appear across the site.", "roles:"]
    p = Prose(rng, markup=False)
    for r in roles:
        out += [f"  - id: {r.id}", f"    title: {r.title}", f"    in_sentence: {r.in_sentence}",
                "    summary: >-", f"      {_q(p.sentence())}", f"    family: {_q(rng.choice(FIELDS).capitalize() + ' engineering')}",
                "    bridge_project: >-", f"      {_q(p.sentence())}", "    hardest_entry: >-", f"      {_q(p.sentence())}",
                "    durability:", f"      outlook: {rng.choice(['strong', 'moderate', 'exposed'])}",
                f"      horizon_years: {r.horizon}", "      note: >-", f"        {_q(p.sentence())}",
                f"      source: {rng.choice(src_ids)}", f"      as_of: {as_of}"]
        if r.facts:
            out.append("    facts:")
            for key, label, unit, value, high in r.facts:
                out += [f"      - key: {key}", f"        label: {label}", f"        value: {value}"]
                if high is not None:
                    out.append(f"        high: {high}")
                out += [f"        unit: {unit}", f"        source: {rng.choice(src_ids)}", f"        as_of: {as_of}"]
        else:
            out.append("    facts: []")
        out.append("")
    roles_yaml = "\n".join(out) + "\n"

    out = ["# yaml-language-server: $schema=../../site_src/schemas/pay.schema.json",
           "# Pay bands: one entry per role x level(s) x company tier x location.",
           "levels:", "  - id: junior", "    label: Junior", "  - id: senior", "    label: Senior",
           "  - id: staff", "    label: Staff and principal",
           "tiers:", "  - id: mid-market", "    label: Mid-size and mid-to-large tech companies",
           "  - id: top-tier", "    label: Top AI labs, hyperscalers and FAANG-tier companies",
           "  - id: unstated", "    label: Company tier not stated by the source",
           "locations:", "  - id: us", "    label: United States", "    currency: USD",
           "bases:", "  - id: total-comp", "    label: Total compensation",
           "  - id: unstated", "    label: Compensation (the source does not say base or total)", "bands:"]
    for r in roles:
        for b in r.bands:
            out += [f"  - role: {r.id}", f"    levels: [{', '.join(b['levels'])}]", f"    tier: {b['tier']}",
                    "    location: us", f"    basis: {b['basis']}", "    currency: USD", f"    low: {b['low']}",
                    f"    high: {'null' if b['high'] is None else b['high']}"]
            if b.get("open_ended"):
                out.append("    open_ended: true")
            out += [f"    scope: {b['scope']}", f"    source: {rng.choice(src_ids)}", f"    as_of: {as_of}"]
    out.append("verdicts:")
    for measure, label, r in (("top-end", "Pays best at the top end", roles[0]),
                              ("median", "Pays best at the median", roles[min(1, len(roles) - 1)]),
                              ("variance", "Widest gap between good and bad placements", roles[min(2, len(roles) - 1)])):
        out += [f"  - measure: {measure}", f"    label: {label}", f"    role: {r.id}", "    source: ikimate-2026",
                f"    as_of: {as_of}"]
    pay = "\n".join(out) + "\n"

    out = ["# yaml-language-server: $schema=../../site_src/schemas/paths.schema.json",
           "# Entry paths: how people from each background move into each role.",
           "# `runway_months: null` means the source gives no duration for that path.", "backgrounds:"]
    for bid, label in BACKGROUNDS:
        out += [f"  - id: {bid}", f"    label: {label}"]
    out.append("fits:")
    for fid, label in FITS:
        out += [f"  - id: {fid}", f"    label: {label}"]
    out.append("paths:")
    for r in roles:
        for path in r.paths:
            out += [f"  - role: {r.id}", f"    background: {path['background']}", f"    fit: {path['fit']}",
                    "    runway_months: " + ("null" if path["runway"] is None else
                                             f"{{low: {path['runway'][0]}, high: {path['runway'][1]}}}")]
            if path.get("bridge_role"):
                out.append("    bridge_role: true")
            if rng.random() < 0.7:
                out.append(f"    needs: {_q(p.item().capitalize())}")
            if rng.random() < 0.3:
                out.append(f"    caveat: {_q(p.item().capitalize())}")
            out += [f"    source: {rng.choice(src_ids)}", f"    as_of: {as_of}"]
    out.append("recommendations:")
    for r in roles[::10]:
        out += [f"  - role: {r.id}",
                f"    backgrounds: [{', '.join(b for b, _ in rng.sample(BACKGROUNDS, 3))}]", "    reasons:"]
        out += [f"      - {_q(p.item().capitalize())}" for _ in range(rng.randint(2, 3))]
        out += ["    source: ikimate-2026", f"    as_of: {as_of}"]
    paths = "\n".join(out) + "\n"
    return {"sources.yaml": sources, "roles.yaml": roles_yaml, "pay.yaml": pay, "paths.yaml": paths}


def _page(r: RoleSpec, others: list[RoleSpec], rng: random.Random) -> str:
    """One role write-up: front matter, the six configured sections, ~WORDS_TARGET words."""
    p = Prose(rng)
    other = lambda: f"{{{{ role id={rng.choice(others).id} }}}}"  # noqa: E731
    sec: dict[str, list[str]] = {s: [] for s in SECTIONS}

    w = sec["What the work is"]
    w.append(p.paragraph(4, 6))
    w.append(p.paragraph(3, 5, extra=f"The work sits close to that of the {other()}."))
    w.append("In a normal week you might:\n\n" + p.bullets(5, 7))
    w.append(f"### {p.heading()}\n\n{p.paragraph(3, 5)}")

    w = sec["Who hires"]
    fact = rng.choice(r.facts)
    w.append(p.paragraph(3, 5, extra=f"About {{{{ fact role={r.id} key={fact[0]} }}}} is the figure hiring managers quote."))
    w.append(f"### {p.heading()}\n\n" + p.bullets(3, 5))
    w.append(p.paragraph(2, 4, extra=f"Compare the {other()} and the {other()}."))

    w = sec["Pay"]
    w.append("These are U.S. total compensation figures.")
    items = []
    for b in r.bands:
        items.append(f"- {p.item().capitalize()}: around {{{{ pay role={r.id} level={b['levels'][0]} tier={b['tier']} }}}}.")
    w.append("\n".join(items))
    rows = ["| Level | Company tier | Low | High |", "| --- | --- | ---: | ---: |"]
    for b in r.bands:
        rows.append(f"| {b['levels'][0].capitalize()} | {b['tier']} | {b['low']} | {b['high'] or 'open'} |")
    w.append("\n".join(rows))
    w.append(p.paragraph(3, 5))
    w.append(f"### {p.heading()}\n\n{p.paragraph(2, 4)}")

    w = sec["Entry paths"]
    items = []
    for path in r.paths:
        if path["runway"]:
            items.append(f"- {{{{ runway role={r.id} background={path['background']} }}}} from "
                         f"{{{{ background id={path['background']} }}}}, {p.item()}")
        else:
            items.append(f"- from {{{{ background id={path['background']} }}}}: {p.item()}")
    w.append(p.paragraph(2, 4))
    w.append("\n".join(items))
    w.append(f"### {p.heading()}\n\n{p.paragraph(3, 5)}")

    w = sec["The failure mode to avoid"]
    w.append(p.paragraph(3, 5))
    w.append("> " + p.paragraph(1, 2))
    w.append(f"### {p.heading()}\n\n{p.paragraph(2, 4)}")

    w = sec["Durability"]
    w.append(p.paragraph(2, 4, extra=f"The outlook over the next {{{{ horizon role={r.id} }}}} is steady."))
    # Top up to the target length, spreading the rest over the sections.
    names = list(SECTIONS)
    words = sum(len(block.split()) for blocks in sec.values() for block in blocks) + 2 * len(names)
    while words < WORDS_TARGET - 30:
        block = p.paragraph(1, 4)
        sec[names[rng.randrange(len(names))]].append(block)
        words += len(block.split())
    article = "an" if r.in_sentence[0] in "aeiou" else "a"
    desc = f"What {article} {r.in_sentence} does, who hires one, what it pays, and the mistake that sinks most applicants."[:160]
    body = "\n\n".join(f"## {name}\n\n" + "\n\n".join(blocks) for name, blocks in sec.items())
    return f"---\nrole: {r.id}\ndescription: {_q(desc)}\n---\n\n{body}\n"


def generate_site(root: Path, n: int, seed: int = 20261127) -> dict:
    """Write a synthetic content folder for n roles under root; return what was written."""
    rng = random.Random(seed * 1_000_003 + n)
    if root.exists():
        shutil.rmtree(root)
    (root / "data").mkdir(parents=True)
    (root / "roles").mkdir()
    shutil.copyfile(CONTENT / "site.yaml", root / "site.yaml")
    today = date.today()
    as_of, published = (today - timedelta(days=200)).isoformat(), (today - timedelta(days=220)).isoformat()
    roles = _roles(n, rng)
    for name, text in _yaml_data(roles, rng, as_of, published).items():
        (root / "data" / name).write_text(text, "utf-8")
    words = total = 0
    for i, r in enumerate(roles):
        page_rng = random.Random(f"{seed}:{n}:{i}")
        text = _page(r, roles, page_rng)
        (root / "roles" / f"{r.id}.md").write_text(text, "utf-8")
        words += len(text.split("\n---\n", 1)[1].split())
        total += len(text.encode("utf-8"))
    return {"roles": n, "words_per_page": words / n, "markdown_mib": total / 2**20}


# ---------------------------------------------------------------------------------------------------
# Running and measuring.

class ChildFailed(Exception):
    pass


class ChildTimeout(Exception):
    pass


@dataclass
class Sample:
    wall_s: float
    info: dict

    @property
    def main_mib(self) -> float:
        return self.info["self_maxrss_kib"] / 1024

    @property
    def worker_mib(self) -> float:
        return self.info["children_maxrss_kib"] / 1024

    @property
    def ru_children_mib(self) -> float:
        return self.info.get("ru_children_maxrss_kib", 0) / 1024


def run_child(code: str, args: list[str], timeout: float) -> Sample:
    """Run `python -c code args...` in REPO; return wall time and the JSON it printed."""
    cmd = [sys.executable, "-c", code, *map(str, args)]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: it and its pool workers only
        proc.communicate()
        raise ChildTimeout(f"no result after {timeout:.0f} s") from None
    wall = time.perf_counter() - started
    lines = [ln for ln in out.splitlines() if ln.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise ChildFailed(f"exit {proc.returncode}\nstdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}")
    info = json.loads(lines[-1][len(MARK):])
    info["stderr_lines"] = [ln for ln in err.splitlines() if ln.strip()]
    if info["stderr_lines"]:
        raise ChildFailed("the build printed warnings or errors:\n" + "\n".join(info["stderr_lines"][:20]))
    return Sample(wall, info)


def build_args(content: Path, templates: Path, output: Path, cache: Path | None, command: str = "build",
               search: bool = False) -> list[str]:
    # The goals compare with a naive loop that indexes nothing, so the timed builds skip the
    # search index; one extra cold build with it shows what Pagefind adds.
    args = [command, "--content", content, "--templates", templates, "--output", output]
    args += [] if command == "check" else ["--search" if search else "--no-search"]
    return args + (["--cache", cache] if cache else ["--no-cache"])


@dataclass
class Scenario:
    key: str
    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.samples) and not self.note

    def median(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    def main_mib(self) -> float:
        return max(s.main_mib for s in self.samples)

    def worker_mib(self) -> float:
        return max(s.worker_mib for s in self.samples)

    def ru_children_mib(self) -> float:
        return max(s.ru_children_mib for s in self.samples)


def _edit_pay(pay: Path, original: str, k: int) -> None:
    """Change the first band's low figure (it sits well below its high), differently on every run."""
    marker = "\n    low: "
    at = original.index(marker, original.index("\nbands:")) + len(marker)
    end = original.index("\n", at)
    value = int(original[at:end]) + 1_000 * (k + 1)
    pay.write_text(original[:at] + str(value) + original[end:], "utf-8")


def bench_size(n: int, runs: int, work: Path, timeout: float, check_max: int, log) -> dict:
    """Every scenario for one N; returns a result dict."""
    content = work / f"site-{n}" / "content"
    t = time.perf_counter()
    meta = generate_site(content, n)
    log(f"N={n}: generated {n} role pages, {meta['words_per_page']:.0f} words/page, "
        f"{meta['markdown_mib']:.1f} MiB of Markdown in {time.perf_counter() - t:.1f} s")
    if n <= check_max:
        sample = run_child(BUILD_CHILD, build_args(content, TEMPLATES, work / "unused", None, "check"), timeout)
        log(f"N={n}: `build.py check` passed with no errors and no warnings ({sample.wall_s:.1f} s)")

    sc = {k: Scenario(k, label) for k, label in (("a", "cold build, no cache"), ("b", "template change, warm cache"),
                                                  ("c", "data change, warm cache"), ("d", "naive reference"))}
    from site_src.markup import EXTENSIONS, EXTENSION_CONFIG  # same settings as the build
    naive_args = lambda out: [content, out, json.dumps(list(EXTENSIONS)), json.dumps(EXTENSION_CONFIG)]  # noqa: E731

    def timed(s: Scenario, code: str, args: list[str], what: str) -> bool:
        if s.note:
            return False
        try:
            sample = run_child(code, args, timeout)
        except ChildTimeout as exc:
            s.note = f"timed out ({exc})"
            log(f"N={n}: {s.key} {what}: TIMED OUT after {timeout:.0f} s; skipping the rest of {s.key} at this N")
            return False
        s.samples.append(sample)
        log(f"N={n}: {s.key} {what}: {sample.wall_s:.2f} s (in-process build {sample.info['build_s']:.2f} s, "
            f"main {sample.main_mib:.0f} MiB, largest worker {sample.worker_mib:.0f} MiB)")
        return True

    # a and d interleaved, so drifts in machine load hit both alike.
    for k in range(runs):
        out = work / f"out-cold-{n}-{k}"
        timed(sc["a"], BUILD_CHILD, build_args(content, TEMPLATES, out, None), f"run {k + 1}")
        shutil.rmtree(out, ignore_errors=True)
        out = work / f"out-naive-{n}-{k}"
        timed(sc["d"], NAIVE_CHILD, naive_args(out), f"run {k + 1}")
        shutil.rmtree(out, ignore_errors=True)

    # What a production build adds: the Pagefind search index, over the same cold build.
    out = work / f"out-search-{n}"
    timed(Scenario("a+search", "cold build with the search index"), BUILD_CHILD,
          build_args(content, TEMPLATES, out, None, search=True), "cold build with the search index (once, not in the table)")
    shutil.rmtree(out, ignore_errors=True)

    # b and c: a private copy of the templates, one warm-up build to fill the cache, then edits.
    templates = work / f"templates-{n}"
    shutil.rmtree(templates, ignore_errors=True)
    shutil.copytree(TEMPLATES, templates)
    cache, out = work / f"cache-{n}", work / f"out-warm-{n}"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    warm = Scenario("w", "warm-up")
    if timed(warm, BUILD_CHILD, build_args(content, templates, out, cache), "warm-up build (fills the cache)"):
        base = templates / "base.html"
        base_text = base.read_text("utf-8")
        for k in range(runs):
            base.write_text(base_text + f"<!-- benchmark template edit {k} -->\n", "utf-8")
            timed(sc["b"], BUILD_CHILD, build_args(content, templates, out, cache), f"run {k + 1}")
        pay = content / "data" / "pay.yaml"
        pay_text = pay.read_text("utf-8")
        try:
            for k in range(runs):
                _edit_pay(pay, pay_text, k)
                timed(sc["c"], BUILD_CHILD, build_args(content, templates, out, cache), f"run {k + 1}")
        finally:
            pay.write_text(pay_text, "utf-8")
    else:
        sc["b"].note = sc["c"].note = "warm-up build " + warm.note
    for path in (templates, cache, out):
        shutil.rmtree(path, ignore_errors=True)
    return {"n": n, "meta": meta, "scenarios": sc}


def code_fingerprint() -> str:
    """A short hash of site_src/ and templates/, to notice when the code under test changes mid-run."""
    import hashlib
    h = hashlib.sha256()
    for root in (REPO / "site_src", TEMPLATES):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def load_text() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def report(results: list[dict], runs: int, timeout: float) -> list[dict]:
    """Print the figures, the ratios and the goals; return them as plain data."""
    out = []
    print()
    print(f"Build benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), median of up to {runs} run(s); "
          "time is wall-clock of a fresh subprocess (start-up and imports included);")
    print("pages/s counts the N role pages; memory is peak RSS (VmHWM) of the main process and of the largest pool "
          "worker, max over runs;")
    print("ru kids = getrusage(RUSAGE_CHILDREN).ru_maxrss in the build process: for spawned workers it is the main "
          "process's size at fork, not the worker's own peak.")
    for res in results:
        n, sc = res["n"], res["scenarios"]
        d = sc["d"]
        print()
        print(f"N = {n} roles  ({res['meta']['words_per_page']:.0f} words/page, {res['meta']['markdown_mib']:.1f} MiB Markdown)")
        print(f"  {'scenario':<32}{'median s':>10}{'pages/s':>10}{'main MiB':>10}{'worker MiB':>12}{'ru kids':>9}"
              f"{'x naive':>9}{'runs':>6}")
        row = {"n": n, "meta": res["meta"]}
        for key in "abcd":
            s = sc[key]
            if s.samples:
                med = s.median()
                ratio = med / d.median() if d.samples and key != "d" else None
                worker = f"{s.worker_mib():.1f}" if s.worker_mib() else "no pool"
                print(f"  {key} {s.label:<30}{med:>10.2f}{n / med:>10.1f}{s.main_mib():>10.1f}"
                      f"{worker:>12}{s.ru_children_mib():>9.1f}{_fmt(ratio):>9}{len(s.samples):>6}" + (f"  [{s.note}]" if s.note else ""))
                row[key] = {"median_s": med, "pages_per_s": n / med, "main_mib": s.main_mib(),
                            "worker_mib": s.worker_mib(), "ru_children_mib": s.ru_children_mib(), "ratio_to_naive": ratio, "note": s.note,
                            "samples": [{"wall_s": x.wall_s, **{k: v for k, v in x.info.items() if k != "stderr_lines"}}
                                        for x in s.samples]}
            else:
                print(f"  {key} {s.label:<30}{'-':>10}  [{s.note or 'not run'}]")
                row[key] = {"note": s.note or "not run"}
        if d.samples:
            md = statistics.median(x.info["markdown_s"] for x in d.samples)
            loop = statistics.median(x.info["build_s"] for x in d.samples)
            render = statistics.median(x.info["render_s"] for x in d.samples)
            write = statistics.median(x.info["write_s"] for x in d.samples)
            print(f"  naive breakdown: Markdown {md:.2f} s = {md / d.median():.0%} of the naive wall time "
                  f"({md / loop:.0%} of its page loop); Jinja {render:.2f} s, writing {write:.2f} s, "
                  f"start-up and imports {d.median() - loop:.2f} s")
            row["naive_markdown_share"] = md / d.median()
        if sc["a"].samples:
            a = sc["a"].samples
            print(f"  cold build in-process: {statistics.median(x.info['build_s'] for x in a):.2f} s build + "
                  f"{statistics.median(x.info['import_s'] for x in a):.2f} s imports; CPU main "
                  f"{statistics.median(x.info['self_cpu_s'] for x in a):.2f} s, workers "
                  f"{statistics.median(x.info['children_cpu_s'] for x in a):.2f} s")
        out.append(row)

    print()
    print("Goals")
    by_n = {r["n"]: r for r in results}

    def ratio_goal(key: str, limit: float, what: str) -> None:
        res = by_n.get(GOAL_N)
        if res is None:
            print(f"  [ n/a ] {what} <= {limit} x naive at N={GOAL_N}: N={GOAL_N} not in --sizes")
            return
        s, d = res["scenarios"][key], res["scenarios"]["d"]
        if not s.ok or not d.samples:
            print(f"  [FAIL] {what} <= {limit} x naive at N={GOAL_N}: {s.note or 'no measurement'}")
            return
        ratio = s.median() / d.median()
        verdict = "PASS" if ratio <= limit else "FAIL"
        print(f"  [{verdict}] {what} <= {limit} x naive at N={GOAL_N}: {s.median():.2f} s / {d.median():.2f} s = {ratio:.2f} x")

    ratio_goal("a", GOAL_COLD, "cold build")
    ratio_goal("b", GOAL_REBUILD, "template-change rebuild")
    ratio_goal("c", GOAL_REBUILD, "data-change rebuild")
    res = by_n.get(GOAL_MEM_N)
    if res is None:
        print(f"  [ n/a ] peak memory <= {GOAL_MEM_MIB:.0f} MiB at N={GOAL_MEM_N}: N={GOAL_MEM_N} not in --sizes")
    else:
        for key in "abc":
            s = res["scenarios"][key]
            if not s.ok:
                print(f"  [FAIL] peak memory <= {GOAL_MEM_MIB:.0f} MiB at N={GOAL_MEM_N}, {s.label}: {s.note or 'no measurement'}")
                continue
            peak = max(s.main_mib(), s.worker_mib())
            verdict = "PASS" if peak <= GOAL_MEM_MIB else "FAIL"
            print(f"  [{verdict}] peak memory <= {GOAL_MEM_MIB:.0f} MiB at N={GOAL_MEM_N}, {s.label}: "
                  f"main {s.main_mib():.1f} MiB, largest worker {s.worker_mib():.1f} MiB")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000], help="role counts (default: 100 1000 5000)")
    p.add_argument("--runs", type=int, default=3, help="timed runs per scenario and size (default: 3)")
    p.add_argument("--timeout", type=float, default=240,
                   help="seconds before one build (or naive run) is given up as too slow; the rest of that scenario at "
                        "that N is then skipped and reported as timed out, which keeps the default run bounded (default: 240)")
    p.add_argument("--check-max", type=int, default=1000,
                   help="also run `build.py check` on generated sites up to this N (default: 1000)")
    p.add_argument("--workdir", type=Path, help="where to generate sites and outputs (default: a temp folder, removed after)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    p.add_argument("--generate-only", type=Path, metavar="DIR",
                   help="just write a synthetic content folder for the first --sizes value into DIR and exit")
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    if args.generate_only:
        meta = generate_site(args.generate_only, args.sizes[0])
        print(f"wrote {args.generate_only}: {meta}")
        return 0

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    before = code_fingerprint()
    log(f"work folder {work}; site_src+templates fingerprint {before}; {load_text()}")
    results = []
    try:
        for n in args.sizes:
            log(f"N={n}: starting; {load_text()}")
            results.append(bench_size(n, args.runs, work, args.timeout, args.check_max, log))
            shutil.rmtree(work / f"site-{n}", ignore_errors=True) if not args.keep else None
    finally:
        if results:
            rows = report(results, args.runs, args.timeout)
            after = code_fingerprint()
            print()
            print(f"{load_text()} at the end (this machine has {os.cpu_count()} CPUs; other load skews the figures)")
            if after != before:
                print(f"WARNING: site_src/ or templates/ changed during the run (fingerprint {before} -> {after}); "
                      "the figures mix code versions")
            if args.json:
                args.json.write_text(json.dumps(rows, indent=2, default=str), "utf-8")
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
