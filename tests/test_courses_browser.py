"""A course from start to figures in headless Chromium: an instructor writes a two-persona course with a
refresher and assigns it to a cohort of two trainees; each completes it from "My assignments" and rates
an interview's realism; the assessor's effectiveness view shows the learning curve and the paired
comparison. The served app, the fake chat model and the real MiniLM scorer."""

from __future__ import annotations

import re

import pytest
from test_app_browser import (  # noqa: F401 (fixtures)
    PASSWORD,
    TIMEOUT_MS,
    browser,
    screenshot,
    send,
    serve,
    sign_in,
)

from simulator.storage import Store

pytestmark = pytest.mark.browser

GOOD = ["Tell me about your work here.", "Tell me more about where you live.",
        "Tell me about the people you work for."]  # recommended by the scorer (checked in bench/cohort.py)
POOR = ["Did he hit you or not?", "Your boss took your passport, didn't he?"]  # not recommended
# Each trainee's two interviews, course item 1 then item 2: every one passes (at least 60 % recommended
# and a correct conclusion), and the two trainees improve by different amounts (67 -> 100, 60 -> 100).
SCRIPTS = {"tina": [GOOD[:2] + POOR[:1], GOOD[:2]], "tom": [GOOD + POOR, GOOD[:1]]}


def pick(page, selector: str, option: str) -> None:
    page.click(f"{selector} input")
    page.get_by_role("option", name=option, exact=True).click()


def fill(page, selector: str, text: str) -> None:
    page.locator(f"{selector} input, {selector} textarea").first.fill(text)


def wait_text(page, selector: str, text: str) -> None:
    page.wait_for_function("([s, t]) => document.querySelector(s)?.innerText.includes(t)",
                           arg=[selector, text], timeout=TIMEOUT_MS)


def write_course(page) -> None:
    page.get_by_role("tab", name="Courses").click()
    fill(page, "#course-name", "Labour exploitation")
    fill(page, "#course-refresher", "30")
    for persona_id in ("lan-nail-salon", "stoyan-farm-worker"):
        pick(page, "#item-persona", persona_id)
        page.click("#item-add")
        wait_text(page, "#course-items", persona_id)
    page.click("#course-save")
    wait_text(page, "#course-status", "Saved")
    fill(page, "#cohort-name", "Spring intake")
    fill(page, "#cohort-members", "tina, tom")
    page.click("#cohort-save")
    page.wait_for_selector(".toast-body >> text=Saved cohort", timeout=TIMEOUT_MS)
    pick(page, "#assign-course", "Labour exploitation")
    pick(page, "#assign-cohort", "Spring intake (2)")
    page.click("#assign")
    wait_text(page, "#assignments", "cohort Spring intake")


def complete_course(page, name: str) -> None:
    wait_text(page, "#my-assignments", "Labour exploitation")
    assert "not started" in page.inner_text("#my-assignments")
    assert "come due again after 30 days" in page.inner_text("#my-assignments")
    for number, script in enumerate(SCRIPTS[name], start=1):
        page.click("#start-next")
        page.wait_for_function("document.querySelectorAll('#chat .bot').length === 1", timeout=TIMEOUT_MS)
        for question in script:
            send(page, question, question)
        page.click("#end")
        page.wait_for_selector("#conclusion", state="visible", timeout=TIMEOUT_MS)
        page.locator("#conclusion label", has_text="Yes, likely").click()
        page.get_by_test_id("Labour-radio-label").click()
        page.click("#submit-conclusion")
        page.wait_for_selector("#debrief-text h2", timeout=TIMEOUT_MS)
        wait_text(page, "#my-assignments", "✓ passed" if number == 1 else "Every item passed")
        if number == 1:
            page.locator("#realism-rating label", has_text="4").click()
            fill(page, "#realism-comment", f"the boss sounded real to {name}")
            page.click("#realism-save")
            wait_text(page, "#realism-status", "rated 4/5")
        else:  # each debrief starts with an empty rating
            page.wait_for_function("!document.querySelector('#realism-status').innerText.trim()",
                                   timeout=TIMEOUT_MS)
    screenshot(page, "assignments.png")
    table = page.inner_text("#my-assignments")
    assert table.count("✓ passed") == 2
    assert len(re.findall(r"20\d\d-\d\d-\d\d", table)) == 3  # assigned on, and each item's refresher date


def test_a_cohort_completes_a_course_and_the_assessor_sees_it_improve(serve, browser, tmp_path):  # noqa: F811
    store = Store(f"sqlite:///{tmp_path / 'data' / 'interview-sim.db'}")
    for name, role in (("ivy", "instructor"), ("ada", "assessor"), ("tina", "trainee"), ("tom", "trainee")):
        store.add_user(name, role, PASSWORD, actor="test")
    store.close()
    url = serve()

    write_course(sign_in(browser, url, "ivy"))
    for name in ("tina", "tom"):
        trainee = sign_in(browser, url, name)
        assert trainee.get_by_role("tab", name="Courses").count() == 0  # theirs is My assignments
        complete_course(trainee, name)

    ada = sign_in(browser, url, "ada")
    ada.get_by_role("tab", name="Courses").click()
    assert not ada.locator("#course-save").is_visible()  # assessors read; instructors write
    pick(ada, "#eff-course", "Labour exploitation")
    pick(ada, "#eff-cohort", "Spring intake (2)")
    ada.click("#eff-show")
    wait_text(ada, "#eff-text", "First against latest attempt")
    text = ada.inner_text("#eff-text")
    assert "2 trainees, 4 finished interviews" in text
    assert "2 trainees: 63% at their first attempt, 100% at their latest" in text and "paired t(1)" in text
    curve = ada.locator("#eff-plots svg").first
    assert curve.locator("circle.marker").count() == 2  # attempts 1 and 2
    assert curve.locator(".x-label").all_text_contents() == ["1", "2"]  # whole attempt numbers
    assert curve.locator("path.interval").count() == 2  # a 95% interval on each point
    assert "trainees, 20" in curve.locator("circle.marker title").first.text_content()  # n and dates
    screenshot(ada, "effectiveness.png")
    ada.click("#eff-export")
    ada.wait_for_selector("#eff-files a", timeout=TIMEOUT_MS)
    assert ada.locator("#eff-files a").count() == 2

    ivy = sign_in(browser, url, "ivy")  # the persona's authors read the ratings in the studio
    ivy.get_by_role("tab", name="Persona studio").click()
    pick(ivy, "#studio-persona", "lan-nail-salon")
    ivy.get_by_text("Trainees' realism ratings").click()
    ivy.click("#ratings-show")
    wait_text(ivy, "#persona-ratings", "tom: the boss sounded real to tom")
    assert "lan-nail-salon\t2\t4.0" in ivy.inner_text("#persona-ratings")  # the table: ratings and mean
