"""The Gradio page: three tabs wired to the plain handlers in practice.py, studio.py and review.py.

Only wiring lives here. Handler errors the user can act on (a refused permission, a bad field, a
busy database) become a gr.Error message box; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import inspect
import json

import gradio as gr
from pydantic import ValidationError

from simulator.auth import PermissionDenied, can_edit_personas, can_manage_courses, can_review
from simulator.datafiles import DataFileError, format_validation_error
from simulator.llm.base import ChatModelError
from simulator.personas import INDICATORS
from simulator.registry import UnknownNameError
from simulator.services import Services
from simulator.storage import NotFoundError, StorageError
from simulator.ui import render
from simulator.ui.conclusion import Conclusion
from simulator.ui.courses import CourseHandlers
from simulator.ui.courses_tab import assignments_panel, courses_tab, ratings_box, realism_box
from simulator.ui.handlers import current_user
from simulator.ui.practice import PracticeHandlers
from simulator.ui.review import (
    OVERRIDE_FIELDS,
    ReviewHandlers,
    SessionFilters,
    override_choices,
    progress_chart,
    sessions_table,
    transcript_markdown,
)
from simulator.ui.studio import StudioHandlers

USER_ERRORS = (PermissionDenied, ValueError, DataFileError, UnknownNameError, StorageError, NotFoundError,
               ChatModelError)
MODES = [("Practice: feedback after every question", "practice"),
         ("Assessment: feedback only at the end", "assessment")]
VERDICTS = [("Yes, likely a trafficking victim", "yes"), ("No", "no"), ("Unsure", "unsure")]
TYPES = [("Labour", "labour"), ("Sexual", "sexual"), ("Domestic servitude", "domestic_servitude"),
         ("Forced criminality", "criminal"), ("None", "none")]
# The chat's toolbar holds only Gradio's trash icon (no share or copy buttons are asked for). It wiped
# the shown transcript mid-interview, without a word, while the record stayed: hidden, not offered.
CSS = (".feedback {min-height: 12em} footer {display: none !important} "
       "#chat .icon-button-wrapper, #preview-chat .icon-button-wrapper {display: none !important}")
# A message stays in its box, locked, until its turn is saved, and a copy waits in the tab's
# sessionStorage until the server confirms it. If the app stops on the way, the text is not lost: a
# failed event puts it back, unlocked, with a notice, and so does the next page load (after a
# restart the trainee reloads anyway, to resume).
UNSENT_NOTICE = ("**Your last message may not have been sent:** the app stopped answering. It is back in the "
                 "box; after you resume, send it again unless the transcript already shows it.")
REMEMBER_UNSENT_JS = ("(state, text) => { sessionStorage.setItem('unsent-message', text ?? ''); "
                      "return [state, text]; }")
FORGET_UNSENT_JS = "() => { sessionStorage.removeItem('unsent-message'); }"
RESTORE_UNSENT_JS = ("() => { const text = sessionStorage.getItem('unsent-message'); return text ? "
                     "[{__type__: 'update', value: text, interactive: true}, " + json.dumps(UNSENT_NOTICE)
                     + "] : [undefined, undefined]; }")


def shown_as_errors(fn):
    """Show user-actionable errors in the page instead of a generic 'Error'."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except USER_ERRORS as exc:
                raise gr.Error(str(exc)) from exc
        return generator

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            raise gr.Error(str(exc)) from exc
    return plain


