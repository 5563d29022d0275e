"""The questionnaire a blind reader answers: every observation's id, type, question and
description, grouped, with no rules.

usage: python eval/tools/make_questionnaire.py OBSERVATIONS.yaml OUT.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HEAD = """# Questionnaire: the observations a candidate can report

Answer each question ONLY from what the candidate's own account says. Leave out (do not write) any
observation the account does not let you answer: unknown is not 'no'. Write `false` only when the
account says or clearly implies the thing did not happen. For a value you are unsure of, or a rough or
lower-bound figure, write `{value: X, certainty: 0.5-0.9}`. Numbers are plain numbers (days, weeks, counts).
"""


def main(argv: list[str]) -> int:
    observations = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))["observations"]
    out = [HEAD]
    group = None
    for o in observations:
        if o.get("group") != group:
            group = o.get("group")
            out += ["", f"## {group}", ""]
        kind = o["type"]
        if kind == "category":
            kind += " one of: " + ", ".join(o["values"])
        if kind == "number":
            kind += (f" ({o['unit']})" if o.get("unit") else "")
            kind += (f" range {o['range']}" if o.get("range") else "")
        question = " ".join(str(o["question"]).split())
        description = " ".join(str(o.get("description", "")).split())
        out.append(f"- `{o['id']}` [{kind}]: {question}\n  ({description})")
    Path(argv[1]).write_text("\n".join(out) + "\n", encoding="utf-8")
    print(len(observations))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
