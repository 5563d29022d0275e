"""eval/tools/crossvalidate.py: calibrate.py refitted on some dev stories, scored on the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.eval_tools import load_tool

ROOT = Path(__file__).resolve().parent.parent
tool = load_tool("crossvalidate")


def test_every_reading_is_scored_once_and_the_bundled_rules_score_as_evaluate_does(capsys):
    dev = ROOT / "eval" / "cases" / "dev_v7.yaml"
    assert 0 == tool.main([str(dev), "--folds", "2"])
    out = capsys.readouterr().out
    folds = [int(n) for n in re.findall(r"^fold \d: (\d+) readings", out, re.M)]
    assert 2 == len(folds) and 166 == sum(folds)
    bundled = re.search(r"^bundled\s+top-1 (\d+)/166 .*top-3 (\d+)/166", out, re.M)
    refitted = re.search(r"^refitted\s+top-1 (\d+)/166 .*top-3 (\d+)/166", out, re.M)
    assert bundled and refitted
    import rejection_diagnosis as rd
    from rejection_diagnosis.evaluation import bundled_categories_path, load_categories
    ev = rd.evaluate(rd.load_rules(), [dev], load_categories(bundled_categories_path()),
                     tier="considered")
    # Scoring fold by fold adds up to scoring the whole file at once.
    assert (ev.summary.considered.top1, ev.summary.considered.top3) == (
        int(bundled[1]), int(bundled[2]))


def test_a_test_split_is_refused(tmp_path):
    test = ROOT / "eval" / "held_out" / "test_v7.yaml"
    with pytest.raises(SystemExit) as info:
        tool.main([str(test)])
    assert "test" in str(info.value)
