"""``rejection-diagnosis diagnose CASE`` or ``--jsonl IN.jsonl``: diagnose cases.

One case file gives a readable explanation (or ``--format json``). ``--story FILE`` reads
the candidate's own account instead, shows what was read from it first, and diagnoses
that; a case file given as well corrects the reading (its values win), and
``--show-reading`` prints the reading as a case file to edit. A JSON Lines file gives
one JSON result per non-blank input line, in input order, streamed: memory stays bounded
however long the file is, and ``--workers N`` spreads the cases over N processes. A line
that cannot be diagnosed gives ``{"line": N, "error": "..."}`` in its place, a located
message on stderr, and exit status 1 at the end; the other lines are still diagnosed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

import attrs

from .. import batch
from .._knowledge import Knowledge
from ..certainty import DEFAULT_THRESHOLD, check_threshold
from ..diagnosis import Diagnosis
from ..errors import DiagnosisError, Problem, RuleSetError
from ..knowledge_base import KnowledgeBase
from ..render import explain_text
from ..report import candidate_text
from ._common import (
    UsageError,
    add_rules_argument,
    dump_json,
    load_case,
    load_kb,
    read_story_file,
    rule_paths,
    short_locations,
    threshold_argument,
)

NAME = "diagnose"
HELP = "diagnose a case file (YAML or JSON), or every line of a JSON Lines file"
EXAMPLE = """\
example:
  rejection-diagnosis show observations --format yaml > case.yaml   # fill it in, then:
  rejection-diagnosis diagnose case.yaml
  rejection-diagnosis diagnose case.yaml --detail     # the rules and their arithmetic
  rejection-diagnosis diagnose --story story.txt      # your story in your own words"""

