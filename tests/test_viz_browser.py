"""The interactive page in a real browser: ``allysim serve`` driven by Playwright and Chromium.

Needs the viz extra, playwright and a system Chromium (Playwright's own browser download is not
used); each missing piece skips the test with its reason. Install and run::

    apt-get install -y chromium
    python3 -m pip install -e ".[test,browser-test]"
    python3 -m pytest -q tests/test_viz_browser.py -p no:cacheprovider

Without internet access the page's scripts come from ``pip install solara-assets`` (its version
must match solara's).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

for _module, _extra in (("solara", "viz"), ("altair", "viz"), ("playwright", "browser-test")):
    if importlib.util.find_spec(_module) is None:
        pytest.skip(
            f'{_module} is not installed (pip install "allysim[{_extra}]")',
            allow_module_level=True,
        )
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
if CHROMIUM is None:
    pytest.skip(
        "no Chromium executable on PATH (apt-get install -y chromium)", allow_module_level=True
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

#: Seconds to wait for the server to answer and for the page to render (the first render
#: imports Mesa's visualization and draws four figures).
STARTUP = 90
#: Milliseconds to wait for one update: each redraws four figures, about 1 s on an idle core
#: and several on a loaded machine.
UPDATE = 60_000
#: JavaScript returning the bytes of each plot image, base64, in page order. Solara shows a
#: figure as an <img> whose src is a fresh blob: URL on every update, so the URL itself says
#: nothing; the bytes behind it do.
READ_IMAGES = """async () => {
    const out = [];
    for (const img of document.querySelectorAll("img[src^='blob:']")) {
        const blob = await (await fetch(img.src)).blob();
        out.push(await new Promise(resolve => {
            const reader = new FileReader();
            reader.onload = () => resolve(reader.result);
            reader.readAsDataURL(blob);
        }));
    }
    return out;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "allysim.cli", "serve", "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP
    while True:
        if proc.poll() is not None:
            pytest.fail(f"allysim serve exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"allysim serve did not answer on {url} within {STARTUP} s")
        time.sleep(0.5)
    yield url, proc, port
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _readout(page: Page) -> dict[str, str]:
    """The summary line's fields, e.g. {'step': '3', 'organizations': '60', ...}."""
    text = page.locator(".solara-autorouter-content").get_by_text(re.compile(r"^step \d+")).first
    line = text.locator("xpath=..").inner_text()
    return dict(part.strip().split(" ", 1) for part in line.split("|"))


def _wait_for_images(page: Page, differ_from: list[str] | None = None) -> list[str]:
    """The four plots' bytes once all are drawn (and, if given, all differ from these)."""
    deadline = time.monotonic() + UPDATE / 1000
    while True:
        images = page.evaluate(READ_IMAGES)
        done = len(images) == 4 and (
            differ_from is None or all(a != b for a, b in zip(images, differ_from, strict=True))
        )
        if done:
            return images
        assert time.monotonic() < deadline, f"plots did not update: {len(images)} images"
        page.wait_for_timeout(250)


def test_slider_reset_step_and_play_change_the_plots(server):
    url, proc, port = server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            expect(page.get_by_text(re.compile(r"^step 0")).first).to_be_visible(
                timeout=STARTUP * 1000
            )
            assert _readout(page)["organizations"] == "60"
            start = _wait_for_images(page)

            # One step of the organizations slider (step 10). Vuetify sends the new value to
            # the server on key-up, and Mesa's inputs hand their starting value back on every
            # render, so a second quick press can be lost: one press, then Reset (which builds
            # the model from the sliders) until the readout shows the new size.
            slider = page.get_by_role("slider", name="organizations")
            assert slider.get_attribute("aria-valuenow") == "60"
            slider.focus()
            slider.press("ArrowRight")
            expect(slider).to_have_attribute("aria-valuenow", "70", timeout=UPDATE)
            deadline = time.monotonic() + UPDATE / 1000
            while _readout(page)["organizations"] != "70":
                assert time.monotonic() < deadline, "Reset did not use the slider's value"
                page.get_by_role("button", name="Reset").click()
                page.wait_for_timeout(2000)
            assert _readout(page)["step"] == "0"
            reset = page.evaluate(READ_IMAGES)
            # Step 0 has no round yet, so only the network (70 nodes, not 60) is new.
            deadline = time.monotonic() + UPDATE / 1000
            while reset[3] == start[3]:
                assert time.monotonic() < deadline, "the network did not redraw after Reset"
                page.wait_for_timeout(250)
                reset = page.evaluate(READ_IMAGES)

            # Three steps: partnerships form at step 1 and play from step 2 on.
            for k in (1, 2, 3):
                page.get_by_role("button", name="Step").click()
                expect(page.get_by_text(re.compile(rf"^step {k}\b")).first).to_be_visible(
                    timeout=UPDATE
                )
            stepped = _wait_for_images(page, differ_from=reset)
            state = _readout(page)
            assert int(state["partnerships"]) > 0
            assert 0.0 <= float(state["contribution"]) <= 1.0
            for kind in ("competence", "contractual", "goodwill"):
                assert 0.0 < float(state[kind]) < 1.0

            # Play runs steps until paused; the plots follow.
            page.get_by_role("button", name="▶").click()
            expect(page.get_by_text(re.compile(r"^step (1\d|[6-9])\b")).first).to_be_visible(
                timeout=UPDATE
            )
            page.get_by_role("button", name="❚❚").click()
            played = _wait_for_images(page, differ_from=stepped)
            assert int(_readout(page)["step"]) >= 6
            assert len(set(played)) == 4
            assert not page.get_by_text("error in step").count()
        finally:
            browser.close()

    # SIGTERM to `allysim serve` stops Solara's server too: nothing listens on the port.
    proc.terminate()
    assert proc.wait(timeout=15) == 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
