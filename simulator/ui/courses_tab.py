"""The Gradio parts of courses: the Courses tab (course editor, cohorts and assignments for instructors;
the effectiveness view for reviewers), "My assignments" in the practice tab, the realism rating under
the debrief, and each persona's ratings in the studio. Only wiring and text: the rules are in
simulator/ui/courses.py."""

from __future__ import annotations

from collections.abc import Callable
from statistics import mean

import gradio as gr

from simulator.courses import CourseItem
from simulator.ui import render
from simulator.ui.courses import CourseHandlers, CourseProgress

PRIVATE = {"api_visibility": "private"}
Loader = tuple[Callable, list]  # a page-load handler and its outputs
ITEM_MODES = [("Practice (feedback after every question)", "practice"),
              ("Assessment (feedback at the end)", "assessment")]
REALISM = [("1: not realistic", 1), ("2", 2), ("3", 3), ("4", 4), ("5: very realistic", 5)]
STATE_MARKS = {"passed": "✓", "needs another try": "↻", "refresher due": "⏰", "refresher overdue": "⚠"}


def items_markdown(items: list[dict]) -> str:
    if not items:
        return "_No items yet: add personas in the order trainees should meet them._"
    lines = ["| # | persona | mode | pass: recommended | pass: correct conclusion |", "|---|---|---|---|---|"]
    for number, item in enumerate(items, start=1):
        lines.append(f"| {number} | {render.inert(item['persona_id'])} | {item['mode']} | "
                     f"at least {render.percent(item['min_recommended'])} | "
                     f"{'required' if item['require_correct_conclusion'] else 'not required'} |")
    return "\n".join(lines)


def progress_markdown(progress: list[CourseProgress]) -> str:
    """The trainee's assignments: each item's status, the refresher date, what "Start next" opens."""
    if not progress:
        return "_No courses have been assigned to you yet. You can still practise with any persona below._"
    blocks = []
    for course in progress:
        upcoming = course.next
        refresher = (f" Passed items come due again after {course.course.refresher_days} days."
                     if course.course.refresher_days else "")
        lines = [f"**{render.inert(course.course.name)}** (assigned {course.assigned_at:%Y-%m-%d})."
                 f"{refresher}", "", "| # | persona | mode | status | attempts | best | refresher |",
                 "|---|---|---|---|---|---|---|"]
        for status in course.items:
            mark = STATE_MARKS.get(status.state, "")
            best = "—" if status.best_recommended is None else render.percent(status.best_recommended)
            due = f"{status.refresher_at:%Y-%m-%d}" if status.refresher_at else "—"
            lines.append(f"| {status.position} | {render.inert(status.item.persona_id)} | "
                         f"{status.item.mode} | {mark} {status.state} | {status.attempts} | {best} | {due} |")
        lines.append("" if upcoming is None else
                     f"\nNext: item {upcoming.position}, {render.inert(upcoming.item.persona_id)} "
                     f"({upcoming.item.mode}).")
        if upcoming is None:
            lines.append("\nEvery item passed.")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def ratings_markdown(ratings, persona_id: str | None) -> str:
    """Every persona's mean realism rating, then the chosen persona's ratings and comments."""
    if not ratings:
        return "_No trainee has rated an interview yet._"
    by_persona: dict[str, list[int]] = {}
    for rating in ratings:
        by_persona.setdefault(rating.persona_id, []).append(rating.rating)
    lines = ["| persona | ratings | mean (1-5) |", "|---|---|---|"]
    for name, values in sorted(by_persona.items(), key=lambda pair: mean(pair[1])):
        lines.append(f"| {render.inert(name)} | {len(values)} | {mean(values):.1f} |")
    if persona_id:
        lines.append(f"\n**{render.inert(persona_id)}:**")
        mine = [r for r in ratings if r.persona_id == persona_id]
        lines += [f"- {r.rating}/5 · {r.created_at:%Y-%m-%d} · {render.inert(r.trainee)}: "
                  f"{render.inert(r.comment) or '_no comment_'}" for r in mine] or ["- no ratings yet"]
    return "\n".join(lines)


