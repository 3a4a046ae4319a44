"""End to end in a real headless Chromium: the served app and the real embedder, with the fake chat model
for the full walk-through and the embedded SmolLM2 for one interview.

Set SCREENSHOT_DIR=docs to refresh the screenshots in the documentation.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator.storage import Store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "a long enough password"
TIMEOUT_MS = 60_000

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{process.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the app did not listen on port {port} within {timeout_s}s")


@pytest.fixture
def serve(tmp_path):
    """Start `interview-sim serve` on a free loopback port; yields a function returning the URL."""
    processes = []
    shutil.copytree(REPO / "personas", tmp_path / "personas")

    def start(*extra: str, model: str = "fake") -> str:
        port = free_port()
        command = [sys.executable, "-m", "simulator", "serve", "--model", model, "--host", "127.0.0.1",
                   "--port", str(port), "--personas-dir", str(tmp_path / "personas"),
                   "--rubrics-dir", str(REPO / "rubrics"), "--data-dir", str(tmp_path / "data"), *extra]
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True)
        processes.append(process)
        wait_for_port(port, process)
        return f"http://127.0.0.1:{port}/"

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def send(page, text: str, marker: str) -> None:
    """Send a message and wait until its feedback is shown and the streamed reply has finished."""
    page.fill("#message input, #message textarea", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "m => document.querySelector('#feedback').innerText.includes(m) && "
        "!document.querySelector('#message input').disabled",
        arg=marker, timeout=TIMEOUT_MS)


def open_in_studio(page, persona_id: str) -> None:
    page.get_by_role("tab", name="Persona studio").click()
    page.click("#studio-persona input")
    page.get_by_role("option", name=persona_id).click()
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_function("document.querySelector('#studio-validation').innerText.includes('Valid persona')",
                           timeout=TIMEOUT_MS)


def test_practice_debrief_and_review(serve, browser):
    url = serve()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector("#persona-pick label", timeout=TIMEOUT_MS)
    assert "Signed in as local" in page.inner_text("#who")
    page.locator("#persona-pick label", has_text="Stoyan").click()
    page.click("#start")
    page.wait_for_selector("#chat .bot", timeout=TIMEOUT_MS)

    send(page, "Hello, I'm Sam, a police officer. Tell me about your work here.", "police officer")
    send(page, "Thank you for explaining. Tell me about where you sleep.", "where you sleep")
    assert "Question type" in page.inner_text("#feedback")
    screenshot(page, "practice.png")
    send(page, "<script>window.pwned=1</script> **Tell me** about your boss.", "your boss")
    chat = page.inner_text("#chat")
    assert "<script>window.pwned=1</script> **Tell me**" in chat  # shown literally, not run or rendered
    assert page.evaluate("window.pwned") is None

    page.click("#end")
    page.locator("#indicators label", has_text="wages withheld").click()
    page.click("#submit-conclusion")
    page.wait_for_selector("#debrief-text h2", timeout=TIMEOUT_MS)
    debrief = page.inner_text("#debrief-text")
    assert "of your questions were recommended" in debrief and "Your conclusion" in debrief
    assert "What the person disclosed" in debrief
    page.wait_for_selector("#trust-fear-plot canvas, #trust-fear-plot svg", timeout=TIMEOUT_MS)
    screenshot(page, "debrief.png")

    page.get_by_role("tab", name="Review").click()
    page.click("#review-search")
    page.wait_for_function("document.querySelector('#review-table').innerText.includes('stoyan-farm-worker')",
                           timeout=TIMEOUT_MS)
    page.click("#review-session input")
    page.get_by_role("option").first.click()
    page.click("#review-open")
    page.wait_for_function("document.querySelector('#review-transcript').innerText.includes('Q2')",
                           timeout=TIMEOUT_MS)
    screenshot(page, "review.png")

    open_in_studio(page, "stoyan-farm-worker")
    page.get_by_text("Preview chat").click()
    page.click("#preview-start")
    page.wait_for_selector("#preview-chat .bot", timeout=TIMEOUT_MS)  # the preview has started
    page.fill("#preview-message input", "Tell me about your work here.")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#preview-state').innerText.includes('trust')",
                           timeout=TIMEOUT_MS)
    screenshot(page, "studio.png")


def sign_in(browser, url: str, name: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    page.fill("input[type=text]", name)
    page.fill("input[type=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_function("n => document.querySelector('#who')?.innerText.includes(n)", arg=name,
                           timeout=TIMEOUT_MS)
    return page


def test_studio_is_refused_to_trainees_on_the_server(serve, browser, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'data' / 'interview-sim.db'}")
    store.add_user("tina", "trainee", PASSWORD, actor="test")
    store.add_user("ivy", "instructor", PASSWORD, actor="test")
    store.close()
    url = serve()

    page = sign_in(browser, url, "tina")
    page.get_by_role("tab", name="Persona studio").click()
    page.wait_for_selector("text=not allowed to use the persona studio", timeout=TIMEOUT_MS)
    page.click("#studio-refresh")  # the server refuses the request itself, not just the page
    page.wait_for_selector(".toast-body >> text=not allowed", timeout=TIMEOUT_MS)

    page = sign_in(browser, url, "ivy")
    open_in_studio(page, "stoyan-farm-worker")


@pytest.mark.real_model
def test_an_interview_on_the_embedded_models(serve, browser):
    url = serve(model="smollm2-135m-instruct")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector("#persona-pick label", timeout=TIMEOUT_MS)
    page.locator("#persona-pick label", has_text="Lan").click()
    page.click("#start")
    page.wait_for_selector("#chat .bot", timeout=TIMEOUT_MS)
    send(page, "Hello, my name is Alex and I am a police officer. You are not in trouble.", "not in trouble")
    send(page, "Tell me about a normal day at the salon.", "normal day")
    replies = page.locator("#chat .bot").all_inner_texts()
    assert len(replies) == 3 and all(reply.strip() for reply in replies)
    assert "Question type" in page.inner_text("#feedback")
    page.click("#end")
    page.click("#submit-conclusion")
    page.wait_for_selector("#debrief-text h2", timeout=TIMEOUT_MS)
    assert "of your questions were recommended" in page.inner_text("#debrief-text")
