"""Server-rendered HTML: the layout and the pieces the candidate and coach pages share.

Every value that comes from a person or a rule file goes through :func:`esc`. No inline
script or style anywhere: the Content-Security-Policy forbids them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .. import model as m
from .._values import show_value
from ..conclusions import Conclusion
from ..diagnosis import Diagnosis
from ..observation_types import TYPES
from . import _service as svc

if TYPE_CHECKING:
    from ..consult import Question, QuestionWhy, WhatIf, WhyNot
    from ..knowledge_base import KnowledgeBase

#: The answers a page carries: ``(observation, value)``, value None for "don't know"; a
#: checklist answered in one step is ``("@" + checklist id, {item: value or None})``; what
#: a story told (as confirmed), first of all, is ``("#story", {observation: value})``.
Answers = list[tuple[str, Any]]


def known(answers: Answers) -> dict[str, Any]:
    """The answered observations of ``answers`` as a case (checklists expanded, "don't
    know" left out)."""
    out: dict[str, Any] = {}
    for ident, value in answers:
        if ident.startswith(("@", "#")) and isinstance(value, dict):
            out.update((k, v) for k, v in value.items() if v is not None)
        elif value is not None:
            out[ident] = value
    return out


def esc(value: object) -> str:
    """``value`` as HTML text (quotes escaped too: safe in attributes)."""
    return html.escape(str(value), quote=True)


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A whole page around ``body``."""
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · rejection-diagnosis</title>
<link rel="stylesheet" href="/static/style.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header><nav aria-label="Main"><a href="/">For candidates</a> <a href="/coach">For coaches</a></nav></header>
<main id="main" tabindex="-1">
{body}
</main>
<footer><p>Nothing you type here is stored or logged: it is used for your answer and forgotten.
<a href="/api/openapi.json">API</a></p></footer>
</body>
</html>
"""


def state_field(answers: Answers) -> str:
    """The hidden field that carries the answers from one page to the next (nothing is kept
    on the server)."""
    return (f'<input type="hidden" name="answers" '
            f'value="{esc(json.dumps([list(a) for a in answers]))}">')


def pct(certainty: float) -> str:
    """A certainty as a whole percentage; evidence against a cause as "unlikely"."""
    return f"{round(certainty * 100)}%" if certainty >= 0 else "unlikely"


_STRENGTH = {"likely": "Likely", "possible": "Possible", "weak": "Weak evidence"}


def _because_list(items: Iterable[str]) -> str:
    shown = [f"<li>{esc(b)}</li>" for b in dict.fromkeys(i for i in items if i)]
    return f"<ul>{''.join(shown)}</ul>" if shown else ""


@attrs.frozen
class Asked:
    """What a question page shows: one observation, or a checklist of yes/no items."""

    observation: str
    question: str
    type: str
    answers: tuple[object, ...] = ()
    checklist: str | None = None
    items: tuple[str, ...] = ()

    @classmethod
    def of(cls, q: Question) -> Asked:
        """The page's view of a consultation's question (a checklist when it is one)."""
        return cls(q.observation, q.question, q.type, tuple(q.answers),
                   getattr(q, "checklist", None), tuple(getattr(q, "items", ())))

    @classmethod
    def for_observation(cls, obs: m.Observation) -> Asked:
        """The question of one observation (to ask it again after a wrong answer)."""
        return cls(obs.id, obs.question, obs.type, obs.values)


def why_html(kb: KnowledgeBase, whys: Sequence[QuestionWhy]) -> str:
    """Why a question is asked, in words: what the answer could change, and the rules'
    ``because`` (the strongest few that can still fire)."""
    reason = titled(kb, next((w.reason for w in whys if w.reason), ""))
    live = [u for w in whys for u in w.rules if u.live] or [u for w in whys for u in w.rules]
    live.sort(key=lambda u: -abs(u.certainty_factor))
    return (f"<p>{esc('Your answer ' + reason + '.') if reason else ''}</p>"
            + _because_list(u.because for u in live[:5]))


def question_form(kb: KnowledgeBase, q: Asked, why: str, answers: Answers, number: int,
                  leading: Sequence[Conclusion], dx: Diagnosis, error: str = "") -> str:
    """One question at a time: the answers as buttons (a checklist as tick boxes), "don't
    know", why, back."""
    invalid = ' aria-invalid="true" aria-describedby="answer-error"' if error else ""
    if q.checklist is not None:
        boxes = "".join(
            f'<li><input type="checkbox" id="tick-{i}" name="tick" value="{esc(item)}">'
            f' <label for="tick-{i}">{esc(svc.short_description(kb.observations[item]))}'
            "</label></li>"
            for i, item in enumerate(q.items) if item in kb.observations)
        choices = ('<fieldset class="plain"><legend>Tick what applies; leave the rest.</legend>'
                   f'<ul class="toggles checklist">{boxes}</ul></fieldset>'
                   f'<input type="hidden" name="items" value="{esc(json.dumps(list(q.items)))}">'
                   '<button type="submit" name="action" value="checklist" autofocus>Next'
                   "</button>")
    elif TYPES[(obs := kb.observations[q.observation]).type].numeric:
        lo, hi = obs.range if obs.range else ("", "")
        unit = f" ({esc(obs.unit)})" if obs.unit else ""
        choices = (f'<label for="answer">Your answer{unit}</label> '
                   f'<input id="answer" name="answer" type="number" step="any" '
                   f'inputmode="decimal" min="{lo}" max="{hi}" required autofocus{invalid}> '
                   '<button type="submit" name="action" value="answer">Next</button>')
    else:
        kind = TYPES[obs.type]
        options = [(show_value(v), words.capitalize()) for v, words
                   in zip(kind.choices(obs), kind.answer_words(obs), strict=True)]
        choices = " ".join(
            f'<button type="submit" name="answer" value="{esc(v)}" class="answer"'
            f'{" autofocus" if i == 0 else ""}>{esc(label)}</button>'
            for i, (v, label) in enumerate(options))
    lead = ""
    if leading:
        top = leading[0]
        lead = (f'<p class="so-far">So far: <strong>{esc(top.title)}</strong> '
                f'({esc(_STRENGTH[dx.strength(top)].lower())}, {pct(top.certainty)})</p>')
    alert = (f'<p id="answer-error" class="error" role="alert">{esc(error)}</p>' if error else "")
    back = ('<button type="submit" name="action" value="back" class="secondary" '
            'formnovalidate>Back</button>' if answers else "")
    return f"""<h1>Question {number}</h1>
{lead}
<form method="post" action="/ask" class="question">
{state_field(answers)}
<input type="hidden" name="observation" value="{esc(q.observation)}">
<fieldset>
<legend id="question">{esc(q.question)}</legend>
{alert}
<div class="choices">{choices}
<button type="submit" name="action" value="dontknow" class="secondary" formnovalidate>I don't know</button></div>
</fieldset>
<details class="why"><summary>Why this question?</summary>{why}</details>
<div class="nav">{back}
<button type="submit" name="action" value="result" class="secondary" formnovalidate>Show the result now</button></div>
</form>"""


def titled(kb: KnowledgeBase, text: str) -> str:
    """``text`` with each cause id replaced by the cause's title, as a candidate reads it."""
    for ident in sorted(kb.causes, key=len, reverse=True):
        if ident in text:
            text = re.sub(rf"\b{re.escape(ident)}\b", f"“{kb.causes[ident].title}”", text)
    return text


def _how_html(kb: KnowledgeBase, dx: Diagnosis, cause: Conclusion) -> str:
    rows: list[str] = []
    for step in kb.how(dx, cause.id).steps:
        for c in step.contributions:
            sign = "for" if c.contribution > 0 else "against"
            words = "; ".join(_evidence_words(kb, e.kind, e.id, e.value) for e in c.evidence)
            rows.append(f"<li><span class=\"rule\">{esc(step.title)}: {sign} "
                        f"({c.contribution:+.2f})</span> — {esc(words)}"
                        + (f"<br><q>{esc(c.because)}</q>" if c.because else "") + "</li>")
    return f"<ul>{''.join(rows)}</ul>" if rows else "<p>No rule spoke about it.</p>"


def _evidence_words(kb: KnowledgeBase, kind: str, ident: str, value: object) -> str:
    if kind == "observation" and ident in kb.observations:
        obs = kb.observations[ident]
        return f"{svc.short_description(obs)} ({svc.answer_words(obs, value)})"
    if kind in ("finding", "cause"):
        title = kb.findings[ident].title if ident in kb.findings else (
            kb.causes[ident].title if ident in kb.causes else ident)
        return f"{title} ({pct(float(value))})" if isinstance(value, float | int) else title
    return "a cause was found" if value == "sufficient" else "no cause was found"


def why_not_html(kb: KnowledgeBase, w: WhyNot) -> str:
    """Why a cause is not (more) certain, in words: what pointed against it, what was missing."""
    parts: list[str] = []
    if w.against:
        parts.append("<p>What pointed against it:</p>" + _because_list(c.because for c in w.against))
    unknown: dict[str, str] = {}
    failed: dict[str, str] = {}
    for r in w.missing[:6]:
        for t in r.tests:
            if t.kind == "observation" and t.subject in kb.observations:
                target = unknown if t.status == "unknown" else failed if t.status == "failed" else None
                if target is not None:
                    target.setdefault(t.subject, kb.observations[t.subject].question)
    if failed:
        parts.append("<p>Your answers did not match what would point to it:</p>"
                     + _because_list(svc.short_description(kb.observations[o]) for o in failed))
    if unknown:
        parts.append("<p>It could become more likely with answers to:</p>"
                     + _because_list(unknown.values()))
    if not parts:
        parts.append("<p>No other rule could add to it.</p>")
    if w.certainty < 0:
        head = "<p>The evidence points away from it.</p>"
    else:
        head = (f"<p>How sure: {pct(w.certainty)}"
                + (f", at rank {w.rank}." if w.rank else ", not enough to report it.") + "</p>")
    return head + "".join(parts)


def what_if_html(kb: KnowledgeBase, w: WhatIf) -> str:
    """What would move if the answers changed."""
    if not w.differences:
        return "<p>No cause would change.</p>"
    rows = "".join(f"<li>{esc(c.title)}: {pct(c.before)} → {pct(c.after)}</li>"
                   for c in w.differences if pct(c.before) != pct(c.after))
    before, after = w.before.top_cause, w.after.top_cause
    if (before and before.id) != (after and after.id):
        lead = (f"<p>The leading cause would become <strong>{esc(after.title)}</strong>.</p>"
                if after else "<p>No cause would be reported any more.</p>")
    else:
        lead = "<p>The leading cause would stay the same.</p>"
    return f"{lead}<ul>{rows}</ul>"


def result(kb: KnowledgeBase, dx: Diagnosis, answers: Answers, *, more: bool,
           what_if: str = "", stopped: str = "") -> str:
    """The result page: causes with how sure, evidence in the person's words, coping, next
    steps, "how" and "why not" on a click, and what-if toggles."""
    out: list[str] = ['<h1 id="result">What probably happened</h1>']
    if stopped:
        out.append(f'<p class="stopped">{esc(stopped)}</p>')
    if what_if:
        out.append(f'<section class="whatif-result" aria-labelledby="wi-h">'
                   f'<h2 id="wi-h">What would change</h2>{what_if}</section>')
    ranked = dx.ranked
    if ranked and dx.insufficient_evidence:
        out.append("<p>What you told us does not point clearly to any one cause. Asking the "
                   "company for feedback is the best way to learn more; these are possible, on "
                   "weak evidence, and the advice below still applies.</p>")
    if ranked:
        out.append('<ol class="causes">')
        for c in ranked[:5]:
            strength = dx.strength(c)
            evidence = svc.evidence_in_words(kb, dx, c)
            ev = "".join(f"<li>{esc(d)} <span class=\"answer\">— {esc(a)}</span></li>"
                         for d, a in evidence)
            against = "".join(f"<li>{esc(d)} <span class=\"answer\">— {esc(a)}</span></li>"
                              for d, a in svc.evidence_in_words(kb, dx, c, positive=False))
            explanation = next((x.because for x in c.contributions if x.contribution > 0
                                and x.because), "")
            out.append(f"""<li class="cause" data-cause="{esc(c.id)}">
<h2>{esc(c.title)}</h2>
<p class="strength {strength}">{_STRENGTH[strength]} <span class="how-sure">· how sure: {pct(c.certainty)}</span></p>
<p>{esc(c.description)}</p>
{f'<p class="explanation">{esc(explanation)}</p>' if explanation else ''}
{f'<h3>What you told us that points here</h3><ul class="evidence">{ev}</ul>' if ev else ''}
{f'<h3>What speaks against it</h3><ul class="against">{against}</ul>' if against else ''}
<details class="how"><summary>How did we get there?</summary>{_how_html(kb, dx, c)}</details>
<details class="whynot"><summary>Why not more sure?</summary>{why_not_html(kb, kb.why_not(dx, c.id))}</details>
</li>""")
        out.append("</ol>")
        if dx.also_common:
            common = "".join(f"<li>{esc(b.title)} <span class=\"how-sure\">· in about "
                             f"{pct(b.prior)} of real stories</span></li>"
                             for b in dx.also_common)
            out.append("<p>Also common in stories like these, though nothing you told us "
                       f"points to them or rules them out:</p><ul class=\"also-common\">{common}"
                       "</ul>")
    elif dx.base_rates:
        rates = "".join(f"<li>{esc(b.title)} <span class=\"how-sure\">· in about "
                        f"{pct(b.prior)} of real stories</span><br>{esc(b.description)}</li>"
                        for b in dx.base_rates[:5])
        out.append("<p>Nothing you told us points to one cause yet. What most often explains "
                   f"a rejection after a good interview:</p><ol class=\"base-rates\">{rates}</ol>")
    else:
        out.append("<p>Nothing you told us points to a cause yet.</p>")
    shown = {c.id for c in ranked[:5]}
    others = [c for c in kb.causes.values() if c.id not in shown]
    if others:
        items = "".join(
            f'<li><details class="whynot" data-cause="{esc(c.id)}"><summary>Why not '
            f'“{esc(c.title)}”?</summary>{why_not_html(kb, kb.why_not(dx, c.id))}</details></li>'
            for c in others)
        out.append(f'<section aria-labelledby="others-h"><h2 id="others-h">Other causes</h2>'
                   f'<ul class="others">{items}</ul></section>')
    for title, items_ in (("What can help now", dx.coping), ("Next steps", dx.next_steps)):
        if items_:
            lis = "".join(f"<li><strong>{esc(a.title)}</strong><br>{esc(a.text)}</li>"
                          for a in items_)
            out.append(f"<section><h2>{title}</h2><ul class=\"advice\">{lis}</ul></section>")
    out.append(_what_if_form(kb, answers))
    from ..report import candidate_text

    out.append('<details class="plain"><summary>The result as plain text (to copy or print)'
               f'</summary><pre>{esc(candidate_text(dx, kb.observations))}</pre></details>')
    more_button = ('<button type="submit" name="action" value="continue">Answer more '
                   'questions</button>' if more else "")
    back = ('<button type="submit" name="action" value="back" class="secondary">Change my last '
            'answer</button>' if answers else "")
    out.append(f'<form method="post" action="/ask" class="nav">{state_field(answers)}'
               f'{more_button}{back}<a href="/" class="button secondary">Start again</a></form>')
    return "\n".join(out)


def _what_if_form(kb: KnowledgeBase, answers: Answers) -> str:
    rows: list[str] = []
    case = known(answers)
    for i, (ident, value) in enumerate(case.items()):
        obs = kb.observations.get(ident)
        if obs is None:
            continue
        plain = value.get("value") if isinstance(value, dict) else value
        if TYPES[obs.type].flips and isinstance(plain, bool):
            change = json.dumps(not plain)
            words = f"{obs.description} — {svc.answer_words(obs, not plain)} instead of " \
                    f"{svc.answer_words(obs, plain)}"
        else:
            change = "null"
            words = f"{svc.short_description(obs)} — not known (you said {svc.answer_words(obs, plain)})"
        rows.append(f'<li><input type="checkbox" id="wi-{i}" name="flip" value="{esc(ident)}" '
                    f'class="whatif" data-observation="{esc(ident)}" data-change="{esc(change)}">'
                    f' <label for="wi-{i}">What if: {esc(words)}</label></li>')
    if not rows:
        return ""
    return f"""<section aria-labelledby="wi-form-h" class="whatif">
<h2 id="wi-form-h">What if?</h2>
<form method="post" action="/whatif" id="whatif-form" data-case="{esc(json.dumps(case))}">
{state_field(answers)}
<fieldset class="plain"><legend>Tick an answer to see what would move if it were different.</legend>
<ul class="toggles">{''.join(rows)}</ul></fieldset>
<button type="submit" class="secondary nojs">Show what would change</button>
</form>
<div id="whatif-out" aria-live="polite"></div>
</section>"""


def condition_text(cond: m.Condition) -> str:
    """A rule's condition in one line, as a coach reads it."""
    if isinstance(cond, m.All):
        return " and ".join(_grouped(c) for c in cond.items)
    if isinstance(cond, m.Any):
        return " or ".join(_grouped(c) for c in cond.items)
    if isinstance(cond, m.Not):
        return f"not {_grouped(cond.item)}"
    return cond.describe()


def _grouped(cond: m.Condition) -> str:
    text = condition_text(cond)
    return f"({text})" if isinstance(cond, m.All | m.Any) and len(cond.items) > 1 else text
