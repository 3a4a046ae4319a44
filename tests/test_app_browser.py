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

from simulator.ports import free_port
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
playwright_api = pytest.importorskip("playwright.sync_api")
sync_playwright, PlaywrightError = playwright_api.sync_playwright, playwright_api.Error


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

    start.processes = processes  # a test may stop the server under the page
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


def start_interview(browser, url: str, persona_name: str):
    """A new page on the app with an interview of `persona_name` started and its opening line shown."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector("#persona-pick label", timeout=TIMEOUT_MS)
    page.locator("#persona-pick label", has_text=persona_name).click()
    page.click("#start")
    page.wait_for_selector("#chat .bot", timeout=TIMEOUT_MS)
    return page


def open_review(page, persona_id: str) -> None:
    """Open the first listed interview with `persona_id` in the Review tab's transcript."""
    page.click("#review-search")
    page.wait_for_function("p => document.querySelector('#review-table').innerText.includes(p)",
                           arg=persona_id, timeout=TIMEOUT_MS)
    page.click("#review-session input")
    page.get_by_role("option").first.click()
    page.click("#review-open")
    page.wait_for_function("document.querySelector('#review-transcript').innerText.includes('Q2')",
                           timeout=TIMEOUT_MS)


def open_in_studio(page, persona_id: str) -> None:
    page.get_by_role("tab", name="Persona studio").click()
    page.click("#studio-persona input")
    page.get_by_role("option", name=persona_id).click()
    page.get_by_role("button", name="Open", exact=True).click()
    page.wait_for_function("document.querySelector('#studio-validation').innerText.includes('Valid persona')",
                           timeout=TIMEOUT_MS)


def test_practice_debrief_and_review(serve, browser):
    url = serve()
    page = start_interview(browser, url, "Stoyan")
    assert "Signed in as local" in page.inner_text("#who")

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
    open_review(page, "stoyan-farm-worker")
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


def test_each_role_sees_its_own_tabs(serve, browser, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'data' / 'interview-sim.db'}")
    store.add_user("tina", "trainee", PASSWORD, actor="test")
    store.add_user("ivy", "instructor", PASSWORD, actor="test")
    store.close()
    url = serve()

    page = sign_in(browser, url, "tina")  # a trainee gets practice and her own sessions, nothing else
    page.wait_for_selector("role=tab[name='My sessions']", timeout=TIMEOUT_MS)
    assert page.get_by_role("tab", name="Persona studio").count() == 0
    page.get_by_role("tab", name="My sessions").click()
    assert page.locator("#review-search").is_visible() and not page.locator("#review-tools").is_visible()
    assert "not allowed" not in page.inner_text("body")
    # the server's refusal itself is tested over HTTP (tests/test_reliability_access.py)

    page = sign_in(browser, url, "ivy")
    page.get_by_role("tab", name="Review").click()
    assert page.locator("#review-tools").is_visible()
    open_in_studio(page, "stoyan-farm-worker")


@pytest.mark.real_model
def test_an_interview_on_the_embedded_models(serve, browser):
    url = serve(model="smollm2-135m-instruct")
    page = start_interview(browser, url, "Lan")
    send(page, "Hello, my name is Alex and I am a police officer. You are not in trouble.", "not in trouble")
    send(page, "Tell me about a normal day at the salon.", "normal day")
    replies = page.locator("#chat .bot").all_inner_texts()
    assert len(replies) == 3 and all(reply.strip() for reply in replies)
    assert "Question type" in page.inner_text("#feedback")
    page.click("#end")
    page.click("#submit-conclusion")
    page.wait_for_selector("#debrief-text h2", timeout=TIMEOUT_MS)
    assert "of your questions were recommended" in page.inner_text("#debrief-text")


def visible_text(page, selector: str) -> str:
    return page.inner_text(selector).strip()


