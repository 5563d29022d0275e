"""Every snippet of docs/authoring.md runs, and prints exactly what the guide shows.

The guide is executed top to bottom in one temporary folder:

* a ``yaml`` block preceded by ``<!-- file: PATH -->`` is written to PATH; any other
  ``yaml`` block must at least be valid YAML;
* a ``sh`` block is a transcript: each ``$ command`` runs in bash (with the
  ``rejection-diagnosis`` command on PATH) and must print exactly the lines that follow
  it, and exit with 0, or with N when the command ends in ``# exit status N``;
* a ``python`` block runs as a script, or with pytest when it defines tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import rejection_diagnosis as rd
from rejection_diagnosis.lint import LINT_CODES
from rejection_diagnosis.validation import ERROR_CODES

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```",
                   re.S)
EXIT = re.compile(r"\s+# exit status (\d+)$")


def blocks() -> list[tuple[str, str, str | None]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [(m["lang"], m["body"], m["file"]) for m in BLOCK.finditer(text)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("guide")
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "rejection-diagnosis"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m rejection_diagnosis "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join([str(Path(rd.__file__).parent.parent),
                                         env.get("PYTHONPATH", "")])
    env["PYTHONUNBUFFERED"] = "1"  # keep stdout and stderr lines in the order written
    return folder, env


def transcript(body: str) -> list[tuple[str, int, list[str]]]:
    steps: list[tuple[str, int, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            command = line[2:]
            status = EXIT.search(command)
            steps.append((EXIT.sub("", command), int(status[1]) if status else 0, []))
        else:
            assert steps, f"output before any command in:\n{body}"
            steps[-1][2].append(line.rstrip())
    return steps


def test_guide_uses_only_checked_snippet_kinds():
    assert {"yaml", "sh", "python"} >= {lang for lang, _, _ in blocks()}


def test_guide_lists_every_problem_code_with_its_meaning():
    text = GUIDE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (error|warning) \| (.*) \|$", text, re.M)
    expected = [(code, "error", meaning) for code, meaning in ERROR_CODES.items()]
    expected += [(code, "warning", meaning) for code, meaning in LINT_CODES.items()]
    assert expected == rows


def test_every_snippet_of_the_guide_runs_as_shown(workdir):
    folder, env = workdir
    for lang, body, file in blocks():
        if lang == "yaml":
            if file:
                target = folder / file
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(body, encoding="utf-8")
            else:
                yaml.safe_load(body)
        elif lang == "sh":
            for command, status, output in transcript(body):
                done = subprocess.run(["bash", "-c", command], cwd=folder, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, timeout=120, check=False)
                shown = [line.rstrip() for line in done.stdout.splitlines()]
                assert (command, status, output) == (command, done.returncode, shown)
        elif lang == "python":
            script = folder / ("test_guide_snippet.py" if "def test_" in body else "snippet.py")
            script.write_text(body, encoding="utf-8")
            args = ([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", script.name]
                    if "def test_" in body else [sys.executable, script.name])
            done = subprocess.run(args, cwd=folder, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=120, check=False)
            assert 0 == done.returncode, done.stdout


def test_schema_shown_by_the_command_is_the_one_the_loader_uses(workdir):
    folder, env = workdir
    done = subprocess.run([sys.executable, "-m", "rejection_diagnosis", "show", "schema"],
                          cwd=folder, env=env, capture_output=True, text=True, check=True)
    import json

    from rejection_diagnosis.loader import schema

    assert schema() == json.loads(done.stdout)
    assert rd.check_rules is not None
