"""Blind briefs for readers: only what the candidate saw, nothing else.

usage: python eval/tools/make_briefs.py LABELS.yaml OUT_PREFIX BATCH_SIZE

LABELS is in the ../shared/eval/dev_cases.yaml format; each brief holds, per case, its id,
its `observations` (what the candidate saw before learning the reason) and its
`candidate_state`, never the story, the revealed detail or the label.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def brief(case: dict) -> list[str]:
    lines = [f"## {case['id']}",
             "What happened (as the candidate saw it, before learning any reason):"]
    lines += [f"- {o}" for o in case.get("observations") or []]
    state = case.get("candidate_state") or []
    if state:
        lines.append("The candidate's own situation and feelings:")
        lines += [f"- {o}" for o in state]
    return [*lines, ""]


def main(argv: list[str]) -> int:
    source, prefix, size = argv[0], argv[1], int(argv[2])
    cases = yaml.safe_load(Path(source).read_text(encoding="utf-8"))["cases"]
    for n, start in enumerate(range(0, len(cases), size), 1):
        batch = cases[start:start + size]
        out = Path(f"{prefix}_{n}.md")
        out.write_text("\n".join(line for c in batch for line in brief(c)), encoding="utf-8")
        print(out, len(batch), batch[0]["id"], batch[-1]["id"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
