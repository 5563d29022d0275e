"""Regenerate the answer-frequency table the consultation weighs its questions with.

Reads development stories mapped to observations: a folder of case files (such as
``shared/eval/dev_mapped_1/*.yaml``, each a mapping of observation id to value) or a
labelled-cases file (``eval/cases/dev_v2.yaml``: ``cases:``, each with ``observations:``).
Counts per observation how many stories give it and with which values, and writes
``src/rejection_diagnosis/consultation/answer_frequencies.json`` (see
``rejection_diagnosis.consultation.priors`` for how it is used). Observations the cases use
that the vocabulary no longer has are reported and skipped; observations added to the
vocabulary after the stories were mapped (``--added-after``) are left out of the table, so
that they get the prior rather than a count of zero.

The bundled table: the 166 stories of ``eval/cases/dev_v7.yaml`` (vocabulary v7: every
story was mapped blind for every observation, the later ones through addendum
questionnaires):

    .venv/bin/python benchmarks/answer_frequencies.py --cases eval/cases/dev_v7.yaml
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

import rejection_diagnosis as rd
from rejection_diagnosis.consultation.priors import AnswerModel

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT.parent.parent / "shared" / "eval" / "dev_mapped_1"
OUT = ROOT / "src" / "rejection_diagnosis" / "consultation" / "answer_frequencies.json"


def read_cases(source: Path, kb: rd.KnowledgeBase) -> list[dict[str, Any]]:
    """The cases of ``source``, without the observations ``kb`` does not know (reported)."""
    if source.is_dir():
        named = [(path.name, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
                 for path in sorted(source.glob("*.yaml"))]
    else:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        named = [(str(c.get("id")), c.get("observations") or {}) for c in data["cases"]]
    cases = []
    for name, observations in named:
        unknown = sorted(k for k in observations if k not in kb.observations)
        if unknown:
            print(f"{name}: skipping observations not in the vocabulary: {unknown}")
        cases.append({k: v for k, v in observations.items() if k in kb.observations})
    return cases


def main() -> None:
    """Write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=Path("/work/shared/eval/dev_mapped_1")
                        if Path("/work/shared/eval/dev_mapped_1").is_dir() else DEFAULT_CASES)
    parser.add_argument("--rules", action="append", default=[], metavar="PATH")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--added-after", nargs="*", default=[], metavar="ID")
    args = parser.parse_args()
    kb = rd.load_rules(*args.rules)
    model = AnswerModel.from_cases(kb, read_cases(args.cases, kb))
    left_out = set(args.added_after)
    model = AnswerModel(model.cases, {k: v for k, v in model.answered.items()
                                      if k not in left_out},
                        {k: v for k, v in model.values.items() if k not in left_out})
    data = {"source": f"{args.cases} (regenerate: benchmarks/answer_frequencies.py)",
            **model.to_json()}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} from {model.cases} cases")


if __name__ == "__main__":
    main()
