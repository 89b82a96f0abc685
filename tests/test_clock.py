"""The build's idea of today: pinned by --today or $CAREER_GUIDES_TODAY, and what moving it does.

conftest.py pins every test build to TODAY, so the suite passes whatever the system clock says;
these tests move the date on purpose and check the staleness and future-date checks follow it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from site_src.cli import TODAY_VARIABLE
from tests.conftest import TODAY

DATED = re.compile(r"^\s*(?:- )?(as_of|published|date): (\d{4}-\d\d-\d\d)\s*$")
STALE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):\d+: warning: figure is (?P<days>\d+) days old")


def dated_lines(site: Path, keys: tuple[str, ...] = ("as_of",)) -> dict[tuple[str, int], date]:
    """Every line of the data files the data stage checks that gives one of keys, with its date.

    quiz.yaml is left out: its single as_of is checked by the quiz stage, which has no staleness check.
    """
    found = {}
    for path in sorted((site / "content/data").glob("*.yaml")):
        if path.name == "quiz.yaml":
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            m = DATED.match(line)
            if m and m[1] in keys:
                found[(path.relative_to(site).as_posix(), n)] = date.fromisoformat(m[2])
    return found


def stale_warnings(err: str) -> dict[tuple[str, int], int]:
    """The staleness warnings of a run: (file, line) -> days old."""
    return {(m["path"], int(m["line"])): int(m["days"]) for m in map(STALE.match, err.splitlines()) if m}


def stale_after_days(site: Path) -> int:
    """The site's staleness limit, from site.yaml (730 when it does not say)."""
    return yaml.safe_load((site / "content/site.yaml").read_text("utf-8")).get("stale_after_days", 730)


def test_the_bundled_site_has_no_stale_figure_on_the_pinned_date(site: Path, cli) -> None:
    run = cli(site, "check")
    assert run.code == 0, run.err
    assert stale_warnings(run.err) == {}


def test_figures_turn_stale_exactly_when_the_date_moves_past_stale_after_days(site: Path, cli) -> None:
    dated = dated_lines(site)
    oldest, limit = min(dated.values()), stale_after_days(site)
    last_fresh_day = oldest + timedelta(days=limit)
    assert stale_warnings(cli(site, "check", "--today", last_fresh_day.isoformat()).err) == {}
    day_after = last_fresh_day + timedelta(days=1)
    run = cli(site, "check", "--today", day_after.isoformat())
    assert run.code == 0, run.err  # stale is a warning, not an error
    expected = {where: limit + 1 for where, when in dated.items() if when == oldest}
    assert expected and stale_warnings(run.err) == expected


def test_years_ahead_every_figure_is_stale_and_says_how_old(site: Path, cli) -> None:
    dated = dated_lines(site)
    later = date(2031, 1, 1)
    run = cli(site, "check", "--today", later.isoformat())
    assert stale_warnings(run.err) == {where: (later - when).days for where, when in dated.items()}


def test_the_environment_pins_the_date_and_the_option_overrides_it(
    site: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TODAY_VARIABLE, "2031-01-01")
    assert stale_warnings(cli(site, "check").err)
    assert stale_warnings(cli(site, "check", "--today", TODAY.isoformat()).err) == {}


def test_a_date_after_the_pinned_date_is_in_the_future(site: Path, cli) -> None:
    dated = dated_lines(site, ("as_of", "published", "date"))
    newest = max(dated.values())
    run = cli(site, "check", "--today", (newest - timedelta(days=1)).isoformat())
    assert run.code == 1
    future = {where for where, when in dated.items() if when == newest}
    reported = {(m[1], int(m[2])) for m in re.finditer(r"^([^:\n]+):(\d+):\d+: .*is in the future", run.err, re.M)}
    assert future and reported == future, run.err


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", ""])
def test_a_date_that_is_not_a_date_is_a_usage_error(bad: str, site: Path, cli) -> None:
    with pytest.raises(SystemExit) as exited:
        cli(site, "check", "--today", bad)
    assert exited.value.code == 2