def build_app(services: Services) -> gr.Blocks:
    with gr.Blocks(title="Interview practice", analytics_enabled=False) as app:
        who = gr.Markdown(elem_id="who")
        courses = CourseHandlers(services)
        with gr.Tabs():
            with gr.Tab("Practice", id="practice"):
                _practice_tab(app, PracticeHandlers(services), services.settings.show_gauges, courses)
            # Shown per role once the user is known; the handlers refuse other roles whatever is shown.
            with gr.Tab("Persona studio", id="studio", visible=False) as studio_tab:
                _studio_tab(app, StudioHandlers(services), courses)
            with gr.Tab("Review", id="review", visible=False) as review_tab:
                reviewer_only = _review_tab(app, ReviewHandlers(services), services)
            with gr.Tab("Courses", id="courses", visible=False) as courses_tab_item:
                instructor_only, course_reviewer_only, (load_courses, course_pickers) = courses_tab(
                    courses, shown_as_errors)
            app.load(load_courses, None, course_pickers, api_visibility="private")

        @shown_as_errors
        def signed_in(request: gr.Request):
            user = current_user(services, request)
            reviewer = can_review(user)
            return (f"Signed in as **{render.inert(user.name)}** ({render.inert(user.roles_label)})",
                    gr.update(visible=can_edit_personas(user)),
                    gr.update(visible=True, label="Review" if reviewer else "My sessions"),
                    *[gr.update(visible=reviewer) for _ in [*reviewer_only, courses_tab_item,
                                                            *course_reviewer_only]],
                    *[gr.update(visible=can_manage_courses(user)) for _ in instructor_only])

        app.load(signed_in, None, [who, studio_tab, review_tab, *reviewer_only, courses_tab_item,
                                   *course_reviewer_only, *instructor_only], api_visibility="private")
    return app


