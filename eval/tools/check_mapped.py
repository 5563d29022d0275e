"""Check blind-mapped case files against a vocabulary (observations.yaml), with no rules.

usage: python eval/tools/check_mapped.py OBSERVATIONS.yaml CASE.yaml...

Meant for the blind readers, who may see the questionnaire but not the rules: it needs only
PyYAML and the observations file, and prints one line per problem, then "ok" or a count.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def problem(obs: dict[str, Any] | None, value: Any) -> str | None:
    """What is wrong with one answer, or None."""
    val = value["value"] if isinstance(value, dict) else value
    cert = value.get("certainty", 1) if isinstance(value, dict) else 1
    if obs is None:
        return "unknown observation"
    kind = obs["type"]
    if kind == "boolean" and not isinstance(val, bool):
        return "must be true/false"
    if kind == "number":
        if isinstance(val, bool) or not isinstance(val, int | float):
            return "must be a number"
        low, high = obs.get("range", (float("-inf"), float("inf")))
        if not low <= val <= high:
            return f"outside {[low, high]}"
    if kind == "category" and val not in obs["values"]:
        return f"must be one of {obs['values']}"
    if not 0 < cert <= 1:
        return "certainty must be in (0, 1]"
    return None


def main(argv: list[str]) -> int:
    vocab = yaml.safe_load(Path(argv[0]).read_text(encoding="utf-8"))["observations"]
    by_id = {o["id"]: o for o in vocab}
    bad = 0
    for name in argv[1:]:
        data = yaml.safe_load(Path(name).read_text(encoding="utf-8")) or {}
        for key, value in data.items():
            message = problem(by_id.get(key), value)
            if message:
                bad += 1
                print(f"{name}: {key}: {message}")
    print("ok" if not bad else f"{bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