_ENVELOPE = frozenset({"observations", "name", "story", "expect"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``diagnose``."""
    parser.add_argument("case", nargs="?",
                        help="case file: YAML or JSON mapping of observation id to value "
                             "('-' reads standard input)")
    add_rules_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json, for a single case")
    parser.add_argument("--detail", action="store_true",
                        help="text for rule authors: rule ids and locations, the certainty "
                             "arithmetic, causes below the threshold")
    parser.add_argument("--exact", action="store_true",
                        help="JSON certainties unrounded (default: 4 decimals)")
    parser.add_argument("--threshold", type=threshold_argument, default=DEFAULT_THRESHOLD,
                        metavar="X",
                        help="report causes from this certainty on, in (0, 1] "
                             f"(default {DEFAULT_THRESHOLD})")
    parser.add_argument("--jsonl", metavar="IN.jsonl",
                        help="diagnose every line of a JSON Lines file ('-' reads standard "
                             "input): one JSON object of observations per line")
    parser.add_argument("-o", "--output", metavar="OUT.jsonl",
                        help="with --jsonl: write the results here (default: standard output)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="with --jsonl: worker processes (default 1)")
    parser.add_argument("--story", metavar="FILE",
                        help="read the observations from your story in plain words ('-' "
                             "reads standard input); a CASE file given too corrects them")
    parser.add_argument("--show-reading", action="store_true",
                        help="with --story: print what was read as a case file (to edit and "
                             "diagnose) instead of diagnosing")


def run(args: argparse.Namespace) -> int:
    """Diagnose and print."""
    if args.story is not None:
        return _run_story(args)
    if args.jsonl is not None:
        if args.case is not None:
            raise UsageError("give either a CASE file or --jsonl IN.jsonl, not both")
        if args.workers < 1:
            raise UsageError(f"--workers must be at least 1 (got {args.workers})")
        return _run_jsonl(args)
    if args.show_reading:
        raise UsageError("--show-reading goes with --story FILE")
    if args.case is None:
        raise UsageError("give a CASE file, --story FILE, or --jsonl IN.jsonl")
    if args.output is not None or args.workers != 1:
        raise UsageError("-o/--output and --workers go with --jsonl")
    kb = load_kb(args)
    dx = kb.diagnose(load_case(args.case, kb), threshold=args.threshold)
    _print(args, kb, dx)
    return 0


def _print(args: argparse.Namespace, kb: KnowledgeBase, dx: Diagnosis) -> None:
    if args.format == "json":
        sys.stdout.write(dump_json(dx.to_dict(exact=args.exact)) + "\n")
    elif args.detail:
        sys.stdout.write(explain_text(dx, short_locations(rule_paths(args, args.rules))))
    else:
        sys.stdout.write(candidate_text(dx, kb.observations, _settling_question(kb, dx)))
        sys.stdout.write("\n(The rules behind this and their arithmetic: add --detail.)\n")


def _run_story(args: argparse.Namespace) -> int:
    from ..story import describe_reading, reading_case_yaml

    if args.jsonl is not None:
        raise UsageError("--story reads one story; it does not go with --jsonl")
    if args.output is not None or args.workers != 1:
        raise UsageError("-o/--output and --workers go with --jsonl")
    if args.story == "-" and args.case == "-":
        raise UsageError("the story and the case cannot both come from standard input")
    kb = load_kb(args)
    correction = load_case(args.case, kb) if args.case is not None else {}
    reading = read_story_file(kb, args.story)
    if args.show_reading:
        sys.stdout.write(dump_json(reading.to_dict()) + "\n" if args.format == "json"
                         else reading_case_yaml(reading))
        return 0
    dx = kb.diagnose({**reading.observations, **correction}, threshold=args.threshold)
    if args.format == "json":
        sys.stdout.write(dump_json({"reading": reading.to_dict(), "corrections": correction,
                                    "diagnosis": dx.to_dict(exact=args.exact)}) + "\n")
        return 0
    out = describe_reading(reading, kb.observations)
    if correction:
        out += (f"Corrected by {args.case}: "
                + ", ".join(f"{k} = {v!r}" for k, v in correction.items()) + "\n")
    out += (f"To correct this: rejection-diagnosis diagnose --story {args.story} --show-reading "
            "> case.yaml, edit case.yaml, then add it: diagnose case.yaml --story "
            f"{args.story}\n\n")
    sys.stdout.write(out)
    _print(args, kb, dx)
    return 0


def _settling_question(kb: KnowledgeBase, dx: Diagnosis) -> str | None:
    """When no cause is reported, the open question whose answer would tell most."""
    if not dx.insufficient_evidence:
        return None
    known = {k: {"value": g.value, "certainty": g.certainty} for k, g in dx.observations.items()}
    asked = kb.next_questions(known, 1, threshold=dx.threshold)
    return asked[0].question if asked else None


# JSON Lines ---------------------------------------------------------------------------------

#: One input line's outcome: (line number, result JSON text or None, error message or None).
LineResult = tuple[int, str | None, str | None]


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys, the case-file reader refuses them: a
    # record is refused too, since which value was meant is unknown.
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise _DuplicateKey(f"duplicate key {key!r}; remove or rename one")
        record[key] = value
    return record


def diagnose_line(kb: Knowledge, number: int, text: str | bytes,
                  threshold: float) -> LineResult:
    """Diagnose one JSON Lines record; an unusable record gives its error message."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return number, None, f"not UTF-8: byte {text[exc.start]:#04x} at byte {exc.start + 1}"
    try:
        case = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        return number, None, str(exc)
    except ValueError as exc:
        return number, None, f"not JSON: {exc}"
    except RecursionError:
        return number, None, "not a case: nested too deeply"
    if isinstance(case, dict) and set(case) <= _ENVELOPE and isinstance(
            case.get("observations"), dict):
        case = case["observations"]
    if not isinstance(case, dict):
        return number, None, "a case is a JSON object of observation id to value"
    try:
        dx = kb.diagnose(case, threshold=threshold)
    except DiagnosisError as exc:
        return number, None, str(exc)
    return number, json.dumps(dx.to_dict(), ensure_ascii=False), None


@attrs.frozen
class _Lines:
    """Worker function: diagnose a chunk of lines with the worker's knowledge base."""

    threshold: float

    def __call__(self, chunk: list[tuple[int, bytes]]) -> list[LineResult]:
        kb = batch._WORKER_KB
        assert kb is not None, "worker started without its knowledge base"
        return [diagnose_line(kb, n, text, self.threshold) for n, text in chunk]


def _run_jsonl(args: argparse.Namespace) -> int:
    threshold = check_threshold(args.threshold)
    kb = load_kb(args)
    name = "<stdin>" if args.jsonl == "-" else args.jsonl
    try:
        # Bytes, decoded line by line: invalid UTF-8 is that line's error, not the batch's.
        source: IO[bytes] = (_stdin_bytes() if args.jsonl == "-"
                             else open(args.jsonl, "rb"))  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read {args.jsonl}: {exc.strerror}") from exc
    progress = _Progress(sys.stderr, _count_lines(args.jsonl)) if sys.stderr.isatty() else None
    try:
        out: IO[str] = (open(args.output, "w", encoding="utf-8")  # noqa: SIM115
                        if args.output is not None else sys.stdout)
    except OSError as exc:
        source.close()
        raise UsageError(f"cannot write {args.output}: {exc.strerror}") from exc
    failed = 0
    try:
        records = ((n, line) for n, line in _lines(source, name) if line.strip())
        results: Iterator[LineResult]
        if args.workers == 1:
            results = (diagnose_line(kb, n, text, threshold) for n, text in records)
        else:
            results = batch.ordered_map(_Lines(threshold), records, workers=args.workers,
                                        chunk_size=batch.DEFAULT_CHUNK_SIZE,
                                        initializer=batch._init_worker,
                                        initargs=(batch._shipped(kb, None),))
        for number, text, error in results:
            if error is not None:
                failed += 1
                if progress is not None:
                    progress.clear()
                print(f"{name}:{number}: error: {error}", file=sys.stderr)
                text = json.dumps({"line": number, "error": error}, ensure_ascii=False)
            out.write(f"{text}\n")
            if progress is not None:
                progress.step()
    finally:
        if progress is not None:
            progress.finish()
        if args.jsonl != "-":
            source.close()
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()
    return 1 if failed else 0


#: The longest JSON Lines record read (a 100 MB record of one case still reads).
MAX_LINE_BYTES = 128 * 1024 * 1024


def _stdin_bytes() -> IO[bytes]:
    if sys.stdin is None:
        raise UsageError("cannot read <stdin>: standard input is closed")
    return sys.stdin.buffer


def _lines(source: IO[bytes], name: str) -> Iterator[tuple[int, bytes]]:
    """Numbered lines of ``source``, each at most :data:`MAX_LINE_BYTES` long.

    Raises:
        RuleSetError: a line is longer (``/dev/zero`` has no end of line): reading stops.
    """
    number = 0
    while True:
        line = source.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise RuleSetError([Problem(name, number, 0, "error", "line-too-long",
                                        f"line is longer than {MAX_LINE_BYTES} bytes; "
                                        "stopped reading")])
        yield number, line


def _count_lines(path: str) -> int | None:
    """Non-blank lines of a regular file (for the ETA), read in blocks; None for stdin."""
    if path == "-":
        return None
    count = 0
    try:
        with open(path, "rb") as handle:
            for line in handle:
                count += bool(line.strip())
    except OSError:
        return None
    return count


class _Progress:
    """A one-line progress bar on a terminal: count, rate and time left."""

    def __init__(self, stream: IO[str], total: int | None) -> None:
        self.stream = stream
        self.total = total
        self.count = 0
        self.start = time.monotonic()
        self.shown = 0.0

    def step(self) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.shown >= 0.1:
            self.shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        parts: list[Any] = [f"{self.count:,}"]
        if self.total:
            done = min(self.count / self.total, 1.0)
            bar = "#" * int(done * 20)
            parts = [f"[{bar:<20}] {self.count:,}/{self.total:,}"]
        parts.append(f"{rate:,.0f} cases/s")
        if self.total and rate > 0:
            left = max(self.total - self.count, 0) / rate
            parts.append(f"ETA {int(left // 60):d}:{int(left % 60):02d}")
        self.stream.write("\r\033[K" + "  ".join(parts))
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\033[K")

    def finish(self) -> None:
        self._draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()