def courses_tab(handlers: CourseHandlers, shown_as_errors: Callable) -> tuple[list, list, Loader]:
    """The tab's contents. Returns the instructor-only and reviewer-only components (shown per role)
    and the loader to run when the page opens."""
    items = gr.State([])
    with gr.Accordion("Course editor (instructors)", open=True, visible=False) as editor:
        with gr.Row():
            course = gr.Dropdown(label="Course", choices=[], elem_id="course-pick")
            open_course = gr.Button("Open", elem_id="course-open")
            new_course = gr.Button("New course", elem_id="course-new")
        course_id = gr.State(None)
        with gr.Row():
            name = gr.Textbox(label="Course name", elem_id="course-name")
            refresher = gr.Number(label="Refresher after (days; 0: none)", value=0, precision=0, minimum=0,
                                  elem_id="course-refresher")
        description = gr.Textbox(label="Description", lines=2)
        items_table = gr.Markdown(items_markdown([]), elem_id="course-items")
        with gr.Row():
            # Any id is taken here: saving checks that the persona exists.
            item_persona = gr.Dropdown(label="Persona", choices=[], allow_custom_value=True,
                                       elem_id="item-persona")
            item_mode = gr.Radio(ITEM_MODES, value="practice", label="Mode", elem_id="item-mode")
            item_min = gr.Slider(0, 100, value=60, step=5, label="Pass: at least this % recommended",
                                 elem_id="item-min")
            item_conclusion = gr.Checkbox(value=True, elem_id="item-conclusion",
                                          label="Pass: a correct conclusion (victim or not, type)")
        with gr.Row():
            add_item = gr.Button("Add item", elem_id="item-add")
            remove_item = gr.Button("Remove last item", elem_id="item-remove")
            save = gr.Button("Save course", variant="primary", elem_id="course-save")
            delete = gr.Button("Delete course", variant="stop", elem_id="course-delete")
        course_status = gr.Markdown(elem_id="course-status")
    with gr.Accordion("Cohorts and assignments (instructors)", open=True, visible=False) as assigning:
        with gr.Row():
            cohort_name = gr.Textbox(label="Cohort name", elem_id="cohort-name")
            cohort_members = gr.Textbox(label="Trainees (names, comma separated)", elem_id="cohort-members")
            save_cohort = gr.Button("Save cohort", elem_id="cohort-save")
        with gr.Row():
            assign_course = gr.Dropdown(label="Assign course", choices=[], elem_id="assign-course")
            assign_cohort = gr.Dropdown(label="to cohort", choices=[], elem_id="assign-cohort")
            assign_trainee = gr.Textbox(label="or to one trainee", elem_id="assign-trainee")
            assign = gr.Button("Assign", variant="primary", elem_id="assign")
        assignments = gr.Markdown(elem_id="assignments")
        with gr.Row():
            assigned = gr.Dropdown(label="Assignment", choices=[], elem_id="assignment-pick")
            unassign = gr.Button("Remove assignment", variant="stop", elem_id="unassign")
    with gr.Accordion("Training effectiveness (assessors and instructors)", open=True,
                      visible=False) as effectiveness:
        with gr.Row():
            eff_course = gr.Dropdown(label="Course", choices=[], elem_id="eff-course")
            eff_cohort = gr.Dropdown(label="Cohort", choices=[], elem_id="eff-cohort")
            show = gr.Button("Show effectiveness", variant="primary", elem_id="eff-show")
            export = gr.Button("Export CSV", elem_id="eff-export")
        eff_text = gr.Markdown(elem_id="eff-text", latex_delimiters=[])
        eff_plots = gr.HTML(elem_id="eff-plots")
        eff_files = gr.File(label="CSV exports", file_count="multiple", interactive=False,
                            elem_id="eff-files")

    def choices(request: gr.Request):
        """Course and cohort pickers: reviewers see all; trainees never get this tab's data."""
        course_choices = [(c.name, c.id) for c in handlers.courses(request)]
        cohort_choices = [(f"{c.name} ({len(c.members)})", c.id) for c in handlers.cohorts(request)]
        return (gr.update(choices=course_choices), gr.update(choices=course_choices),
                gr.update(choices=[("any", None), *cohort_choices]), gr.update(choices=cohort_choices),
                gr.update(choices=[("any", None), *course_choices]), *assignment_views(handlers, request))

    @shown_as_errors
    def on_load(request: gr.Request):
        """Trainees never see this tab: their page gets nothing from it."""
        if not handlers.reviewing(request):
            return [gr.update()] * 8
        return (gr.update(choices=handlers.persona_ids(request)), *choices(request))

    pickers = [course, assign_course, eff_cohort, assign_cohort, eff_course, assignments, assigned]

    def add(current, persona_id, mode, minimum, conclusion):
        if not persona_id:
            raise gr.Error("Pick a persona for the item first.")
        item = CourseItem(persona_id=persona_id, mode=mode, min_recommended=(minimum or 0) / 100,
                          require_correct_conclusion=bool(conclusion)).model_dump(mode="json")
        updated = [*current, item]
        return updated, items_markdown(updated)

    def remove(current):
        updated = current[:-1]
        return updated, items_markdown(updated)

    @shown_as_errors
    def save_course(current_id, name_v, description_v, refresher_v, current, request: gr.Request):
        saved = handlers.save_course(current_id, name_v, description_v, int(refresher_v or 0), current,
                                     request)
        gr.Info(f"Saved course '{saved.name}'.")
        return (saved.id, f"✓ Saved **{render.inert(saved.name)}** ({len(saved.items)} items).",
                *choices(request))

    @shown_as_errors
    def open_saved(chosen, request: gr.Request):
        if chosen is None:
            raise ValueError("Pick a course first.")
        found = next((c for c in handlers.courses(request) if c.id == chosen), None)
        if found is None:
            raise ValueError("That course no longer exists.")
        current = [item.model_dump(mode="json") for item in found.items]
        return (found.id, found.name, found.description, found.refresher_days or 0, current,
                items_markdown(current))

    def reset():
        return None, "", "", 0, [], items_markdown([])

    @shown_as_errors
    def delete_course(current_id, request: gr.Request):
        handlers.delete_course(current_id, request)
        return (*reset(), "Deleted.", *choices(request))

    @shown_as_errors
    def cohort(name_v, members_v, request: gr.Request):
        saved = handlers.save_cohort(name_v or "", (members_v or "").split(","), request)
        gr.Info(f"Saved cohort '{saved.name}' with {len(saved.members)} trainees.")
        return choices(request)

    @shown_as_errors
    def assign_to(course_v, cohort_v, trainee_v, request: gr.Request):
        if course_v is None:
            raise ValueError("Pick the course to assign.")
        trainee_v = (trainee_v or "").strip() or None
        if (cohort_v is None) == (trainee_v is None):
            raise ValueError("Assign to a cohort or to one trainee (one of the two).")
        handlers.assign(course_v, trainee_v, cohort_v, request)
        gr.Info("Assigned.")
        return assignment_views(handlers, request)

    @shown_as_errors
    def remove_assignment(assignment_v, request: gr.Request):
        handlers.remove_assignment(assignment_v, request)
        gr.Info("Assignment removed; the trainees' sessions are kept.")
        return assignment_views(handlers, request)

    @shown_as_errors
    def show_effectiveness(course_v, cohort_v, request: gr.Request):
        view = handlers.effectiveness(course_v, cohort_v, request)
        return view.markdown(), view.charts()

    @shown_as_errors
    def export_effectiveness(course_v, cohort_v, request: gr.Request):
        return [str(path) for path in handlers.export_effectiveness(course_v, cohort_v, request)]

    form = [course_id, name, description, refresher, items, items_table]
    add_item.click(add, [items, item_persona, item_mode, item_min, item_conclusion], [items, items_table],
                   **PRIVATE)
    remove_item.click(remove, [items], [items, items_table], **PRIVATE)
    save.click(save_course, [course_id, name, description, refresher, items],
               [course_id, course_status, *pickers], **PRIVATE)
    open_course.click(open_saved, [course], form, **PRIVATE)
    new_course.click(reset, None, form, **PRIVATE)
    delete.click(delete_course, [course_id], [*form, course_status, *pickers], **PRIVATE)
    save_cohort.click(cohort, [cohort_name, cohort_members], pickers, **PRIVATE)
    assign.click(assign_to, [assign_course, assign_cohort, assign_trainee], [assignments, assigned],
                 **PRIVATE)
    unassign.click(remove_assignment, [assigned], [assignments, assigned], **PRIVATE)
    show.click(show_effectiveness, [eff_course, eff_cohort], [eff_text, eff_plots], **PRIVATE)
    export.click(export_effectiveness, [eff_course, eff_cohort], [eff_files], **PRIVATE)
    return [editor, assigning], [effectiveness], (on_load, [item_persona, *pickers])


