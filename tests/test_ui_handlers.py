"""The app's handlers over real storage and scoring, with the fake chat model and the hashing embedder."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import gradio as gr
import pytest
import yaml

from simulator import harm_nets
from simulator.auth import PermissionDenied
from simulator.datafiles import DataFileError, load_model
from simulator.embeddings import HashingEmbedder
from simulator.llm.fake import FakeChatModel
from simulator.personas import Persona
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import Store
from simulator.ui import render
from simulator.ui.charts import line_chart
from simulator.ui.conclusion import Conclusion, observed_indicators, score_conclusion
from simulator.ui.handlers import account_user
from simulator.ui.practice import PracticeHandlers
from simulator.ui.review import (
    ReviewHandlers,
    SessionFilters,
    override_choices,
    progress_chart,
    transcript_markdown,
)
from simulator.ui.studio import RubricSaved, StudioHandlers

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "correct horse battery"
PERSONA_ID = yaml.safe_load((FIXTURES / "persona_small.yaml").read_text())["id"]


@pytest.fixture
def services(tmp_path, database):
    personas, rubrics = tmp_path / "personas", tmp_path / "rubrics"
    personas.mkdir()
    shutil.copy(FIXTURES / "persona_small.yaml", personas / f"{PERSONA_ID}.yaml")
    (personas / "broken.yaml").write_text("id: broken\nname: [unclosed\n")
    rubrics.mkdir()
    shutil.copy(REPO / "rubrics" / "default.yaml", rubrics)
    settings = Settings(personas_dir=personas, rubrics_dir=rubrics, data_dir=tmp_path / "data")
    store = Store(database.url)
    yield Services(settings, chat_model=FakeChatModel(), embedder=HashingEmbedder(), store=store)
    store.close()


@pytest.fixture
def users(services):
    store = services.store()
    for name, role in (("tina", "trainee"), ("tom", "trainee"), ("ivy", "instructor"), ("ada", "assessor")):
        store.add_user(name, role, PASSWORD, actor="test")
    return {name: gr.Request(username=name) for name in ("tina", "tom", "ivy", "ada")}


def finished_interview(services, request=None,
                       messages=("Tell me about your work.", "You were paid, right?")):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice", request)
    for text in messages:
        list(practice.send(interview, text, request))
    debrief = practice.conclude(interview, Conclusion(likely_victim="yes", type="labour",
                                                      indicators=["wages_withheld", "minor"]), request)
    return interview, debrief


# -- practice --

def test_cards_hide_facts_and_ground_truth(services):
    cards = PracticeHandlers(services).persona_cards()
    assert [card["id"] for card in cards] == [PERSONA_ID]
    text = json.dumps(cards)
    persona = services.personas().get(PERSONA_ID)
    assert persona.facts[0].content not in text and persona.ground_truth.explanation not in text


def test_interview_streams_feedback_and_commits_every_turn(services):
    practice = PracticeHandlers(services)
    interview, view = practice.start(PERSONA_ID, "practice")
    assert view.chat == [render.chat_message("assistant", interview.opening)]
    views = list(practice.send(interview, "Tell me about your work here.", None))
    assert len(views) >= 2, "the reply arrives in pieces"
    assert views[0].chat[-1]["content"] and "Question type:" in views[0].feedback
    assert views[-1].chat[-2] == render.chat_message("user", "Tell me about your work here.")
    turns = services.store().get_turns(interview.record_id)
    assert [t.officer for t in turns] == ["Tell me about your work here."]
    assert services.store().get_session(interview.record_id).state_snapshot["turns"]


def test_assessment_mode_gives_no_feedback_until_the_end(services):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "assessment")
    assert all(view.feedback == "" for view in practice.send(interview, "Did he hit you?", None))


def test_user_text_is_escaped_in_chat(services):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice")
    view = list(practice.send(interview, "<script>alert(1)</script> [x](javascript:alert(1))", None))[-1]
    shown = view.chat[-2]["content"]  # the chat renders no Markdown, so a link stays text
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_blank_and_overlong_messages_are_refused(services):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice")
    with pytest.raises(ValueError, match="Type a message"):
        list(practice.send(interview, "   ", None))
    with pytest.raises(ValueError, match="characters"):
        list(practice.send(interview, "x" * 5000, None))
    with pytest.raises(ValueError, match="Start an interview"):
        list(practice.send(None, "hello", None))


def test_conclusion_is_scored_and_debrief_reveals_facts_only_now(services):
    interview, debrief = finished_interview(services)
    truth = services.personas().get(PERSONA_ID).ground_truth
    assert debrief.score.verdict_correct == truth.is_trafficking
    assert not set(debrief.score.indicators_never_revealed) & set(debrief.score.indicators_supported)
    text = debrief.markdown()
    assert "Your conclusion" in text and "Never disclosed" in text
    record = services.store().get_session(interview.record_id)
    assert record.status == "ended" and record.conclusion["likely_victim"] == "yes"
    assert record.recommended_share == debrief.report.recommended_share
    with pytest.raises(ValueError, match="ended"):
        list(PracticeHandlers(services).send(interview, "One more?", None))


def test_downloads_are_escaped_and_complete(services):
    interview, debrief = finished_interview(services, messages=("<img src=x onerror=alert(1)> tell me more",))
    json_path, md_path, html_path = debrief.write_downloads(interview.record_id)
    transcript = json.loads(json_path.read_text())
    assert transcript["turns"][0]["officer"].startswith("<img")  # JSON keeps the raw text
    assert "<img" not in md_path.read_text() and "<img" not in html_path.read_text()
    assert "&lt;img" in html_path.read_text()


def test_one_message_at_a_time(services):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice")
    replying = practice.send(interview, "Tell me about your work.", None)
    next(replying)
    with pytest.raises(ValueError, match="Wait for the reply"):
        list(practice.send(interview, "And your hours?", None))
    list(replying)
    list(practice.send(interview, "And your hours?", None))
    assert len(interview.turns) == 2


def test_resume_continues_from_the_database(services):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice")
    list(practice.send(interview, "Tell me about your work.", None))
    assert [s.id for s in practice.active_sessions()] == [interview.record_id]
    resumed, view = PracticeHandlers(services).resume(interview.record_id)
    assert len(resumed.turns) == 1 and len(view.chat) == 3
    list(practice.send(resumed, "Tell me about where you sleep.", None))
    assert len(services.store().get_turns(interview.record_id)) == 2


def test_trainees_cannot_resume_or_drive_each_others_interviews(services, users):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice", users["tina"])
    assert practice.active_sessions(users["tom"]) == []
    with pytest.raises(PermissionDenied):
        practice.resume(interview.record_id, users["tom"])
    with pytest.raises(PermissionDenied):
        list(practice.send(interview, "hello", users["tom"]))


def test_signed_out_requests_are_refused_once_users_exist(services, users):
    with pytest.raises(PermissionDenied, match="Sign in"):
        PracticeHandlers(services).persona_cards(gr.Request())
    with pytest.raises(PermissionDenied, match="does not exist"):
        PracticeHandlers(services).persona_cards(gr.Request(username="mallory"))


# -- studio --

def test_studio_is_for_instructors_only(services, users):
    studio = StudioHandlers(services)
    for name in ("tina", "ada"):
        with pytest.raises(PermissionDenied, match="persona studio"):
            studio.persona_ids(users[name])
        with pytest.raises(PermissionDenied):
            studio.save("id: x", users[name])
    names, errors = studio.persona_ids(users["ivy"])
    assert names == [PERSONA_ID] and any("broken.yaml" in path for path in errors)


def test_validation_names_the_field(services):
    studio = StudioHandlers(services)
    text = studio.load(PERSONA_ID)
    assert studio.validate(text) == ""
    broken = text.replace("initial_trust:", "initial_trust: 7\nunused_initial_trust:", 1)
    assert "initial_trust" in studio.validate(broken)


def test_save_is_atomic_keeps_history_and_reloads(services):
    studio = StudioHandlers(services)
    folder = services.settings.personas_dir
    original = studio.load(PERSONA_ID)
    edited = original + "version: 2\n"
    assert studio.save(edited) == PERSONA_ID
    assert services.personas().get(PERSONA_ID).version == 2
    history = list((folder / ".history").glob(f"{PERSONA_ID}.*.yaml"))
    assert [p.read_text() for p in history] == [original]
    with pytest.raises(DataFileError):
        studio.save(edited.replace("age:", "age: -1\nold_age:", 1))
    assert (folder / f"{PERSONA_ID}.yaml").read_text() == edited
    assert not list(folder.glob(".*.tmp"))


def test_clone_then_save_adds_a_persona(services):
    studio = StudioHandlers(services)
    studio.save(studio.clone(PERSONA_ID, "copy-of-small"))
    assert "copy-of-small" in services.personas()
    with pytest.raises(ValueError, match="invalid persona id"):
        studio.save(studio.clone(PERSONA_ID, "../escape"))


def test_card_export_import_round_trip(services, tmp_path):
    studio = StudioHandlers(services)
    path = studio.export_card(PERSONA_ID)
    assert json.loads(path.read_text())["spec"] == "chara_card_v2"
    imported = yaml.safe_load(studio.import_card(str(path)))
    assert imported["id"] == PERSONA_ID and studio.validate(studio.import_card(str(path))) == ""
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"spec": "chara_card_v2", "spec_version": "2.0", "data": {"name": "X"}}))
    with pytest.raises(DataFileError):
        studio.import_card(str(plain))


def test_preview_and_replay_show_internal_state(services):
    studio = StudioHandlers(services)
    text = studio.load(PERSONA_ID)
    preview = studio.preview_start(text)
    preview, state = studio.preview_send(preview, "Tell me about your work.")
    assert "trust" in state and "mode" in state and len(preview.chat) == 3
    report, chart = studio.replay(text, "# comment\nTell me about your work.\n\nTell me about your pay.\n")
    assert report.count("**Turn") == 2 and "Disclosed" in report
    # trust and fear at the start and after each of the two turns, a marker on every point
    assert chart.startswith("<svg") and chart.count("class='marker'") == 6 and ">2</text>" in chart
    with pytest.raises(ValueError, match="empty"):
        studio.replay(text, "# only a comment\n")


def test_rubric_edit_saves_with_history(services):
    studio = StudioHandlers(services)
    text = studio.load_rubric("default")
    saved = studio.save_rubric(text)
    assert saved.rubric_id == "default" and saved.head == "none"
    assert saved.message().startswith("✓ Saved rubric 'default'; this rubric has no learned head")
    assert "rubric prepare" not in RubricSaved("default", "refitted", 14.0).message()
    assert "(300 s). The first save after an install" in RubricSaved("default", "refitted", 300.0).message()
    assert list((services.settings.rubrics_dir / ".history").glob("default.*.yaml"))


# -- review --

def test_trainee_sees_only_own_sessions(services, users):
    finished_interview(services, users["tina"])
    finished_interview(services, users["tom"])
    review = ReviewHandlers(services)
    assert {s.trainee for s in review.sessions(SessionFilters(), users["ada"])} == {"tina", "tom"}
    assert {s.trainee for s in review.sessions(SessionFilters(trainee="tom"), users["tina"])} == {"tina"}
    tom_session = review.sessions(SessionFilters(trainee="tom"), users["ada"])[0]
    with pytest.raises(PermissionDenied):
        review.open(tom_session.id, users["tina"])
    with pytest.raises(PermissionDenied):
        review.progress("tom", users["tina"])
    assert list(review.progress("", users["tina"])["session"]) == [1]


def test_trainee_cannot_change_reviews(services, users):
    interview, _ = finished_interview(services, users["tina"])
    review = ReviewHandlers(services)
    for action in (lambda: review.override(interview.record_id, 0, "recommended", "yes", "ok", users["tina"]),
                   lambda: review.comment(interview.record_id, "great", users["tina"]),
                   lambda: review.export(SessionFilters(), users["tina"]),
                   lambda: review.rescore(interview.record_id, "default", users["tina"])):
        with pytest.raises(PermissionDenied):
            action()


def test_override_keeps_the_original_and_shows_in_transcript(services, users):
    interview, _ = finished_interview(services, users["tina"])
    review = ReviewHandlers(services)
    original = services.store().get_turns(interview.record_id)[1].assessment["recommended"]
    flipped = "no" if original else "yes"
    review.override(interview.record_id, 1, "recommended", flipped, "checked", users["ada"])
    with pytest.raises(ValueError, match="comment"):
        review.override(interview.record_id, 1, "tone", "harmful", "  ", users["ada"])
    with pytest.raises(ValueError, match="no question"):
        review.override(interview.record_id, 9, "tone", "harmful", "why", users["ada"])
    review.comment(interview.record_id, "Good rapport <b>", users["ada"])
    record, turns, rescores = review.open(interview.record_id, users["ada"])
    assert turns[1].assessment["recommended"] == original and turns[1].effective["recommended"] != original
    text = transcript_markdown(record, turns, rescores)
    assert "changed recommended" in text and "<b>" not in text and "Good rapport &lt;b>" in text


def test_filters_export_and_rescore(services, users):
    interview, _ = finished_interview(services, users["tina"])
    review = ReviewHandlers(services)
    assert review.sessions(SessionFilters(mode="assessment"), users["ada"]) == []
    blank_form = SessionFilters(trainee="", persona_id="", mode="any", status="any", since=" ")
    assert len(review.sessions(blank_form, users["ada"])) == 1
    assert review.sessions(SessionFilters(since="2000-01-01", status="ended"), users["ada"])
    with pytest.raises(ValueError, match="2025-01-31"):
        SessionFilters(since="yesterday")
    sessions_csv, turns_csv = review.export(SessionFilters(), users["ada"])
    assert interview.record_id in sessions_csv.read_text() and len(turns_csv.read_text().splitlines()) == 3
    rescored = review.rescore(interview.record_id, "default", users["ivy"])
    assert [r.turn_index for r in rescored] == [0, 1]
    record, turns, rescores = review.open(interview.record_id, users["ada"])
    transcript = transcript_markdown(record, turns, rescores)
    assert "rubric default" in transcript and "> scorer: " in transcript and "(p=" in transcript


def test_rubric_comparison_shows_metrics_before_saving(services, monkeypatch):
    monkeypatch.setattr(harm_nets, "NETS", 1)  # two cross-validations: one harm network per fold, not five
    shutil.copytree(REPO / "rubrics" / "calibration", services.settings.rubrics_dir / "calibration")
    import simulator.ui.studio as studio_module

    validations = []
    validate = studio_module.cross_validate_head
    monkeypatch.setattr(studio_module, "cross_validate_head",
                        lambda *args, **kwargs: validations.append(args[0].name) or validate(*args, **kwargs))
    studio = StudioHandlers(services)
    text = studio.load_rubric("default")
    table = studio.compare_rubric("default", text)
    assert "cross-validation" in table and "| harmful | recall |" in table and "+0.000" in table
    assert "a fixed sample of 3000 of the" in table  # the repository's sets are far larger
    renamed = text.replace("\nname: ", "\nname: Renamed ", 1)  # the features do not read the name
    assert renamed != text and "+0.000" in studio.compare_rubric("default", renamed)
    assert len(validations) == 1  # one cross-validation served both comparisons
    edited = text.replace("    neutral:\n", "    neutral:\n      - Where did you sleep at night?\n", 1)
    assert edited != text and "fixed sample of 3000" in studio.compare_rubric("default", edited)
    assert len(validations) == 2
    with pytest.raises(DataFileError, match="labels"):
        studio.compare_rubric("default", text.replace("labels:", "labelz:", 1))


def test_claims_are_scored_against_what_this_interview_disclosed():
    """The walkthrough's case: Lan disclosed her hours and her room; the officer ticked three
    indicators she never revealed and left out the two she did."""
    lan = load_model(REPO / "personas" / "lan-nail-salon.yaml", Persona)
    observed = observed_indicators(lan, ["salon-work", "lives-upstairs"])
    assert observed == {"excessive_hours", "poor_living_conditions"}
    guessed = ["debt_bondage", "document_confiscation", "wages_withheld"]
    score = score_conclusion(Conclusion(likely_victim="yes", type="labour", indicators=guessed),
                             lan.ground_truth, observed)
    assert score.indicators_supported == [] and score.indicators_unsupported == guessed
    assert score.indicators_missed == ["excessive_hours", "poor_living_conditions"]
    assert "debt_bondage" in score.indicators_never_revealed
    assert "excessive_hours" not in score.indicators_never_revealed


def test_the_debrief_lists_claims_by_what_was_disclosed(services):
    interview, debrief = finished_interview(services)
    disclosed = {services.personas().get(PERSONA_ID).fact(fact_id).indicator
                 for turn in interview.turns for fact_id in turn.disclosed}
    claimed = {"wages_withheld", "minor"}
    assert set(debrief.score.indicators_supported) == claimed & disclosed
    assert set(debrief.score.indicators_unsupported) == claimed - disclosed
    text = debrief.markdown()
    assert "Claimed but never disclosed in this interview" in text and "not counted against you" in text


def test_end_interview_closes_it_before_the_conclusion(services):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice")
    list(practice.send(interview, "Tell me about your work.", None))
    practice.close(interview)
    with pytest.raises(ValueError, match="submit your conclusion"):
        list(practice.send(interview, "One more thing: were you paid?", None))
    debrief = practice.conclude(interview, Conclusion(likely_victim="unsure"))
    assert debrief.report.turns == 1 and len(services.store().get_turns(interview.record_id)) == 1


def test_only_the_owner_closes_an_interview(services, users):
    practice = PracticeHandlers(services)
    interview, _ = practice.start(PERSONA_ID, "practice", users["tina"])
    with pytest.raises(PermissionDenied):
        practice.close(interview, users["tom"])
    assert not interview.closed


def test_an_override_changes_every_figure_and_keeps_the_scorers(services, users):
    interview, debrief = finished_interview(services, users["tina"],
                                            messages=("Tell me about your work.", "Tell me about your day."))
    review = ReviewHandlers(services)
    turns = services.store().get_turns(interview.record_id)
    recommended = [turn.assessment["recommended"] for turn in turns]
    target = next((i for i, ok in enumerate(recommended) if ok), 0)  # flip a recommended one if any
    review.override(interview.record_id, target, "recommended", "no" if recommended[target] else "yes",
                    "reviewed", users["ada"])
    expected = (sum(recommended) + (-1 if recommended[target] else 1)) / len(recommended)
    (listed,) = review.sessions(SessionFilters(), users["ada"])
    assert listed.recommended_share == pytest.approx(expected, abs=1e-3)
    assert listed.scorer_recommended_share == debrief.report.recommended_share
    assert list(review.progress("tina", users["ada"])["recommended"]) == [round(100 * expected)]
    sessions_csv, _ = review.export(SessionFilters(), users["ada"])
    (row,) = csv.DictReader(io.StringIO(sessions_csv.read_text()))
    assert float(row["recommended_share"]) == pytest.approx(expected, abs=1e-3)
    assert float(row["scorer_recommended_share"]) == debrief.report.recommended_share
    record, turns, rescores = review.open(interview.record_id, users["ada"])
    header = transcript_markdown(record, turns, rescores).splitlines()[0]
    assert f"recommended {render.percent(expected)} after review" in header
    assert f"scorer: {render.percent(debrief.report.recommended_share)}" in header


def test_override_values_come_from_the_label_vocabulary(services, users):
    interview, _ = finished_interview(services, users["tina"])
    review = ReviewHandlers(services)
    assert [value for _, value in override_choices("tone")] == ["supportive", "neutral", "harmful"]
    with pytest.raises(ValueError, match="Pick the new value"):
        review.override(interview.record_id, 0, "tone", None, "why", users["ada"])
    review.override(interview.record_id, 0, "flags", ["blame"], "why", users["ada"])
    assert services.store().get_turns(interview.record_id)[0].effective["flags"] == ["blame"]


def test_the_sessions_csv_holds_the_trainees_verdict_and_indicators(services, users):
    finished_interview(services, users["tina"])
    sessions_csv, _ = ReviewHandlers(services).export(SessionFilters(), users["ada"])
    (row,) = csv.DictReader(io.StringIO(sessions_csv.read_text()))
    assert row["concluded_trafficking"] == "yes" and row["concluded_type"] == "labour"
    assert row["concluded_indicators"] == "minor wages_withheld"


def test_clone_refuses_an_id_already_taken(services):
    studio = StudioHandlers(services)
    with pytest.raises(ValueError, match="already exists"):
        studio.clone(PERSONA_ID, PERSONA_ID)
    with pytest.raises(ValueError, match="already exists"):
        studio.clone(PERSONA_ID, "broken")  # a file that did not load still holds the id
    assert "id: copy-of-small" in studio.clone(PERSONA_ID, " copy-of-small ")


def test_saved_personas_get_the_modes_of_ordinary_files(services):
    studio = StudioHandlers(services)
    folder = services.settings.personas_dir
    plain = folder / "plain.txt"
    plain.write_text("x")  # created as any program creates a file: 0666 less the umask
    studio.save(studio.clone(PERSONA_ID, "copy-of-small"))
    assert (folder / "copy-of-small.yaml").stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    (folder / f"{PERSONA_ID}.yaml").chmod(0o640)
    studio.save(studio.load(PERSONA_ID) + "version: 2\n")
    assert (folder / f"{PERSONA_ID}.yaml").stat().st_mode & 0o777 == 0o640  # an edit keeps the file's mode


def test_unfinished_interviews_can_be_discarded_by_their_trainee_only(services, users):
    practice = PracticeHandlers(services)
    empty, _ = practice.start(PERSONA_ID, "practice", users["tina"])
    kept, _ = practice.start(PERSONA_ID, "practice", users["tina"])
    with pytest.raises(PermissionDenied):
        practice.discard(empty.record_id, users["tom"])
    practice.discard(empty.record_id, users["tina"])
    assert [s.id for s in practice.active_sessions(users["tina"])] == [kept.record_id]
    with pytest.raises(ValueError, match="has ended"):
        practice.resume(empty.record_id, users["tina"])
    with pytest.raises(ValueError, match="only unfinished"):
        practice.discard(empty.record_id, users["tina"])
    record = services.store().get_session(empty.record_id)
    assert record.status == "discarded"  # kept for reviewers, marked
    assert services.store().list_audit(action="session_discarded")[0].target == empty.record_id


def test_charts_step_by_whole_turns_and_dates_with_a_marker_on_every_point(services, users):
    interview, debrief = finished_interview(services, users["tina"])
    curve = debrief.curve()
    labels = re.findall(r"class='x-label'[^>]*>([^<]*)<", curve)
    assert labels == ["start", "1", "2"] and curve.count("class='marker'") == 2 * 3
    review = ReviewHandlers(services)
    single = progress_chart(review.progress("", users["tina"]))
    assert single.count("class='marker'") == 1 and "One finished interview so far" in single
    assert re.findall(r"class='x-label'[^>]*>([^<]*)<", single) == [f"{datetime.now(UTC):%Y-%m-%d}"]
    finished_interview(services, users["tina"])
    both = progress_chart(review.progress("", users["tina"]))
    assert both.count("class='marker'") == 2 and "<polyline" in both


def test_chart_labels_are_escaped():
    chart = line_chart("<b>t</b>", ["<x>"], {"<s>": [1]}, y_max=2)
    assert "<b>" not in chart and "<x>" not in chart and "<s>" not in chart and "&lt;x&gt;" in chart


def test_the_markdown_transcript_reads_as_typed(services):
    said = "I'm told it's \"3.5 hours\" - see www.example.com/t.png."
    _, debrief = finished_interview(services, messages=(said,))
    text = debrief.transcript_markdown()
    assert "I'm told it's \"3.5 hours\" - see www\\.example.com/t.png." in text  # only the link is broken
    assert "&#x27;" not in text and "&quot;" not in text and "3\\.5" not in text


def test_exports_and_cards_are_granted_to_their_roles_only(services, users):
    finished_interview(services, users["tina"])
    sessions_csv, turns_csv = ReviewHandlers(services).export(SessionFilters(), users["ada"])
    card = StudioHandlers(services).export_card(PERSONA_ID, users["ivy"])
    who = {name: account_user(services.store(), name) for name in ("tina", "ada", "ivy")}
    downloads = services.downloads
    for path in (sessions_csv, turns_csv):
        assert [downloads.may_fetch(path.name, who[n]) for n in ("tina", "ada", "ivy")] == [False, True, True]
    assert [downloads.may_fetch(card.name, who[n]) for n in ("tina", "ada", "ivy")] == [False, False, True]
    assert not downloads.may_fetch("persona_small.yaml", who["ivy"])  # never handed out
