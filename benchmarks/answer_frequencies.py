"""Regenerate the answer-frequency table the consultation weighs its questions with.

Reads every case of the development stories (``shared/eval/dev_mapped_1/*.yaml``: each a
mapping of observation id to value, as ``diagnose`` reads it), counts per observation how
many stories give it and with which values, and writes
``src/rejection_diagnosis/consultation/answer_frequencies.json`` (see
``rejection_diagnosis.consultation.priors`` for how it is used). Observations the cases use
that the vocabulary no longer has are reported and skipped.

Run: PYTHONPATH=src python3 benchmarks/answer_frequencies.py [--cases DIR] [--rules PATH ...]
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


def read_cases(folder: Path, kb: rd.KnowledgeBase) -> list[dict[str, Any]]:
    """The cases of ``folder``, without the observations ``kb`` does not know (reported)."""
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = sorted(k for k in data if k not in kb.observations)
        if unknown:
            print(f"{path.name}: skipping observations not in the vocabulary: {unknown}")
        cases.append({k: v for k, v in data.items() if k in kb.observations})
    return cases


def main() -> None:
    """Write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=Path("/work/shared/eval/dev_mapped_1")
                        if Path("/work/shared/eval/dev_mapped_1").is_dir() else DEFAULT_CASES)
    parser.add_argument("--rules", action="append", default=[], metavar="PATH")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    kb = rd.load_rules(*args.rules)
    model = AnswerModel.from_cases(kb, read_cases(args.cases, kb))
    data = {"source": "shared/eval/dev_mapped_1 (regenerate: benchmarks/answer_frequencies.py)",
            **model.to_json()}
    args.out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} from {model.cases} cases")


if __name__ == "__main__":
    main()
