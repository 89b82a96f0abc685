"""serve: the rebuild callback, the preview's WSGI app, and the real server in headless Chromium."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from tests.browser_support import chromium
from tests.conftest import REPO, snapshot
from site_src.pipeline import Options
from site_src.serve import Preview, app

PAY = "content/data/pay.yaml"


def preview_for(site: Path) -> Preview:
    return Preview(Options(site / "content", site / "templates", site / "_site", date(2026, 11, 27),
                           cache_dir=site / ".cache"))


def get(application, path: str) -> tuple[str, str]:
    """Call the WSGI app; return status and body text."""
    seen = {}
    body = b"".join(application({"PATH_INFO": path}, lambda status, headers: seen.update(status=status)))
    return seen["status"], body.decode()


def test_rebuild_reports_changes_keeps_the_last_good_site_and_recovers(site: Path) -> None:
    preview = preview_for(site)
    assert preview.rebuild()[-1].endswith(" s") and preview.problems == []
    good = snapshot(site / "_site")
    pay = site / PAY
    text = pay.read_text()
    pay.write_text(text.replace("low: 180000", "low: 999999"))  # low > high
    report = preview.rebuild()
    assert any("content/data/pay.yaml:" in line and "greater than high" in line for line in report)
    [problem] = preview.problems
    assert problem.path.endswith("content/data/pay.yaml") and text.splitlines()[problem.line - 1].strip() == "low: 180000"
    assert snapshot(site / "_site") == good
    pay.write_text(text.replace("low: 180000", "low: 181000"))
    report = preview.rebuild()
    assert preview.problems == []
    assert "changed: /roles/mlops-engineer/index.html" in report and "changed: /compare/index.html" in report
    assert "$181K" in (site / "_site/roles/mlops-engineer/index.html").read_text()


def test_a_data_edit_checks_again_the_pages_that_cite_it(mini: Path) -> None:
    """A page whose text is unchanged is still checked again when the data its shortcodes cite changes."""
    preview = preview_for(mini)
    preview.rebuild()
    assert preview.problems == []
    roles = mini / "content/data/roles.yaml"
    text = roles.read_text()
    roles.write_text(text.replace("key: share", "key: portion"))  # alpha.md cites {{ fact role=alpha key=share }}
    preview.rebuild()
    assert [(Path(p.path).name, p.line) for p in preview.problems] == [("alpha.md", 7)]
    roles.write_text(text)
    preview.rebuild()
    assert preview.problems == []


def test_the_app_serves_pages_and_overlays_errors_with_source_lines(site: Path) -> None:
    preview = preview_for(site)
    preview.rebuild()
    web = app(preview)
    status, body = get(web, "/roles/mlops-engineer/")
    assert status == "200 OK" and "MLOps engineer" in body and "cg-errors" not in body
    assert get(web, "/no/such/page/")[0] == "404 Not Found"
    assert get(web, "/../../etc/passwd")[0] == "404 Not Found"
    pay = site / PAY
    pay.write_text(pay.read_text().replace("tier: top-tier", "tier: top-teir", 1))
    preview.rebuild()
    status, body = get(web, "/compare/")
    assert status == "200 OK" and 'id="cg-errors"' in body
    assert "content/data/pay.yaml" in body and "unknown tier &#x27;top-teir&#x27;" in body
    assert "tier: top-teir" in body  # the offending source line is shown
    pay.write_text(pay.read_text().replace("top-teir", "top-tier"))
    preview.rebuild()
    assert "cg-errors" not in get(web, "/compare/")[1]


def test_a_hundred_bad_and_good_saves_never_stop_the_preview(site: Path) -> None:
    preview = preview_for(site)
    preview.rebuild()
    web = app(preview)
    rng = random.Random(7)
    role = site / "content/roles/mlops-engineer.md"
    good_role, good_pay = role.read_bytes(), (site / PAY).read_bytes()
    template = site / "templates/role.html"
    good_template = template.read_bytes()
    bad = [
        lambda: role.write_bytes(b"\xff\xfe not utf-8"),
        lambda: role.write_text("---\nrole: [unclosed\n---\n"),
        lambda: role.write_text(""),
        lambda: (site / PAY).write_text("bands: !!python/object:os.system 'echo hi'\n"),
        lambda: (site / PAY).write_text("a: &x\n  - *x\n"),
        lambda: template.write_text("{% for x in %}"),
        lambda: template.write_text("{{ role.title() }}"),
        lambda: role.write_text(role.read_text(errors="replace") + "\n{{ pay role=nobody level=x tier=y }}\n"),
    ]
    for n in range(100):
        if n % 2:
            role.write_bytes(good_role), (site / PAY).write_bytes(good_pay), template.write_bytes(good_template)
            preview.rebuild()
            assert preview.problems == [], f"save {n}: {preview.problems}"
        else:
            rng.choice(bad)()
            preview.rebuild()
            assert preview.problems, f"save {n} should have failed"
        assert get(web, "/")[0] == "200 OK"


# --- the real server -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(site: Path):
    """`python build.py serve` on a free loopback port, stopped with Ctrl-C (SIGINT) afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--port", str(port)], cwd=site, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url, proc
    proc.send_signal(2)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0, out
    assert "Traceback" not in out


def listening_addresses(port: int) -> set[str]:
    """The local addresses the OS has a TCP socket listening on at port, from its socket tables."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # The kernel prints each 32-bit word in host (little-endian) order.
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, width // 2, 4))
                found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, words))
    return found


def test_the_socket_table_reader_sees_the_address_a_socket_is_bound_to() -> None:
    """A control for the test below: another loopback address is told apart from 127.0.0.1."""
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp: not Linux")
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        s.listen()
        assert listening_addresses(s.getsockname()[1]) == {"127.0.0.2"}


def test_server_listens_on_loopback_only_and_stops_cleanly(server) -> None:
    url, proc = server
    assert urllib.request.urlopen(url + "compare/").status == 200
    port = int(url.rsplit(":", 1)[1].strip("/"))
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp: not Linux")
    # The OS's own record of the listening socket, not a connection attempt through a host name.
    assert listening_addresses(port) == {"127.0.0.1"}


@pytest.fixture
def page(server):
    with chromium() as browser:
        yield browser.new_page(), server[0]


def test_saving_a_file_reloads_the_open_page(page, site: Path) -> None:
    pg, url = page
    pg.goto(url + "roles/prompt-engineer/")
    pg.wait_for_timeout(1000)  # let the live-reload socket connect
    role = site / "content/roles/prompt-engineer.md"
    role.write_text(role.read_text().replace("## Who hires\n", "## Who hires\n\nA sentence typed just now.\n", 1))
    pg.wait_for_selector("text=A sentence typed just now.", timeout=15000)


def test_a_broken_save_shows_the_overlay_and_a_fix_clears_it(page, site: Path) -> None:
    pg, url = page
    pg.goto(url + "compare/")
    pg.wait_for_timeout(1000)
    pay = site / PAY
    good = pay.read_text()
    pay.write_text(good.replace("levels:\n", "levels: [oops\n", 1))
    pg.wait_for_selector("#cg-errors", timeout=15000)
    assert "content/data/pay.yaml:" in pg.locator("#cg-errors").inner_text()
    pay.write_text(good)
    pg.wait_for_selector("#cg-errors", state="detached", timeout=15000)
    assert pg.locator("h1").inner_text() == "Compare the roles side by side"