def assignment_views(handlers: CourseHandlers, request: gr.Request) -> tuple[str, dict]:
    """The table of every assignment, and the picker of the one to remove."""
    listed = handlers.assignments(request)
    if not listed:
        return "_No courses assigned yet._", gr.update(choices=[], value=None)
    lines = ["| course | to | by | on |", "|---|---|---|---|"]
    picks = []
    for a in listed:
        to = f"cohort {a.cohort_name}" if a.cohort_id is not None else f"trainee {a.trainee}"
        lines.append(f"| {render.inert(a.course_name)} | {render.inert(to)} | "
                     f"{render.inert(a.assigned_by)} | {a.assigned_at:%Y-%m-%d} |")
        picks.append((f"{a.course_name} → {to}", a.id))
    return "\n".join(lines), gr.update(choices=picks, value=None)


def assignments_panel(handlers: CourseHandlers, errors: Callable) -> tuple[gr.Dropdown, gr.Button, Loader]:
    """"My assignments" in the practice tab. Returns the course picker and the Start next button (the
    practice tab wires it to its own start), and the loader to run when the page opens."""
    with gr.Accordion("My assignments", open=True):
        mine = gr.Markdown(elem_id="my-assignments")
        with gr.Row():
            course = gr.Dropdown(label="Course", choices=[], elem_id="assignment-course")
            start_next = gr.Button("Start next", variant="primary", elem_id="start-next")
            refresh = gr.Button("Refresh", elem_id="assignments-refresh")

    @errors
    def load(request: gr.Request):
        progress = handlers.progress("", request)
        picks = [(p.course.name, p.course.id) for p in progress]
        return progress_markdown(progress), gr.update(choices=picks, value=picks[0][1] if picks else None)

    refresh.click(load, None, [mine, course], **PRIVATE)
    return course, start_next, (load, [mine, course])


