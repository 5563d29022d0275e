"""``rejection-diagnosis ask``: an interactive consultation, or a replay of an answers file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..certainty import DEFAULT_THRESHOLD
from ..consultation import (
    LEAD,
    MAX_QUESTIONS,
    AnswerError,
    Consultation,
    Question,
    Status,
    UnknownCauseError,
    answer_words,
    parse_answer,
    parse_ticks,
    people,
)
from ..consultation.stopping import CONFIDENCE
from ..errors import ObservationError, Problem, RuleSetError
from ..knowledge_base import KnowledgeBase
from ._common import UsageError, add_rules_argument, load_kb, read_case, threshold_argument

NAME = "ask"
HELP = "ask the questions that matter, one at a time, then diagnose"
EXAMPLE = """\
example:
  rejection-diagnosis ask --save case.yaml     # answer '?' when you do not know
  rejection-diagnosis ask --resume consultation-progress.yaml   # after Ctrl-C
  rejection-diagnosis diagnose case.yaml"""

#: Where answers are kept when a consultation is interrupted (Ctrl-C) and --progress is not given.
DEFAULT_PROGRESS = "consultation-progress.yaml"

_DONT_KNOW = frozenset({"?", "dont know", "don't know", "dunno", "idk", "unknown", "skip",
                        "not sure", "dk"})
_QUIT = frozenset({"quit", "q", "exit"})
_HELP_TEXT = """\
Answer each question with one of the answers shown (or its first letters, or its number in
the list), or a number. You may add how sure you are: 'yes 0.7' or 'no 80%'. A list of
items asks which apply: type their numbers ('1 3'), 'not 2' for one that certainly did not
happen, or 'none'. Other commands at any prompt:
  ?  (or 'dont know')   you don't know: the question is not asked again
  why                   why this question is asked
  how N / how CAUSE     how a likely reason got its certainty (N: its place in the list)
  why not CAUSE         what is missing for a reason
  causes                the most likely reasons now
  back                  change the previous answer
  quit                  stop and see the result
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ask``."""
    add_rules_argument(parser)
    parser.add_argument("--answers", metavar="FILE",
                        help="replay answers from a YAML/JSON mapping of observation id to "
                             "answer (ids absent: don't know) instead of asking")
    parser.add_argument("--case", metavar="FILE",
                        help="start from what a case file already says (those are not asked)")
    parser.add_argument("--resume", metavar="FILE",
                        help="go on from the progress file an interrupted consultation wrote")
    parser.add_argument("--story", metavar="FILE",
                        help="start from what a story (plain text) says, where the knowledge "
                             "base can read stories")
    parser.add_argument("--save", metavar="FILE",
                        help="write the answers as a case file that 'diagnose' reads")
    parser.add_argument("--progress", metavar="FILE", default=DEFAULT_PROGRESS,
                        help="where to keep the answers if interrupted with Ctrl-C "
                             f"(default {DEFAULT_PROGRESS})")
    parser.add_argument("--max-questions", type=int, default=MAX_QUESTIONS, metavar="N",
                        help=f"ask at most N questions; a list of items is one (default "
                             f"{MAX_QUESTIONS}; 0: no limit)")
    parser.add_argument("--stop", choices=("probable", "guaranteed"), default="probable",
                        help="stop when the most likely reason is settled with probability "
                             "--confidence (default), or only when no answer could change it")
    parser.add_argument("--confidence", type=float, default=CONFIDENCE, metavar="P",
                        help=f"the probability of a probable stop (default {CONFIDENCE})")
    parser.add_argument("--no-checklists", action="store_true",
                        help="ask every yes/no question on its own, not in lists")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), or one JSON object a line for a "
                             "program driving the consultation")
    parser.add_argument("--threshold", type=threshold_argument, default=DEFAULT_THRESHOLD,
                        help=f"report causes from this certainty on (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--lead", type=int, default=LEAD, metavar="N",
                        help=f"stop once the first N causes are settled (default {LEAD})")


def run(args: argparse.Namespace) -> int:
    """Consult, then print the result."""
    kb = load_kb(args)
    if args.lead < 1:
        raise ValueError(f"--lead must be at least 1, got {args.lead}")
    if args.max_questions < 0:
        raise UsageError(f"--max-questions must be 0 (no limit) or more, got {args.max_questions}")
    known, dont_know, asked_before = _start(kb, args)
    budget = None if args.max_questions == 0 else max(0, args.max_questions - asked_before)
    try:
        consultation = Consultation(kb, threshold=args.threshold, lead=args.lead,
                                    observations=known, dont_know=dont_know, stop=args.stop,
                                    confidence=args.confidence, max_questions=budget,
                                    checklists=not args.no_checklists)
    except ObservationError as exc:
        source = args.resume or args.case or args.story or "<start>"
        raise RuleSetError([Problem(source, 0, 0, "error", "answers", str(exc))]) from exc
    json_mode = args.format == "json"
    out = _Output(sys.stdout.write, json_mode)
    if args.answers:
        _replay(consultation, args.answers, out)
    else:
        if sys.stdin is None:
            raise RuleSetError([Problem("<stdin>", 0, 0, "error", "file-unreadable",
                                        "cannot read the answers: standard input is closed; "
                                        "give --answers FILE")])
        try:
            _interact(consultation, out, input, asked_before)
        except KeyboardInterrupt:
            _write_progress(args.progress, consultation, asked_before)
            out.message(f"\nInterrupted. Your answers are kept in {args.progress}; go on with: "
                        f"rejection-diagnosis ask --resume {args.progress}\n", "interrupted",
                        {"progress": args.progress})
            return 130
    if args.save:
        _save(args.save, consultation.case())
        out.message(f"Saved the case to {args.save}.\n\n", "saved", {"path": args.save})
    _result(consultation, out)
    return 0


# Where the consultation starts --------------------------------------------------------------


def _start(kb: KnowledgeBase, args: argparse.Namespace) -> tuple[dict[str, Any], list[str], int]:
    """Observations known before the first question, "don't know"s, and questions asked."""
    known: dict[str, Any] = {}
    dont_know: list[str] = []
    asked = 0
    if args.story:
        known.update(_read_story(kb, args.story))
    if args.case:
        known.update(read_case(args.case))
    if args.resume:
        data = _read_progress(args.resume)
        known.update(data.get("observations") or {})
        dont_know.extend(str(o) for o in data.get("dont_know") or ())
        asked = int(data.get("asked", 0) or 0)
    return known, dont_know, asked


def _read_progress(path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "file-unreadable",
                                    f"cannot read the progress file: {exc.strerror}")]) from exc
    except yaml.YAMLError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "progress",
                                    f"not a progress file: {exc}")]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("observations", {}), dict):
        raise RuleSetError([Problem(path, 1, 1, "error", "progress",
                                    "a progress file has 'observations:' and 'dont_know:'")])
    return data


def _read_story(kb: KnowledgeBase, path: str) -> dict[str, Any]:
    reader = getattr(kb, "read_story", None)
    if reader is None:
        raise UsageError("this version cannot read stories yet; give --case FILE instead")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "file-unreadable",
                                    f"cannot read the story: {exc.strerror}")]) from exc
    found = reader(text)
    refusal = getattr(found, "refusal", None)
    if refusal:
        raise UsageError(f"the story was not read: {refusal}")
    observations = getattr(found, "observations", found)
    if not isinstance(observations, Mapping):
        raise UsageError(f"the story reader gave {type(found).__name__}, not observations")
    return {str(k): v for k, v in observations.items()}


def _write_progress(path: str, consultation: Consultation[KnowledgeBase], asked_before: int) -> None:
    data = {"observations": consultation.case(), "dont_know": sorted(consultation.dont_know()),
            "asked": asked_before + consultation.asked}
    _write_yaml(path, data, "An interrupted consultation; go on with: rejection-diagnosis ask "
                "--resume", "cannot keep the answers")


def _save(path: str, case: dict[str, Any]) -> None:
    _write_yaml(path, case, "Answers from a consultation; diagnose with: rejection-diagnosis "
                "diagnose", "cannot write the case")


def _write_yaml(path: str, data: dict[str, Any], heading: str, failure: str) -> None:
    """Write ``data`` as YAML under a comment saying what to do with the file."""
    try:
        Path(path).write_text(f"# {heading} {path}\n"
                              + yaml.safe_dump(data, sort_keys=True, allow_unicode=True),
                              encoding="utf-8")
    except OSError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "file-unwritable",
                                    f"{failure}: {exc.strerror}")]) from exc


# Output: text for people, JSON lines for programs ----------------------------------------------


class _Output:
    def __init__(self, write: Callable[[str], object], json_mode: bool) -> None:
        self.write = write
        self.json = json_mode

    def event(self, kind: str, data: Mapping[str, Any]) -> None:
        self.write(json.dumps({"event": kind, **data}, ensure_ascii=False) + "\n")

    def message(self, text: str, kind: str = "message",
                data: Mapping[str, Any] | None = None) -> None:
        if self.json:
            self.event(kind, {"text": text.strip(), **(data or {})})
        else:
            self.write(text)


def _question_data(kb: KnowledgeBase, q: Question, number: int) -> dict[str, Any]:
    data: dict[str, Any] = {"number": number, "id": q.observation, "question": q.question,
                            "reason": people.titled(kb, q.reason)}
    if q.checklist is not None:
        data.update(kind="checklist", items=[
            {"number": n, "id": oid, "text": label} for n, (oid, label) in enumerate(
                zip(q.items, people.checklist_labels(kb, q.items), strict=True), 1)])
    else:
        obs = kb.observations[q.observation]
        data.update(kind="observation", type=obs.type, allowed=obs.allowed(),
                    answers=list(answer_words(obs)))
    return data


def _status_data(status: Status) -> dict[str, Any]:
    best = status.next_best
    return {"leading": list(status.leading), "probability": status.probability,
            "guaranteed": status.guaranteed, "asked": status.asked,
            "max_questions": status.max_questions, "reason": status.reason,
            "next_best": None if best is None else {"id": best.observation,
                                                    "question": best.question}}


def _result(consultation: Consultation[KnowledgeBase], out: _Output) -> None:
    dx = consultation.diagnosis()
    status = consultation.status()
    if out.json:
        out.event("result", {"status": _status_data(status), "case": consultation.case(),
                             "dont_know": sorted(consultation.dont_know()),
                             "diagnosis": dx.to_dict()})
        return
    out.write(people.result_text(consultation.kb, dx, status))


def _replay(consultation: Consultation[KnowledgeBase], path: str, out: _Output) -> None:
    answers = read_case(path)
    kb = consultation.kb
    try:
        asked = consultation.replay(answers)
    except ObservationError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "answers", str(exc))]) from exc
    given = consultation.given()
    for qid in asked:
        if qid in kb.checklists:
            checklist = kb.checklists[qid]
            marks = [("" if given[i].value else "not: ") + kb.observations[i].description
                     for i in checklist.items if i in given]
            shown = "; ".join(" ".join(t.split()).rstrip(".") for t in marks) or "none"
            text = f"{checklist.question}\n  > {shown}\n"
        else:
            known = given.get(qid)
            shown = "don't know" if known is None else _show(known.value, known.certainty)
            text = f"{' '.join(kb.observations[qid].question.split())}\n  > {shown}\n"
        out.message(text, "answered", {"id": qid})
    plural = "" if len(asked) == 1 else "s"
    out.message(f"\nAsked {len(asked)} question{plural}.\n\n", "asked", {"count": len(asked)})


def _show(value: object, certainty: float) -> str:
    text = ("yes" if value else "no") if isinstance(value, bool) else (
        f"{value:g}" if isinstance(value, float) else str(value).replace("_", " "))
    return text if certainty == 1.0 else f"{text} (certainty {certainty:g})"


# The conversation ------------------------------------------------------------------------------


def _interact(consultation: Consultation[KnowledgeBase], out: _Output, read: Callable[[str], str],
              asked_before: int = 0) -> None:
    kb = consultation.kb
    if not out.json:
        out.write("Answer the questions below; type 'help' for the commands.\n")
    last_leading = ""
    while True:
        question = consultation.next_question()
        dx = consultation.diagnosis()
        leading = people.leading_line(kb, dx)
        if leading != last_leading:
            if out.json:
                out.event("leading", {"causes": [{"id": c.id, "title": c.title,
                                                  "certainty": c.certainty}
                                                 for c in dx.causes[:3]]})
            else:
                out.write(f"\n{leading}\n")
            last_leading = leading
        if question is None:
            status = consultation.status()
            why = {"budget": "That was the last question of this consultation.",
                   "settled": "No remaining question could change the most likely reason.",
                   "probably settled": "The most likely reason is now unlikely to change.",
                   }.get(status.reason, "No remaining question could change the result.")
            out.message(f"\n{why}\n\n", "end", {"reason": status.reason})
            return
        number = asked_before + consultation.asked + 1
        if not _ask(consultation, question, number, out, read):
            if not out.json:
                out.write("\n")
            return


def _ask(consultation: Consultation[KnowledgeBase], q: Question, number: int, out: _Output,
         read: Callable[[str], str]) -> bool:
    """Ask one question until it is answered; False when the person quits."""
    kb = consultation.kb
    shown = people.prompt(kb, q, number)

    def show_question() -> None:
        if out.json:
            out.event("question", _question_data(kb, q, number))
        else:
            out.write(f"\n{shown}")

    show_question()
    while True:
        try:
            line = read("> " if not out.json else "")
        except EOFError:
            return False
        text = " ".join(line.strip().split())
        lowered = text.lower()
        again = True
        if not text:
            out.message("Please answer, or type '?' if you don't know ('help' lists "
                        "commands).\n", "error")
        elif lowered in _QUIT:
            return False
        elif lowered in _DONT_KNOW:
            # A list answered "don't know" leaves every item unknown, whatever it says.
            consultation.skip(*(q.items if q.checklist is not None else (q.observation,)))
            return True
        elif lowered in ("help", "h"):
            out.message(_HELP_TEXT, "help")
        elif lowered == "why":
            if q.checklist is not None:
                out.message("These questions feed the same reasons together:\n" + "".join(
                    people.why_text(kb, consultation.why(oid), 1) for oid in q.items[:4]), "why")
            else:
                out.message(people.why_text(kb, consultation.why(q.observation)), "why")
        elif lowered == "causes":
            out.message(people.leading_line(kb, consultation.diagnosis()) + "\n", "causes")
        elif lowered.startswith(("how ", "why not ", "whynot ")):
            words = text.split()
            cause = _cause(consultation, words[-1])
            dx = consultation.diagnosis()
            try:
                out.message(people.how_text(kb, kb.how(dx, cause)) if lowered.startswith("how ")
                            else people.why_not_text(kb, kb.why_not(dx, cause)), "explanation")
            except UnknownCauseError as exc:
                out.message(f"{exc}\n", "error")
        elif lowered in ("how", "why not", "whynot"):
            out.message(f"Name a reason: '{lowered} 1' for the first one listed, or "
                        f"'{lowered} {next(iter(kb.causes), 'CAUSE')}'.\n", "error")
        elif lowered == "back":
            previous = consultation.back()
            if previous is None:
                out.message("There is no previous answer to change.\n", "error")
            else:
                obs = kb.observations.get(previous)
                asked_again = " ".join(obs.question.split()) if obs else previous
                out.message(f"Going back to: {asked_again}\n", "back", {"id": previous})
                return True
        else:
            try:
                if q.checklist is not None:
                    items = [kb.observations[i] for i in q.items]
                    ticked, denied = parse_ticks(items, people.checklist_labels(kb, q.items),
                                                 text)
                    consultation.tick(q.checklist, ticked, q.items, denied)
                else:
                    value, certainty = parse_answer(kb.observations[q.observation], text)
                    consultation.answer(q.observation, value, certainty)
                return True
            except AnswerError as exc:
                out.message(f"{exc}\n", "error")
        if again:
            show_question()


def _cause(consultation: Consultation[KnowledgeBase], word: str) -> str:
    """A cause named by its place in the list of likely reasons, or by its id."""
    if word.isdigit():
        causes = consultation.diagnosis().causes
        n = int(word)
        if 1 <= n <= len(causes):
            return causes[n - 1].id
    return word
