"""The ``rejection-diagnosis`` command line (also ``python -m rejection_diagnosis``).

Exit status: 0 success, 1 the input was wrong (a rule file, a case, a failed check),
2 a usage error. Errors are one located line each on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
from collections.abc import Sequence

from . import __version__
from .commands import COMMANDS
from .commands._common import UsageError
from .errors import DiagnosisError, RuleSetError

EXAMPLE = """\
example:
  rejection-diagnosis show observations --format yaml > case.yaml   # fill it in, then:
  rejection-diagnosis diagnose case.yaml
  rejection-diagnosis ask                      # or answer the questions one at a time"""


def _silence_stdout() -> None:
    # What could not be written must not fail again when the interpreter exits.
    if sys.stdout is not None:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            sys.stdout = None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="rejection-diagnosis",
        description="Explain a job rejection that followed a great interview.",
        epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f".commands.{name}", __package__)
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                                 epilog=getattr(module, "EXAMPLE", None),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if sys.stderr is None:  # nowhere to say anything
        return 1
    if args.command is None:  # the bare command: say what it can do
        if sys.stdout is None:
            return 1
        parser.print_help()
        return 0
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "standard output is closed")
        status = int(args.run(args))
        sys.stdout.flush()  # a full disk is reported here, not at interpreter exit
        return status
    except UsageError as exc:
        parser.exit(2, f"rejection-diagnosis: error: {exc}\n")
    except RuleSetError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except (DiagnosisError, ValueError) as exc:
        print(f"rejection-diagnosis: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`
        _silence_stdout()
        return 0
    except OSError as exc:  # writing the output failed: /dev/full, a closed stream
        _silence_stdout()
        target = f" {exc.filename}" if exc.filename else " the output"
        print(f"rejection-diagnosis: error: cannot write{target}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