def _practice_tab(app: gr.Blocks, handlers: PracticeHandlers, show_gauges: bool,
                  courses: CourseHandlers) -> None:
    interview = gr.State(None)
    course_pick, start_next, (load_assignments, assignment_outputs) = assignments_panel(courses,
                                                                                        shown_as_errors)
    with gr.Accordion("Choose a persona", open=True) as setup:
        with gr.Row():
            cards = gr.Markdown(elem_id="persona-cards")
            with gr.Column(min_width=300):
                persona = gr.Radio(label="Persona", choices=[], elem_id="persona-pick")
                mode = gr.Radio(MODES, value="practice", label="Mode")
                start = gr.Button("Start interview", variant="primary", elem_id="start")
                with gr.Accordion("Resume an unfinished interview", open=False):
                    resumable = gr.Dropdown(label="Your unfinished interviews", choices=[],
                                            elem_id="resumable")
                    with gr.Row():
                        resume = gr.Button("Resume")
                        discard = gr.Button("Discard", variant="stop", elem_id="discard")
    with gr.Row():
        with gr.Column(scale=3):
            scene = gr.Markdown()
            chat = gr.Chatbot(label="Interview", height=420, allow_tags=False, sanitize_html=True,
                              render_markdown=False, latex_delimiters=[], buttons=[], feedback_options=None,
                              elem_id="chat")
            message = gr.Textbox(label="What you say", placeholder="Type your question and press Enter",
                                 lines=1, max_lines=1, elem_id="message")
            send_notice = gr.Markdown(elem_id="send-notice")
            with gr.Row():
                send = gr.Button("Send", variant="primary", elem_id="send")
                end = gr.Button("End interview", variant="stop", elem_id="end")
        with gr.Column(scale=2, min_width=260):
            feedback = gr.Markdown("Feedback on each question appears here in practice mode.",
                                   elem_classes=["feedback"], elem_id="feedback", latex_delimiters=[])
            gauge = gr.Markdown(visible=show_gauges, elem_id="gauge")
    with gr.Column(visible=False, elem_id="conclusion") as conclusion_box:
        gr.Markdown("### Your conclusion\nAnswer before the debrief: what do you believe now?")
        verdict = gr.Radio(VERDICTS, label="Is the person likely a victim of trafficking?", value="unsure")
        kind = gr.Radio(TYPES, label="Which type?", value="none")
        indicators = gr.CheckboxGroup([(f"{render.label(k)}: {v}", k) for k, v in INDICATORS.items()],
                                      label="Indicators you observed", elem_id="indicators")
        submit = gr.Button("Submit conclusion and see the debrief", variant="primary",
                           elem_id="submit-conclusion")
    with gr.Column(visible=False, elem_id="debrief") as debrief_box:
        debrief = gr.Markdown(elem_id="debrief-text", latex_delimiters=[])
        curve = gr.HTML(elem_id="trust-fear-plot")
        downloads = gr.File(label="Downloads", file_count="multiple", interactive=False)
        clear_rating, rating_outputs = realism_box(courses, interview, shown_as_errors)

    @shown_as_errors
    def load_personas(request: gr.Request):
        cards_list = handlers.persona_cards(request)
        choices = [(render.persona_choice_label(card), card["id"]) for card in cards_list]
        return (render.persona_cards_markdown(cards_list), gr.update(choices=choices),
                resumable_choices(request))

    def resumable_choices(request: gr.Request):
        resumables = [(f"{s.persona_id} · {s.started_at:%Y-%m-%d %H:%M} · {s.turn_count} questions", s.id)
                      for s in handlers.active_sessions(request)]
        return gr.update(choices=resumables, value=None)

    @shown_as_errors
    def discard_interview(session_id, request: gr.Request):
        if not session_id:
            raise gr.Error("Pick an unfinished interview first.")
        handlers.discard(session_id, request)
        gr.Info("Discarded: it will not be offered again.")
        return resumable_choices(request)

    def opened(state, view):
        scene_text = f"_{render.inert(state.persona.opening_scene)}_"
        reopened = gr.update(interactive=True)
        return (state, scene_text, view.chat, view.feedback, view.gauge, gr.update(visible=False),
                gr.update(visible=False), gr.update(open=False), reopened, reopened, reopened)

    @shown_as_errors
    def start_interview(persona_id, mode_value, request: gr.Request):
        if not persona_id:
            raise gr.Error("Pick a persona first.")
        return opened(*handlers.start(persona_id, mode_value, request))

    @shown_as_errors
    def start_assigned(course_id, request: gr.Request):
        """My assignments' "Start next": the course's first item not passed, or a due refresher."""
        if course_id is None:
            raise gr.Error("Pick a course first.")
        item = courses.next_item(course_id, request)
        return opened(*handlers.start(item.persona_id, item.mode, request))

    @shown_as_errors
    def resume_interview(session_id, request: gr.Request):
        if not session_id:
            raise gr.Error("Pick an unfinished interview first.")
        return opened(*handlers.resume(session_id, request))

    def send_message(state, text, request: gr.Request):
        """The box keeps the message, locked, while the persona replies, and empties only once the turn
        is saved; a refused message stays in it to be corrected. Unlocked however the turn ends."""
        unchanged, locked = gr.update(), gr.update(interactive=False)
        try:
            for view in handlers.send(state, text, request):
                yield locked, view.chat, view.feedback, view.gauge, ""
        except USER_ERRORS as exc:
            gr.Warning(str(exc))
            yield gr.update(interactive=not (state and state.closed)), *[unchanged] * 4
            return
        yield gr.update(value="", interactive=not state.closed), *[unchanged] * 4

    @shown_as_errors
    def ask_conclusion(state, request: gr.Request):
        """The interview closes here: the form is the only thing left to answer."""
        handlers.close(state, request)
        closed = gr.update(interactive=False)
        return gr.update(visible=True), closed, closed, closed

    @shown_as_errors
    def conclude(state, verdict_value, kind_value, indicator_values, request: gr.Request):
        said = Conclusion(likely_victim=verdict_value, type=kind_value, indicators=indicator_values or [])
        result = handlers.conclude(state, said, request)
        files = [str(path) for path in handlers.downloads(state, request)]
        return (result.markdown(), result.curve(), files,
                gr.update(visible=False), gr.update(visible=True))

    opened_outputs = [interview, scene, chat, feedback, gauge, conclusion_box, debrief_box, setup,
                      message, send, end]
    app.load(load_personas, None, [cards, persona, resumable], api_visibility="private")
    start.click(start_interview, [persona, mode], opened_outputs, api_visibility="private")
    start_next.click(start_assigned, [course_pick], opened_outputs, api_visibility="private")
    app.load(load_assignments, None, assignment_outputs, api_visibility="private")
    resume.click(resume_interview, [resumable], opened_outputs, api_visibility="private")
    discard.click(discard_interview, [resumable], [resumable], api_visibility="private")
    for trigger in (send.click, message.submit):
        sent = trigger(send_message, [interview, message], [message, chat, feedback, gauge, send_notice],
                       js=REMEMBER_UNSENT_JS, api_visibility="private")
        sent.success(None, js=FORGET_UNSENT_JS, api_visibility="private")
        sent.failure(None, None, [message, send_notice], js=RESTORE_UNSENT_JS, api_visibility="private")
    app.load(None, None, [message, send_notice], js=RESTORE_UNSENT_JS, api_visibility="private")
    end.click(ask_conclusion, [interview], [conclusion_box, message, send, end], api_visibility="private")
    concluded = submit.click(conclude, [interview, verdict, kind, indicators],
                             [debrief, curve, downloads, conclusion_box, debrief_box],
                             api_visibility="private")
    concluded.success(load_assignments, None, assignment_outputs, api_visibility="private")
    concluded.success(clear_rating, None, rating_outputs, api_visibility="private")


