"""The pages: the candidate's consultation and result, and the coach's browser and validator.

Each page is rendered on the server from plain HTML forms, so it works with JavaScript
off; ``static/app.js`` only adds live what-if toggles and a live search. The answers
travel in a hidden field from page to page: the server keeps nothing between requests.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .._values import show_value
from ..errors import ObservationError
from ..observation_types import TYPES
from . import _html as h
from . import _service as svc
from ._http import MAX_UPLOAD

if TYPE_CHECKING:
    from ..knowledge_base import KnowledgeBase

__all__ = ["routes"]

#: Most answers a page carries (the vocabulary is far smaller; this bounds a forged form).
MAX_ANSWERS = 500

_STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}


def _static_files() -> dict[str, bytes]:
    # Read once from the installed package: the server never opens a path a request names.
    folder = resources.files(__package__).joinpath("static")
    return {name: folder.joinpath(name).read_bytes() for name in _STATIC}


#: The key of the answers a story gave (see :data:`._html.Answers`).
STORY = "#story"


class _BadForm(Exception):
    pass


def _answers(form: FormData) -> h.Answers:
    raw = form.get("answers", "[]")
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except (json.JSONDecodeError, RecursionError):
        data = None
    if not isinstance(data, list) or len(data) > MAX_ANSWERS or not all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) for a in data):
        raise _BadForm("the answers carried by this page are damaged")
    return [(a[0], a[1]) for a in data]


def _consultation(kb: KnowledgeBase, threshold: float, answers: h.Answers) -> Any:
    """The consultation these answers make, replayed step by step as they were given."""
    from .. import Consultation

    told: dict[str, Any] = {}
    if answers and answers[0][0] == STORY:
        # What the story told is where the consultation starts, not questions it asked.
        if not isinstance(answers[0][1], dict):
            raise _BadForm("the story's answers on this page are damaged")
        told, answers = answers[0][1], answers[1:]
    c = Consultation(kb, threshold=threshold, observations=told)
    for ident, value in answers:
        if ident == STORY:
            raise _BadForm("the story's answers can only come first")
        if ident.startswith("@"):
            if not isinstance(value, dict) or not value:
                raise _BadForm(f"checklist {ident[1:]!r} was answered with {value!r}")
            _tick(c, ident[1:], value)
        elif value is None:
            c.skip(ident)
        elif isinstance(value, dict):
            c.answer(ident, value.get("value"), value.get("certainty", 1.0))
        else:
            c.answer(ident, value)
    return c


def _tick(c: Any, checklist: str, values: dict[str, Any]) -> None:
    """One checklist step: ticked items yes, denied ones no, the rest as the checklist says."""
    ticked = [i for i, v in values.items() if v is True]
    denied = [i for i, v in values.items() if v is False]
    if hasattr(c, "tick"):
        c.tick(checklist, ticked, list(values), denied)
        return
    for item, value in values.items():  # a library without checklists: one item at a time
        if value is None:
            c.skip(item)
        else:
            c.answer(item, value)


def _step(c: Any, ident: str, items: list[str]) -> dict[str, Any]:
    """What the consultation recorded for a checklist's items: their values, None unknown."""
    given = c.given()
    return {i: given[i].value if i in given else None for i in items}