def realism_box(handlers: CourseHandlers, interview: gr.State, errors: Callable) -> Loader:
    """Under the debrief: how realistic did the interview feel? Goes to the persona's authors. Returns
    the handler that empties the box, for each new debrief."""
    gr.Markdown("### How realistic was this interview?\nYour rating and comment go to the instructors "
                "who write the personas.")
    rating = gr.Radio(REALISM, label="Realism", elem_id="realism-rating")
    comment = gr.Textbox(label="What felt real or unreal? (optional)", lines=2, elem_id="realism-comment")
    send = gr.Button("Send rating", elem_id="realism-save")
    sent = gr.Markdown(elem_id="realism-status")

    @errors
    def rate(state, rating_v, comment_v, request: gr.Request):
        handlers.rate(getattr(state, "record_id", None), rating_v, comment_v, request)
        return f"✓ Thank you: rated {rating_v}/5."

    send.click(rate, [interview, rating, comment], [sent], **PRIVATE)
    return (lambda: (None, "", "")), [rating, comment, sent]


def ratings_box(handlers: CourseHandlers, persona: gr.Dropdown, errors: Callable) -> None:
    """In the studio: every persona's realism ratings, and the chosen one's comments."""
    with gr.Accordion("Trainees' realism ratings", open=False):
        show = gr.Button("Show ratings", elem_id="ratings-show")
        shown = gr.Markdown(elem_id="persona-ratings")

    @errors
    def ratings(persona_id, request: gr.Request):
        return ratings_markdown(handlers.ratings(None, request), persona_id)

    show.click(ratings, [persona], [shown], **PRIVATE)