def _studio_tab(app: gr.Blocks, handlers: StudioHandlers, courses: CourseHandlers) -> None:
    preview_state = gr.State(None)
    gr.Markdown("Instructors only. Edits are checked as you type; Save keeps the previous version in "
                "`personas/.history/`.")
    with gr.Row():
        persona = gr.Dropdown(label="Persona", choices=[], elem_id="studio-persona")
        refresh = gr.Button("Reload list", elem_id="studio-refresh")
        load = gr.Button("Open")
    load_errors = gr.Markdown()
    editor = gr.Code(language="yaml", label="Persona YAML", lines=20, max_lines=28, elem_id="studio-yaml")
    validation = gr.Markdown(elem_id="studio-validation")
    with gr.Row():
        save = gr.Button("Save", variant="primary")
        clone_id = gr.Textbox(label="New id for a clone", scale=1)
        clone = gr.Button("Clone")
    with gr.Row():
        export = gr.Button("Export Character Card V2")
        card_out = gr.File(label="Exported card", interactive=False)
        card_in = gr.File(label="Import Character Card V2 (.json)", file_types=[".json"], type="filepath")
    with gr.Accordion("Preview chat (shows the internal state each turn)", open=False):
        preview_start = gr.Button("Start preview with the YAML above", elem_id="preview-start")
        preview_chat = gr.Chatbot(height=300, allow_tags=False, render_markdown=False, latex_delimiters=[],
                                  buttons=[], feedback_options=None, elem_id="preview-chat")
        preview_message = gr.Textbox(label="Officer message (Enter sends)", lines=1, max_lines=1,
                                     elem_id="preview-message")
        preview_state_md = gr.Markdown(elem_id="preview-state")
        script = gr.Textbox(label="Replay script: one officer message per line, # for comments", lines=6)
        replay = gr.Button("Run replay")
        replay_chart = gr.HTML(elem_id="studio-replay-plot")
        replay_out = gr.Markdown()
    with gr.Accordion("Rubric", open=False):
        with gr.Row():
            rubric = gr.Dropdown(label="Rubric", choices=[])
            rubric_load = gr.Button("Open rubric")
        rubric_editor = gr.Code(language="yaml", label="Rubric YAML (exemplars)", lines=20, max_lines=28)
        with gr.Row():
            rubric_compare = gr.Button("Re-run calibration (saved vs edited)")
            rubric_save = gr.Button("Save rubric")
        rubric_status = gr.Markdown()
    ratings_box(courses, persona, shown_as_errors)

    def list_on_load(request: gr.Request):
        try:
            return list_personas(request)
        except gr.Error as exc:
            return gr.update(), f"**Not available:** {render.inert(exc.message)}", gr.update()

    @shown_as_errors
    def list_personas(request: gr.Request):
        names, errors = handlers.persona_ids(request)
        problems = "\n".join(f"- ⚠ {render.inert(error)}" for error in errors.values())
        return (gr.update(choices=names), problems and "**Files that did not load:**\n" + problems,
                gr.update(choices=handlers.rubric_ids(request)))

    def check(text, request: gr.Request):
        try:
            problem = handlers.validate(text, request)
        except PermissionDenied as exc:
            return f"**Not available:** {render.inert(str(exc))}"
        return f"⚠ {render.inert(problem)}" if problem else "✓ Valid persona"

    @shown_as_errors
    def save_persona(text, request: gr.Request):
        persona_id = handlers.save(text, request)
        gr.Info(f"Saved persona '{persona_id}'.")
        names, _ = handlers.persona_ids(request)
        return gr.update(choices=names, value=persona_id)

    @shown_as_errors
    def send_preview(preview, text, request: gr.Request):
        preview, state_text = handlers.preview_send(preview, text, request)
        return preview, preview.chat, state_text, ""

    @shown_as_errors
    def start_preview(text, request: gr.Request):
        preview = handlers.preview_start(text, request)
        return preview, preview.chat, ""

    @shown_as_errors
    def save_rubric(text, request: gr.Request):
        return handlers.save_rubric(text, request).message()

    private = {"api_visibility": "private"}
    app.load(list_on_load, None, [persona, load_errors, rubric], **private)
    refresh.click(list_personas, None, [persona, load_errors, rubric], **private)
    load.click(shown_as_errors(handlers.load), [persona], [editor], **private)
    editor.change(check, [editor], [validation], trigger_mode="always_last", **private)
    save.click(save_persona, [editor], [persona], **private)
    clone.click(shown_as_errors(handlers.clone), [persona, clone_id], [editor], **private)
    export.click(shown_as_errors(handlers.export_card), [persona], [card_out], **private)
    card_in.upload(shown_as_errors(handlers.import_card), [card_in], [editor], **private)
    preview_start.click(start_preview, [editor], [preview_state, preview_chat, preview_state_md], **private)
    preview_message.submit(send_preview, [preview_state, preview_message],
                           [preview_state, preview_chat, preview_state_md, preview_message], **private)
    replay.click(shown_as_errors(handlers.replay), [editor, script], [replay_out, replay_chart], **private)
    rubric_load.click(shown_as_errors(handlers.load_rubric), [rubric], [rubric_editor], **private)
    rubric_compare.click(shown_as_errors(handlers.compare_rubric), [rubric, rubric_editor], [rubric_status],
                         **private)
    rubric_save.click(save_rubric, [rubric_editor], [rubric_status], **private)