def _html(body: str, title: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(h.page(title, body), status_code=status)


def _start(kb: KnowledgeBase, message: str = "") -> str:
    alert = f'<p class="error" role="alert">{h.esc(message)}</p>' if message else ""
    story = ""
    if svc.has_reader(kb):
        story = """<form method="post" action="/read" class="story">
<h2><label for="story">Tell us what happened, in your own words</label></h2>
<p id="story-help">For example: how the interview went, how long you waited, what the message
said, whether the job was advertised again.</p>
<textarea id="story" name="story" rows="8" aria-describedby="story-help" maxlength="20000"></textarea>
<button type="submit">Read my story</button>
</form>
<p class="or">or</p>"""
    return f"""<h1>Rejected after a great interview?</h1>
<p>Find out what most likely happened, how sure we can be, and what to do next.
It takes a few minutes; answer "I don't know" whenever you don't.</p>
{alert}
{story}
<form method="post" action="/ask">
{h.state_field([])}
<button type="submit" name="action" value="start"{'' if story else ' autofocus'}>Answer questions one at a time</button>
</form>"""


def _understood(kb: KnowledgeBase, reading: Any) -> str:
    if getattr(reading, "refusal", ""):
        return _start(kb, f"We could not read that story: {reading.refusal}")
    rows: list[str] = []
    for i, item in enumerate(getattr(reading, "items", ())):
        obs = kb.observations.get(item.id)
        if obs is None:
            continue
        quoted = "; ".join(f"“{s.text}”" for s in item.spans[:2])
        field = f"value:{item.id}"
        if TYPES[obs.type].numeric:
            control = (f'<input id="u-{i}" name="{h.esc(field)}" type="number" step="any" '
                       f'value="{h.esc(h_num(item.value))}">')
        else:
            kind = TYPES[obs.type]
            choices = [(show_value(v), words) for v, words
                       in zip(kind.choices(obs), kind.answer_words(obs), strict=True)]
            current = ("true" if item.value else "false") if isinstance(item.value, bool) \
                else str(item.value)
            options = "".join(f'<option value="{h.esc(v)}"{" selected" if v == current else ""}>'
                              f'{h.esc(label)}</option>' for v, label in choices)
            control = (f'<select id="u-{i}" name="{h.esc(field)}">{options}'
                       '<option value="">not right — leave it out</option></select>')
        read = ("true" if item.value else "false") if isinstance(item.value, bool) \
            else h_num(item.value)
        rows.append(f'<li><label for="u-{i}">{h.esc(svc.short_description(obs))}</label> {control}'
                    f'<input type="hidden" name="certainty:{h.esc(item.id)}" '
                    f'value="{item.certainty}">'
                    f'<input type="hidden" name="read:{h.esc(item.id)}" value="{h.esc(read)}">'
                    + (f'<br><span class="quote">you wrote {h.esc(quoted)}</span>' if quoted else "")
                    + "</li>")
    conflicts = [svc.short_description(kb.observations[c.id])
                 for c in getattr(reading, "conflicts", ())
                 if c.id in kb.observations]
    conflict_html = ("<p>Your story seems to say two things about these; we will ask:</p><ul>"
                     + "".join(f"<li>{h.esc(c)}</li>" for c in conflicts) + "</ul>"
                     if conflicts else "")
    found = (f'<ul class="understood">{"".join(rows)}</ul>' if rows else
             "<p>We did not recognise anything we can use in that story; the questions will "
             "help.</p>")
    return f"""<h1>What we understood</h1>
<p>Check each line; correct it or leave it out if we got it wrong.</p>
<form method="post" action="/ask">
{h.state_field([])}
<input type="hidden" name="understood" value="1">
{found}
{conflict_html}
<div class="nav"><button type="submit" name="action" value="start">Continue</button>
<button type="submit" name="action" value="result" class="secondary">Show the result now</button>
<a href="/" class="button secondary">Start again</a></div>
</form>"""


def h_num(value: object) -> str:
    """A number as a form shows it (14 rather than 14.0)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _corrections(kb: KnowledgeBase, form: FormData) -> h.Answers:
    """What the person confirmed of a story's reading, as the first of the answers."""
    out: h.Answers = []
    for key, raw in form.multi_items():
        if not key.startswith("value:") or not isinstance(raw, str) or not raw.strip():
            continue
        ident = key.removeprefix("value:")
        obs = kb.observations.get(ident)
        if obs is None:
            raise _BadForm(f"unknown observation {ident!r}")
        value = svc.typed_answer(obs, raw)
        certainty_raw = form.get(f"certainty:{ident}", "1")
        try:
            certainty = float(certainty_raw) if isinstance(certainty_raw, str) else 1.0
        except ValueError:
            certainty = 1.0
        if not 0 < certainty <= 1 or raw.strip() != form.get(f"read:{ident}", raw.strip()):
            certainty = 1.0  # corrected by the person: what they chose is what they know
        out.append((ident, value if certainty >= 1 else {"value": value, "certainty": certainty}))
    return [(STORY, dict(out))] if out else []


def _items(kb: KnowledgeBase, form: FormData) -> list[str]:
    raw = form.get("items", "[]")
    try:
        items = json.loads(raw) if isinstance(raw, str) else None
    except (json.JSONDecodeError, RecursionError):
        items = None
    if not isinstance(items, list) or not items or not all(
            isinstance(i, str) and i in kb.observations for i in items):
        raise _BadForm("the checklist on this page is damaged")
    return list(dict.fromkeys(items))


def _ask(kb: KnowledgeBase, threshold: float, form: FormData) -> tuple[str, str]:
    answers = _answers(form)
    if form.get("understood") == "1":
        answers = _corrections(kb, form)
    action = form.get("action") or ("answer" if "answer" in form else "start")
    ident = form.get("observation")
    error = ""
    again: h.Asked | None = None
    if action == "back" and answers:
        answers = answers[:-1]
    elif action in ("checklist", "dontknow") and isinstance(ident, str) and "items" in form:
        items = _items(kb, form)
        answers = _without(answers, items)
        if action == "dontknow":
            answers.append(("@" + ident, dict.fromkeys(items)))
        else:
            ticked = {t for t in form.getlist("tick") if isinstance(t, str)}
            values: dict[str, Any] = {i: (True if i in ticked else None) for i in items}
            probe = _consultation(kb, threshold, answers)
            _tick(probe, ident, values)
            answers.append(("@" + ident, _step(probe, ident, items)))
    elif action in ("answer", "dontknow") and isinstance(ident, str):
        obs = kb.observations.get(ident)
        if obs is None:
            raise _BadForm(f"unknown observation {ident!r}")
        answers = _without(answers, [ident])
        if action == "dontknow":
            answers.append((ident, None))
        else:
            raw = form.get("answer", "")
            try:
                value = svc.typed_answer(obs, raw if isinstance(raw, str) else "")
                _consultation(kb, threshold, [(ident, value)])  # checks the range too
                answers.append((ident, value))
            except ObservationError as exc:
                error = str(exc)
                again = h.Asked.for_observation(obs)
    c = _consultation(kb, threshold, answers)
    question = None if action == "result" else c.next_question()
    dx = c.diagnosis()
    if again is None and question is None:
        more = action == "result" and c.next_question() is not None
        return h.result(kb, dx, answers, more=more, stopped=_stopped(c)), "Your result"
    if again is not None:
        asked = again
    else:
        assert question is not None
        asked = h.Asked.of(question)
    whys = [c.why(i) for i in (asked.items if asked.checklist else (asked.observation,))
            if i in kb.observations]
    body = h.question_form(kb, asked, h.why_html(kb, whys), answers, c.asked + 1,
                           c.leading(), dx, error)
    return body, "A question"


def _without(answers: h.Answers, observations: list[str]) -> h.Answers:
    """``answers`` less any earlier answer to ``observations`` (a question asked again)."""
    drop = set(observations)
    out: h.Answers = []
    for ident, value in answers:
        if ident.startswith(("@", "#")) and isinstance(value, dict):
            kept = {k: v for k, v in value.items() if k not in drop}
            if kept:
                out.append((ident, kept))
        elif ident not in drop:
            out.append((ident, value))
    return out


def _stopped(c: Any) -> str:
    """Why the consultation ended, in words (when the library says)."""
    status = c.status() if hasattr(c, "status") else None
    reason = getattr(status, "reason", "")
    if reason == "probably settled":
        return (f"We stopped asking: the most likely reason is now unlikely to change "
                f"(about {round(getattr(status, 'probability', 0.0) * 100)}% sure).")
    if reason == "settled":
        return "We stopped asking: no further answer could change the most likely reason."
    if reason == "budget":
        most = getattr(status, "max_questions", None)
        return (f"We stopped asking: we ask at most {most} questions." if most else
                "We stopped asking: that was the last question we ask.")
    return ""


def _what_if(kb: KnowledgeBase, threshold: float, form: FormData) -> str:
    answers = _answers(form)
    case = h.known(answers)
    changes: dict[str, Any] = {}
    for ident in form.getlist("flip"):
        if isinstance(ident, str) and ident in case:
            value = case[ident]
            plain = value.get("value") if isinstance(value, dict) else value
            changes[ident] = (not plain) if isinstance(plain, bool) else None
    outcome = kb.what_if(case, changes, threshold=threshold)
    c = _consultation(kb, threshold, answers)
    return h.result(kb, outcome.before, answers, more=c.next_question() is not None,
                    what_if=h.what_if_html(kb, outcome))


# The coach's page -----------------------------------------------------------------------------


def _matches(query: str, *texts: object) -> bool:
    return not query or any(query in str(t).lower() for t in texts)


def _coach(kb: KnowledgeBase, query: str, validation: str = "") -> str:
    q = query.strip().lower()
    obs_rows = "".join(
        f'<tr class="item"><td><code>{h.esc(o.id)}</code></td><td>{h.esc(o.question)}<br>'
        f'<small>{h.esc(o.description)}</small></td><td>{h.esc(o.allowed())}</td></tr>'
        for o in kb.observations.values()
        if _matches(q, o.id, o.question, o.description, o.group))
    cause_rows = "".join(
        f'<tr class="item"><td><code>{h.esc(c.id)}</code></td><td>{h.esc(c.title)}<br>'
        f'<small>{h.esc(c.description)}</small></td>'
        f'<td>{h.pct(c.prior) if c.prior else ""}</td></tr>'
        for c in kb.causes.values() if _matches(q, c.id, c.title, c.description))
    rule_rows = "".join(
        f'<tr class="item"><td><code>{h.esc(r.id)}</code><br><small>'
        f'{h.esc(Path(r.location.path).name)}:{r.location.line}</small></td>'
        f'<td>if {h.esc(h.condition_text(r.when))}<br>then {h.esc(r.conclusion_kind)} '
        f'<code>{h.esc(r.conclusion)}</code> {r.certainty:+.2f}</td><td>{h.esc(r.because)}</td></tr>'
        for r in kb.rules
        if _matches(q, r.id, r.conclusion, r.because, h.condition_text(r.when)))

    def table(caption: str, head: Sequence[str], rows: str, ident: str) -> str:
        cols = "".join(f'<th scope="col">{c}</th>' for c in head)
        return (f'<section aria-labelledby="{ident}-h"><h2 id="{ident}-h">{caption}</h2>'
                f'<div class="scroll"><table class="kb" id="{ident}"><thead><tr>{cols}</tr></thead>'
                f'<tbody>{rows or ""}</tbody></table></div></section>')

    return f"""<h1>The knowledge base</h1>
<p>{len(kb.observations)} observations, {len(kb.causes)} causes, {len(kb.rules)} rules.</p>
<form method="get" action="/coach" role="search" class="search">
<label for="q">Search observations, causes and rules</label>
<input id="q" name="q" type="search" value="{h.esc(query)}" aria-controls="observations causes rules">
<button type="submit">Search</button>
<p id="search-count" aria-live="polite"></p>
</form>
{table("Observations", ("Id", "Question", "Answers"), obs_rows, "observations")}
{table("Causes", ("Id", "Cause", "Base rate"), cause_rows, "causes")}
{table("Rules", ("Rule", "If … then", "Because"), rule_rows, "rules")}
<section aria-labelledby="validate-h"><h2 id="validate-h">Check a rule set</h2>
<form method="post" action="/coach/validate" enctype="multipart/form-data">
<p><label for="rules-file">Rule files (YAML)</label>
<input id="rules-file" name="rules" type="file" accept=".yaml,.yml" multiple required></p>
<p><input id="with-served" name="with_served" type="checkbox" value="1">
<label for="with-served">Check them together with the rules this server uses (for files that extend them)</label></p>
<button type="submit">Check</button>
</form>
<div id="validation" aria-live="polite">{validation}</div>
</section>"""


def _validate(kb: KnowledgeBase, files: list[tuple[str, bytes]], with_served: bool) -> str:
    shown = svc.check_uploaded(kb, files, with_served)
    names = [n for n, _ in files]
    errors = sum(p.severity == "error" for p in shown)
    if not shown:
        return (f'<p class="ok" role="status">No problems found in {h.esc(", ".join(names))}.'
                "</p>")
    rows = "".join(
        f'<li class="{p.severity}"><code>{h.esc(p.path)}:{p.line}:{p.column}</code> '
        f'<strong>{h.esc(p.severity)}</strong>: {h.esc(p.message)} <small>[{h.esc(p.code)}]'
        + (f" rule {h.esc(p.rule_id)}" if p.rule_id else "") + "</small></li>"
        for p in shown)
    return (f'<p role="status">{errors} error{"s" if errors != 1 else ""} and '
            f'{len(shown) - errors} warning{"s" if len(shown) - errors != 1 else ""}:</p>'
            f'<ul class="problems">{rows}</ul>')


async def _uploads(form: FormData) -> tuple[list[tuple[str, bytes]], str]:
    files: list[tuple[str, bytes]] = []
    for item in form.getlist("rules"):
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        files.append((Path(item.filename.replace("\\", "/")).name, await item.read()))
    return files, svc.upload_problem([n for n, _ in files])


def routes(kb: KnowledgeBase, threshold: float) -> list[Route]:
    """The page routes over ``kb``."""
    static = _static_files()

    async def home(request: Request) -> Response:
        return _html(_start(kb), "What happened?")

    async def read(request: Request) -> Response:
        form = await request.form()
        story = form.get("story", "")
        if not isinstance(story, str) or not story.strip():
            return _html(_start(kb, "Write a few sentences first, or answer the questions."),
                         "What happened?", 422)
        if not svc.has_reader(kb):
            return _html(_start(kb, "This version cannot read stories; answer the questions "
                                    "instead."), "What happened?", 501)
        reading = await run_in_threadpool(kb.read_story, story)
        return _html(_understood(kb, reading), "What we understood")

    async def ask(request: Request) -> Response:
        form = await request.form()
        try:
            body, title = await run_in_threadpool(_ask, kb, threshold, form)
        except (_BadForm, ObservationError) as exc:
            return _html(_start(kb, f"Something went wrong with this page ({exc}); please "
                                    "start again."), "Start again", 400)
        return _html(body, title)

    async def what_if(request: Request) -> Response:
        form = await request.form()
        try:
            body = await run_in_threadpool(_what_if, kb, threshold, form)
        except (_BadForm, ObservationError) as exc:
            return _html(_start(kb, f"Something went wrong with this page ({exc}); please "
                                    "start again."), "Start again", 400)
        return _html(body, "What if")

    async def coach(request: Request) -> Response:
        query = request.query_params.get("q", "")[:200]
        return _html(_coach(kb, query), "For coaches")

    async def validate(request: Request) -> Response:
        form = await request.form(max_files=svc.MAX_FILES, max_fields=10, max_part_size=MAX_UPLOAD)
        files, problem = await _uploads(form)
        if problem:
            report = f'<p class="error" role="alert">{h.esc(problem)}</p>'
            return _html(_coach(kb, "", report), "For coaches", 422)
        report = await run_in_threadpool(_validate, kb, files, form.get("with_served") == "1")
        return _html(_coach(kb, "", report), "For coaches")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in static:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(static[name], media_type=_STATIC[name],
                        headers={"cache-control": "public, max-age=3600"})

    return [
        Route("/", home, methods=["GET"]),
        Route("/read", read, methods=["POST"]),
        Route("/ask", ask, methods=["POST"]),
        Route("/whatif", what_if, methods=["POST"]),
        Route("/coach", coach, methods=["GET"]),
        Route("/coach/validate", validate, methods=["POST"]),
        Route("/static/{name}", asset, methods=["GET"]),
    ]
