"""``rejection-diagnosis ask``: an interactive consultation, or a replay of an answers file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..consult import LEAD, AnswerError, Consultation, Question, UnknownCauseError, parse_answer
from ..errors import ObservationError, Problem, RuleSetError
from ..knowledge_base import DEFAULT_THRESHOLD
from ._common import add_rules_argument, load_kb, read_case, threshold_argument

NAME = "ask"
HELP = "ask the questions that matter, one at a time, then diagnose"
EXAMPLE = """\
example:
  rejection-diagnosis ask --save case.yaml     # answer '?' when you do not know
  rejection-diagnosis diagnose case.yaml"""

_DONT_KNOW = frozenset({"?", "dont know", "don't know", "dunno", "idk", "unknown", "skip",
                        "not sure", "dk"})
_QUIT = frozenset({"quit", "q", "exit"})
_HELP_TEXT = """\
Answer each question (yes/no, one of the listed values, or a number). You may add how sure
you are: 'yes 0.7' or 'no 80%'. Other commands at any prompt:
  ?  (or 'dont know')   you don't know: the question is not asked again
  why                   why this question is asked
  how CAUSE             how a cause got its certainty
  why not CAUSE         what is missing for a cause
  causes                the leading causes now
  back                  change the previous answer
  quit                  stop and see the diagnosis
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ask``."""
    add_rules_argument(parser)
    parser.add_argument("--answers", metavar="FILE",
                        help="replay answers from a YAML/JSON mapping of observation id to "
                             "answer (ids absent: don't know) instead of asking")
    parser.add_argument("--save", metavar="FILE",
                        help="write the answers as a case file that 'diagnose' reads")
    parser.add_argument("--threshold", type=threshold_argument, default=DEFAULT_THRESHOLD,
                        help=f"report causes from this certainty on (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--lead", type=int, default=LEAD, metavar="N",
                        help=f"stop once the first N causes are settled (default {LEAD})")


def run(args: argparse.Namespace) -> int:
    """Consult, then print the full diagnosis."""
    kb = load_kb(args)
    if args.lead < 1:
        raise ValueError(f"--lead must be at least 1, got {args.lead}")
    consultation = Consultation(kb, threshold=args.threshold, lead=args.lead)
    out = sys.stdout
    if args.answers:
        answers = read_case(args.answers)
        try:
            asked = consultation.replay(answers)
        except ObservationError as exc:
            raise RuleSetError([Problem(args.answers, 0, 0, "error", "answers", str(exc))]) from exc
        for oid in asked:
            known = consultation.given().get(oid)
            shown = "don't know" if known is None else _show(known.value, known.certainty)
            out.write(f"{kb.observations[oid].question}\n  > {shown}\n")
        out.write(f"\nAsked {len(asked)} questions.\n\n")
    else:
        if sys.stdin is None:
            raise RuleSetError([Problem("<stdin>", 0, 0, "error", "file-unreadable",
                                        "cannot read the answers: standard input is closed; "
                                        "give --answers FILE")])
        _interact(consultation, out.write, input)
    if args.save:
        _save(args.save, consultation.case())
        out.write(f"Saved the case to {args.save}.\n\n")
    out.write(consultation.diagnosis().explain())
    return 0


def _show(value: object, certainty: float) -> str:
    text = ("yes" if value else "no") if isinstance(value, bool) else (
        f"{value:g}" if isinstance(value, float) else str(value))
    return text if certainty == 1.0 else f"{text} (certainty {certainty:g})"


def _save(path: str, case: dict[str, Any]) -> None:
    try:
        Path(path).write_text(
            "# Answers from a consultation; diagnose with: rejection-diagnosis diagnose "
            f"{path}\n" + yaml.safe_dump(case, sort_keys=True, allow_unicode=True),
            encoding="utf-8")
    except OSError as exc:
        raise RuleSetError([Problem(path, 0, 0, "error", "file-unwritable",
                                    f"cannot write the case: {exc.strerror}")]) from exc


def _leading_line(consultation: Consultation) -> str:
    dx = consultation.diagnosis()
    if not dx.causes:
        return "Leading causes: none yet."
    shown = ", ".join(f"{c.id} ({c.certainty:.2f})" for c in dx.causes[:3])
    return f"Leading causes: {shown}"


def _interact(consultation: Consultation, write: Callable[[str], object],
              read: Callable[[str], str]) -> None:
    write("Answer the questions below; type 'help' for the commands.\n")
    last_leading = ""
    while True:
        question = consultation.next_question()
        leading = _leading_line(consultation)
        if leading != last_leading:
            write(f"\n{leading}\n")
            last_leading = leading
        if question is None:
            write("\nNo remaining question could change the leading causes.\n\n")
            return
        number = consultation.asked + 1
        if not _ask(consultation, question, number, write, read):
            write("\n")
            return


def _ask(consultation: Consultation, q: Question, number: int,
         write: Callable[[str], object], read: Callable[[str], str]) -> bool:
    """Ask one question until it is answered; False when the person quits."""
    obs = consultation.kb.observations[q.observation]
    choices = (" [" + " / ".join(obs.values) + "]") if obs.type == "category" else (
        " [yes / no]" if obs.type == "boolean" else f" [{obs.allowed()}]")
    write(f"\n{number}. {q.question}{choices}\n")
    while True:
        try:
            line = read("> ")
        except EOFError:
            return False
        text = " ".join(line.strip().split())
        lowered = text.lower()
        if not text:
            write("Please answer, or type '?' if you don't know ('help' lists commands).\n")
        elif lowered in _QUIT:
            return False
        elif lowered in _DONT_KNOW:
            consultation.skip(q.observation)
            return True
        elif lowered in ("help", "h"):
            write(_HELP_TEXT)
        elif lowered == "why":
            write(consultation.why(q.observation).text())
        elif lowered == "causes":
            write(_leading_line(consultation) + "\n")
        elif lowered.startswith(("how ", "why not ", "whynot ")):
            cause = text.split()[-1]
            dx = consultation.diagnosis()
            try:
                write(dx.how(cause).text() if lowered.startswith("how ") else
                      dx.why_not(cause).text())
            except UnknownCauseError as exc:
                write(f"{exc}\n")
        elif lowered in ("how", "why not", "whynot"):
            write(f"Name a cause: '{lowered} CAUSE', for example '{lowered} "
                  f"{next(iter(consultation.kb.causes), 'CAUSE')}'.\n")
        elif lowered == "back":
            previous = consultation.back()
            if previous is None:
                write("There is no previous answer to change.\n")
                continue
            write(f"Going back to: {consultation.kb.observations[previous].question}\n")
            return True
        else:
            try:
                value, certainty = parse_answer(obs, text)
            except AnswerError as exc:
                write(f"{exc}\n")
                continue
            consultation.answer(q.observation, value, certainty)
            return True