def _review_tab(app: gr.Blocks, handlers: ReviewHandlers,
                services: Services) -> list[gr.Textbox | gr.Accordion]:
    """A trainee's own sessions and progress; for reviewers also everyone's, and the review tools
    (the components returned, shown only to reviewers)."""
    with gr.Row():
        trainee = gr.Textbox(label="Trainee", scale=1, visible=False)
        persona = gr.Textbox(label="Persona id", scale=1)
        mode = gr.Dropdown(["any", "practice", "assessment"], value="any", label="Mode", scale=1)
        status = gr.Dropdown(["any", "active", "ended", "discarded"], value="any", label="Status", scale=1)
        since = gr.Textbox(label="Since (YYYY-MM-DD)", scale=1)
        min_score = gr.Slider(0, 1, value=0, step=0.05, label="Minimum recommended share", scale=1)
    search = gr.Button("List sessions", variant="primary", elem_id="review-search")
    table = gr.Dataframe(interactive=False, wrap=True, elem_id="review-table")
    with gr.Row():
        session = gr.Dropdown(label="Session", choices=[], elem_id="review-session")
        open_button = gr.Button("Open transcript", elem_id="review-open")
    transcript = gr.Markdown(elem_id="review-transcript", latex_delimiters=[])
    with gr.Accordion("Review (assessors and instructors)", open=False, visible=False,
                      elem_id="review-tools") as review_tools:
        with gr.Row():
            turn = gr.Number(label="Question number", precision=0, minimum=1, value=1)
            field = gr.Dropdown([(render.label(name), name) for name in OVERRIDE_FIELDS], value="recommended",
                                label="Label", elem_id="override-field")
            value = gr.Dropdown(override_choices("recommended"), value=None, label="New value",
                                elem_id="override-value")
            flags = gr.Dropdown(override_choices("flags"), value=[], multiselect=True, label="New flags",
                                visible=False, elem_id="override-flags")
            reason = gr.Textbox(label="Comment (why)")
        override = gr.Button("Save override")
        overall = gr.Textbox(label="Overall comment", lines=3)
        save_comment = gr.Button("Save overall comment")
        with gr.Row():
            rubric = gr.Dropdown(label="Rescore with rubric", choices=services.rubrics().names())
            rescore = gr.Button("Rescore (keeps the old scores)")
        export = gr.Button("Export CSV (sessions and turns)")
        exports = gr.File(label="CSV exports", file_count="multiple", interactive=False)
    with gr.Accordion("Progress over time", open=False):
        progress_trainee = gr.Textbox(label="Trainee (blank: yourself)", visible=False)
        progress_button = gr.Button("Show progress")
        progress = gr.HTML(elem_id="progress-plot")

    filters_inputs = [trainee, persona, mode, status, since, min_score]

    def filters(trainee_v, persona_v, mode_v, status_v, since_v, score_v) -> SessionFilters:
        try:
            return SessionFilters(trainee=trainee_v, persona_id=persona_v, mode=mode_v, status=status_v,
                                  since=since_v, min_score=score_v or None)
        except ValidationError as exc:
            raise gr.Error(format_validation_error(exc)) from exc

    @shown_as_errors
    def list_sessions(trainee_v, persona_v, mode_v, status_v, since_v, score_v, request: gr.Request):
        found = handlers.sessions(filters(trainee_v, persona_v, mode_v, status_v, since_v, score_v), request)
        choices = [(f"{s.trainee} · {s.persona_id} · {s.started_at:%Y-%m-%d %H:%M}", s.id) for s in found]
        return sessions_table(found), gr.update(choices=choices)

    @shown_as_errors
    def open_session(session_id, request: gr.Request):
        if not session_id:
            raise gr.Error("Pick a session first.")
        record, turns, rescores = handlers.open(session_id, request)
        return transcript_markdown(record, turns, rescores), record.overall_comment

    def pick_field(field_v):
        single = field_v != "flags"
        return (gr.update(choices=override_choices(field_v) if single else [], value=None, visible=single),
                gr.update(visible=not single))

    @shown_as_errors
    def save_override(session_id, number, field_v, value_v, flags_v, reason_v, request: gr.Request):
        if not session_id:
            raise gr.Error("Pick a session first.")
        new_value = flags_v if field_v == "flags" else value_v
        handlers.override(session_id, int(number or 1) - 1, field_v, new_value, reason_v, request)
        return open_session(session_id, request)

    @shown_as_errors
    def save_overall(session_id, text, request: gr.Request):
        handlers.comment(session_id, text, request)
        return open_session(session_id, request)

    @shown_as_errors
    def rescore_session(session_id, rubric_id, request: gr.Request):
        handlers.rescore(session_id, rubric_id, request)
        return open_session(session_id, request)

    @shown_as_errors
    def export_csv(trainee_v, persona_v, mode_v, status_v, since_v, score_v, request: gr.Request):
        chosen = filters(trainee_v, persona_v, mode_v, status_v, since_v, score_v)
        return [str(path) for path in handlers.export(chosen, request)]

    private = {"api_visibility": "private"}
    search.click(list_sessions, filters_inputs, [table, session], **private)
    open_button.click(open_session, [session], [transcript, overall], **private)
    field.change(pick_field, [field], [value, flags], **private)
    override.click(save_override, [session, turn, field, value, flags, reason], [transcript, overall],
                   **private)
    save_comment.click(save_overall, [session, overall], [transcript, overall], **private)
    rescore.click(rescore_session, [session, rubric], [transcript, overall], **private)
    export.click(export_csv, filters_inputs, [exports], **private)
    @shown_as_errors
    def show_progress(trainee_v, request: gr.Request):
        return progress_chart(handlers.progress(trainee_v, request))

    progress_button.click(show_progress, [progress_trainee], [progress], **private)
    return [trainee, review_tools, progress_trainee]