def test_an_interview_from_start_to_reviewed_figures(serve, browser):
    """What the walkthrough found, as a trainee and then a reviewer meet it (single-user mode holds
    every role)."""
    page = start_interview(browser, serve(), "Lan")
    assert not page.locator("#chat .icon-button-wrapper").is_visible()  # no trash icon to wipe the chat
    assert page.locator("#chat button:visible").count() == 0

    typed = "I'm Sam. Is https://example.com/t.png yours? Tell me about your work_day."
    send(page, typed, "example.com")
    assert typed in page.inner_text("#feedback") and typed in page.inner_text("#chat")  # escaped once
    assert page.locator("#feedback a, #chat a").count() == 0  # a typed URL is text, not a link
    send(page, "Tell me about where you sleep.", "where you sleep")

    page.click("#end")  # the interview closes: nothing more is taken
    page.wait_for_selector("#conclusion", state="visible", timeout=TIMEOUT_MS)
    assert page.locator("#message input, #message textarea").first.is_disabled()
    assert page.locator("#send").is_disabled()
    page.locator("#indicators label", has_text="debt bondage").click()  # never disclosed here
    page.click("#submit-conclusion")
    page.wait_for_selector("#debrief-text h2", timeout=TIMEOUT_MS)
    debrief = visible_text(page, "#debrief-text")
    assert "2 questions to" in debrief
    assert "Claimed but never disclosed in this interview: debt bondage" in debrief
    assert "Never revealed in this interview (not counted against you)" in debrief
    assert page.locator("#trust-fear-plot circle.marker").count() == 2 * 3  # trust and fear, start + 2
    labels = page.locator("#trust-fear-plot .x-label").all_text_contents()
    assert labels == ["start", "1", "2"]

    page.get_by_role("tab", name="Review").click()  # the reviewer: an override moves every figure
    open_review(page, "lan-nail-salon")
    header = visible_text(page, "#review-transcript").splitlines()[0]
    scored = int(header.rsplit("recommended ", 1)[1].split("%")[0])
    page.get_by_text("Review (assessors and instructors)").click()
    page.click("#override-value input")
    options = page.get_by_role("option").all_inner_texts()
    assert [option.strip() for option in options] == ["yes", "no"]  # picked, not typed
    now = "no" if scored > 0 else "yes"
    page.get_by_role("option", name=now, exact=True).click()
    for number in ("1", "2"):  # both questions, so the share surely moves
        page.fill("#review-tools input[type=number]", number)
        page.get_by_label("Comment (why)").fill("checked against the recording")
        page.get_by_role("button", name="Save override").click()
        page.wait_for_function("n => document.querySelector('#review-transcript').innerText"
                               ".split('changed recommended').length > n", arg=int(number),
                               timeout=TIMEOUT_MS)
    header = visible_text(page, "#review-transcript").splitlines()[0]
    assert f"recommended {0 if now == 'no' else 100}% after review (scorer: {scored}%)" in header
    page.click("#review-search")
    expected = f"{0 if now == 'no' else 100}%"
    page.wait_for_function("e => document.querySelector('#review-table').innerText.includes(e)", arg=expected,
                           timeout=TIMEOUT_MS)
    page.get_by_text("Progress over time").click()
    page.get_by_role("button", name="Show progress").click()
    page.wait_for_selector("#progress-plot circle.marker", timeout=TIMEOUT_MS)
    assert page.locator("#progress-plot circle.marker").count() == 1
    assert "One finished interview so far" in page.inner_text("#progress-plot")
    assert page.locator("#progress-plot .x-label").all_text_contents()[0].startswith("20")  # a date


def test_an_unfinished_interview_can_be_discarded(serve, browser):
    url = serve()
    page = start_interview(browser, url, "Lan")
    page.reload()
    page.wait_for_selector("#persona-pick label", timeout=TIMEOUT_MS)
    page.get_by_text("Resume an unfinished interview").click()
    page.click("#resumable input")
    page.get_by_role("option", name="lan-nail-salon", exact=False).first.click()
    page.click("#discard")
    page.wait_for_selector(".toast-body >> text=Discarded", timeout=TIMEOUT_MS)
    page.click("#resumable input")
    assert page.get_by_role("option", name="lan-nail-salon", exact=False).count() == 0


def test_a_message_the_server_never_answered_is_kept_and_flagged(serve, browser, tmp_path):
    url = serve()
    page = start_interview(browser, url, "Lan")
    send(page, "Tell me about your work here.", "your work here")
    (process,) = serve.processes
    process.kill()  # the server dies under the open page
    process.wait(timeout=20)
    typed = "Tell me about the people you live with."
    page.fill("#message input, #message textarea", typed)
    page.keyboard.press("Enter")
    page.wait_for_selector(".toast-body", timeout=TIMEOUT_MS)  # Gradio: the connection was lost
    box = page.locator("#message input, #message textarea").first
    assert box.input_value() == typed  # not wiped on the way

    port = url.rstrip("/").rsplit(":", 1)[1]  # the app comes back on the same address
    restarted = subprocess.Popen(
        [sys.executable, "-m", "simulator", "serve", "--model", "fake", "--host", "127.0.0.1", "--port", port,
         "--personas-dir", str(tmp_path / "personas"), "--rubrics-dir", str(REPO / "rubrics"),
         "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    serve.processes.append(restarted)
    wait_for_port(int(port), restarted)
    try:
        page.reload()  # what the trainee does to resume
    except PlaywrightError:
        pass  # Gradio's reconnection reloaded the page itself first
    page.wait_for_function("document.querySelector('#send-notice')?.innerText.includes('not have been sent')",
                           timeout=TIMEOUT_MS)
    assert box.input_value() == typed and box.is_enabled()
