"""A 5,000-rule knowledge base loads under the default limits and diagnoses correctly."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.reference import agree, expected, observed

import rejection_diagnosis as rd
from rejection_diagnosis.observations import normalize

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic  # the benchmark's reproducible generator


def test_5000_rule_knowledge_base_loads_and_agrees_with_the_reference(tmp_path):
    # Regression: written as one file, it exceeded Limits.max_nodes; authors split large
    # rule sets into files, and so does the generator.
    kb = rd.load_rules(synthetic.write_knowledge_base(tmp_path / "kb", 5000))
    assert len(kb.rules) >= 5000
    for case in synthetic.make_cases(5000, 5, seed=3):
        dx = kb.diagnose(case)
        want = expected(kb, normalize(kb.observations, case), dx.threshold)
        assert agree(want, observed(dx)), case
