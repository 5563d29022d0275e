"""The process-wide caches: registered in one place, emptied by ``rd.clear_caches()``."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from tests.conftest import TINY

import rejection_diagnosis as rd
from rejection_diagnosis import _caches, labelled, loader
from rejection_diagnosis.consultation import bundled_model

SRC = Path(__file__).resolve().parent.parent / "src" / "rejection_diagnosis"

#: Every cache outside the engine fence, by the name it registers.
EXPECTED = {
    "consultation.analysis", "consultation.bundled_model", "knowledge_base.default",
    "knowledge_base.loaded", "labelled.cases_schema", "labelled.checked_schema",
    "loader.checked_schema", "loader.schema", "loader.validator", "schema_check.regex",
    "story.cue_index", "story.stem", "inference.plans", "engine.programs",
}


def _fill(tiny: Path) -> rd.KnowledgeBase:
    kb = rd.load_rules(tiny)
    rd.diagnose({"posting_reposted": True})
    kb.next_questions({})  # the consultation's analysis of kb, and the answer frequencies
    rd.load_rules().read_story("They reposted the ad a week later and it took 30 days.")
    rd.check_rules(Path(__file__).parent / "broken" / "bad_id.yaml")  # the full validator
    loader._validator()
    labelled._checked_schema()
    bundled_model()
    kb.diagnose({})  # the inference plan and the engine's form of kb's program
    return kb


@pytest.fixture
def tiny(write_rules) -> Path:
    return write_rules(TINY, "tiny.yaml")


def test_every_cache_of_the_package_is_registered(tiny: Path) -> None:
    _fill(tiny)
    assert EXPECTED == set(_caches.sizes())


def test_filling_then_clearing_empties_every_cache(tiny: Path) -> None:
    _fill(tiny)
    filled = _caches.sizes()
    assert {name for name, n in filled.items() if n == 0} == set()
    rd.clear_caches()
    assert dict.fromkeys(filled, 0) == _caches.sizes()


def test_after_a_clear_rules_are_read_again_and_answer_the_same(tiny: Path) -> None:
    first = rd.load_rules(tiny)
    assert first is rd.load_rules(tiny)  # the content-keyed cache
    rd.clear_caches()
    again = rd.load_rules(tiny)
    assert first is not again
    case = {"reposted": True, "days": 30}
    assert first.diagnose(case) == again.diagnose(case)
    assert first.next_questions(case) == again.next_questions(case)


def test_the_module_level_diagnose_loads_again_after_a_clear() -> None:
    before = rd.diagnose({"posting_reposted": True})
    rd.clear_caches()
    assert 0 == _caches.sizes()["knowledge_base.default"]
    assert before == rd.diagnose({"posting_reposted": True})
    assert 1 == _caches.sizes()["knowledge_base.default"]


def test_clearing_while_other_threads_use_the_caches_changes_no_result(tiny: Path) -> None:
    case = {"reposted": True, "days": 30}
    expected = (rd.load_rules(tiny).diagnose(case), rd.diagnose({"posting_reposted": True}))
    failures: list[BaseException] = []
    results: list[object] = []
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                results.append((rd.load_rules(tiny).diagnose(case),
                                rd.diagnose({"posting_reposted": True})))
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(50):
        rd.clear_caches()
    stop.set()
    for t in threads:
        t.join()
    assert [] == failures
    assert results
    assert [] == [r for r in results if r != expected]


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match=r"'story\.stem' is already registered"):
        _caches.register("story.stem", lambda: None, lambda: 0)


def test_no_module_memoises_outside_the_registry() -> None:
    # A cache made with functools directly would escape clear_caches(). The engine fence
    # owns the engine's state itself (see _engine.py).
    fence = {"_caches.py", "_alpha.py", "compiler.py", "inference.py"}
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in fence or path.name.startswith("_engine"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("cache", "lru_cache") and (
                    isinstance(node.value, ast.Name) and node.value.id == "functools"):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "functools" and any(
                    a.name in ("cache", "lru_cache") for a in node.names):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert [] == found


def test_a_per_object_memo_lives_as_long_as_its_object() -> None:
    import gc

    class Thing:
        pass

    calls: list[int] = []

    @_caches.per_object("tests.per_object_probe")
    def build(thing: Thing) -> list[int]:
        calls.append(1)
        return [len(calls)]

    try:
        first = Thing()
        assert build(first) is build(first)  # computed once while it lives
        assert 1 == len(calls) == _caches.sizes()["tests.per_object_probe"]
        second = Thing()
        assert build(second) == [2]
        del first
        gc.collect()
        assert 1 == _caches.sizes()["tests.per_object_probe"]  # its entry went with it
        _caches.clear_caches()
        assert 0 == _caches.sizes()["tests.per_object_probe"]
        assert build(second) == [3]  # computed again after a clear
    finally:
        with _caches._LOCK:
            _caches._REGISTRY.pop("tests.per_object_probe", None)
