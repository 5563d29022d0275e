"""The engine under threads, several knowledge bases, interruptions and engine failures."""

from __future__ import annotations

import gc
import json
import random
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TINY

import rejection_diagnosis as rd
from rejection_diagnosis import _alpha, _engine, inference


def random_cases(kb: rd.KnowledgeBase, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        case: dict[str, Any] = {}
        observations = list(kb.observations.values())
        for obs in rng.sample(observations, rng.randint(0, min(12, len(observations)))):
            if obs.type == "boolean":
                case[obs.id] = rng.random() < 0.5
            elif obs.type == "category":
                case[obs.id] = rng.choice(obs.values)
            else:
                lo, hi = obs.range or (0.0, 100.0)
                case[obs.id] = rng.choice([lo, hi, rng.uniform(lo, hi)])
        out.append(case)
    return out


def as_json(dx: rd.Diagnosis) -> str:
    return json.dumps(dx.to_dict(), sort_keys=True)


def certainties(dx: rd.Diagnosis) -> list[tuple[str, float]]:
    return [(c.id, c.certainty) for c in (*dx.considered, *dx.findings, *dx.coping,
                                          *dx.next_steps)]


def run_threads(target: Any, count: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


class TestThreads:
    def test_eight_threads_give_exactly_the_sequential_results(self):
        kb = rd.load_rules()
        cases = random_cases(kb, 400, seed=5)
        sequential = [as_json(kb.diagnose(c)) for c in cases]
        results: dict[int, str] = {}

        def work(t: int) -> None:
            for i in range(t, len(cases), 8):
                results[i] = as_json(kb.diagnose(cases[i]))

        assert [] == run_threads(work, 8)
        assert sequential == [results[i] for i in range(len(cases))]

    def test_knowledge_bases_never_see_each_others_facts(self, write_rules):
        # Same vocabulary, different rules: a leaked fact would fire the other's rules.
        other = TINY.replace("certainty: 0.5\n    because: They are still looking.",
                             "certainty: -0.9\n    because: They are still looking.")
        kbs = [rd.load_rules(write_rules(TINY, "a.yaml")),
               rd.load_rules(write_rules(other, "b.yaml"))]
        cases = random_cases(kbs[0], 100, seed=6)
        sequential = [[as_json(kb.diagnose(c)) for c in cases] for kb in kbs]
        assert sequential[0] != sequential[1]
        results: dict[tuple[int, int], str] = {}

        def work(t: int) -> None:
            kb = kbs[t % 2]
            for i in range(len(cases)):
                results[(t, i)] = as_json(kb.diagnose(cases[i]))

        assert [] == run_threads(work, 8)
        for t in range(8):
            assert sequential[t % 2] == [results[(t, i)] for i in range(len(cases))]


class TestReloading:
    def test_reloading_the_same_file_a_thousand_times_registers_nothing_new(self, write_rules):
        path = write_rules(TINY, "tiny.yaml")
        rd.load_rules(path).diagnose({"reposted": True, "days": 40})
        before = _engine.engine_stats()["rulesets"]
        for _ in range(1000):
            rd.load_rules(path).diagnose({"reposted": True, "days": 40})
        assert before == _engine.engine_stats()["rulesets"]

    def test_recompiling_the_same_content_reuses_the_engine_rulesets(self, tmp_path):
        first = tmp_path / "0.yaml"
        first.write_text(TINY)
        expected = certainties(rd.load_rules(first).diagnose({"reposted": True, "days": 40}))
        before = _engine.engine_stats()["rulesets"]
        for n in range(1, 30):  # fresh paths: the knowledge-base cache cannot answer
            path = tmp_path / f"{n}.yaml"
            path.write_text(TINY)
            dx = rd.load_rules(path).diagnose({"reposted": True, "days": 40})
            assert expected == certainties(dx)
        assert before == _engine.engine_stats()["rulesets"]


    def test_reloaded_knowledge_bases_are_freed(self, tmp_path):
        # Regression: a process-wide explanation memo keyed by plan kept every reloaded
        # plan alive (0.4 MB per reload of the bundled rules).
        for n in range(40):  # more than the knowledge-base cache holds
            path = tmp_path / f"{n}.yaml"
            path.write_text(TINY)
            rd.load_rules(path).diagnose({"reposted": True, "days": 40, "feedback": "culture"})
        gc.collect()
        plans = sum(1 for o in gc.get_objects() if type(o) is inference.Plan)
        assert plans <= 20


class Faulty:
    """Stands in for the C module, delegating to it, with one call made to fail."""

    def __init__(self, name: str, error: BaseException, after: bool = False,
                 times: int = 1) -> None:
        self.name, self.exc, self.after, self.times = name, error, after, times

    def __getattr__(self, attr: str) -> Any:
        real = getattr(_engine.__dict__["_real_dre"], attr)
        if attr != self.name:
            return real

        def call(*args: Any) -> Any:
            if self.times <= 0:
                return real(*args)
            self.times -= 1
            if self.after:
                real(*args)
            raise self.exc

        return call


@pytest.fixture
def inject(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(_engine.__dict__, "_real_dre", _engine._dre)

    def install(faulty: Faulty) -> None:
        monkeypatch.setattr(_engine, "_dre", faulty)

    return install


@pytest.fixture
def fresh_kb(write_rules, request) -> rd.KnowledgeBase:
    # Rules unique to this test (the engine shares compiled groups by content), so that
    # registering and retiring concern this test only. The extra rule never fires here.
    marker = 1000 + zlib.crc32(request.node.nodeid.encode())
    extra = f"""
  - id: unique-marker
    when: {{days: {{ge: {marker}}}}}
    then: {{finding: slow, certainty: 0.1}}
"""
    return rd.load_rules(write_rules(TINY + extra, "fresh.yaml"))


CASE = {"reposted": True, "days": 40, "feedback": "culture"}


class TestInterruptions:
    @pytest.mark.parametrize("where", ["assert_fact", "start_action_for_state",
                                       "complete_and_start_action", "retract_fact"])
    def test_keyboard_interrupt_mid_diagnosis_leaves_the_kb_usable(self, fresh_kb, inject, where):
        # Each engine call and its bookkeeping are one C step, so an interrupt lands between
        # calls; the diagnosis is finished in the engine, and nothing is retired (D11).
        expected = as_json(fresh_kb.diagnose(CASE))
        retired = _engine.engine_stats()["retired"]
        inject(Faulty(where, KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            fresh_kb.diagnose(CASE)
        assert retired == _engine.engine_stats()["retired"]
        assert [expected] * 3 == [as_json(fresh_kb.diagnose(CASE)) for _ in range(3)]

    def test_interrupted_registration_uses_a_fresh_name_next_time(self, fresh_kb, inject):
        inject(Faulty("create_ruleset", KeyboardInterrupt(), after=True))
        with pytest.raises(KeyboardInterrupt):
            fresh_kb.diagnose(CASE)
        assert 0.85 == pytest.approx(fresh_kb.diagnose(CASE).cause("fit").certainty)

    def test_many_interrupts_in_a_row_retire_nothing(self, fresh_kb, inject):
        expected = as_json(fresh_kb.diagnose(CASE))
        retired = _engine.engine_stats()["retired"]
        for _ in range(20):
            inject(Faulty("complete_and_start_action", KeyboardInterrupt()))
            with pytest.raises(KeyboardInterrupt):
                fresh_kb.diagnose(CASE)
        assert expected == as_json(fresh_kb.diagnose(CASE))
        assert retired == _engine.engine_stats()["retired"]

    def test_an_engine_failure_retires_and_frees_the_ruleset(self, fresh_kb, inject):
        expected = as_json(fresh_kb.diagnose(CASE))
        retired = _engine.engine_stats()["retired"]
        inject(Faulty("complete_and_start_action", _engine._dre.error("boom"), times=1))
        with pytest.raises(rd.EngineError):
            fresh_kb.diagnose(CASE)
        assert retired + 1 == _engine.engine_stats()["retired"]
        assert expected == as_json(fresh_kb.diagnose(CASE))


class TestEngineErrors:
    def test_a_failing_action_names_its_rule(self, fresh_kb, inject):
        inject(Faulty("complete_and_start_action", _engine._dre.error("boom")))
        with pytest.raises(rd.EngineError) as info:
            fresh_kb.diagnose({"feedback": "culture"})
        assert "culture-fit" == info.value.rule_id
        assert str(info.value).startswith("rule 'culture-fit': ")
        assert "boom" in str(info.value)

    def test_a_refused_fact_names_the_rules_of_its_group(self, fresh_kb, inject):
        inject(Faulty("assert_fact", _engine._dre.error("Could not assert fact, error code: 204")))
        with pytest.raises(rd.EngineError, match="error code: 204") as info:
            fresh_kb.diagnose({"reposted": True})
        assert "'reposted-fit'" in str(info.value)

    def test_an_unexpected_engine_answer_is_an_error_not_an_empty_diagnosis(self, fresh_kb,
                                                                             monkeypatch):
        real = _engine._dre

        class Odd:
            def __getattr__(self, attr: str) -> Any:
                if attr == "assert_fact":
                    return lambda handle, payload: (17, 0)
                return getattr(real, attr)

        monkeypatch.setattr(_engine, "_dre", Odd())
        with pytest.raises(rd.EngineError, match="answered 17"):
            fresh_kb.diagnose({"reposted": True})

    def test_an_engine_error_never_leaves_a_partial_result_behind(self, fresh_kb, inject):
        expected = as_json(fresh_kb.diagnose(CASE))
        inject(Faulty("complete_and_start_action", _engine._dre.error("boom")))
        with pytest.raises(rd.EngineError):
            fresh_kb.diagnose(CASE)
        assert expected == as_json(fresh_kb.diagnose(CASE))

    def test_a_custom_matcher_that_fails_surfaces_as_an_engine_error(self, tiny_kb):
        class Broken:
            def matches(self, *args: Any) -> list[tuple[int, int]]:
                raise ZeroDivisionError("oops")

        with pytest.raises(rd.EngineError, match="the matcher failed") as info:
            tiny_kb.with_matcher(Broken()).diagnose({"reposted": True})
        assert isinstance(info.value.__cause__, ZeroDivisionError)

    def test_a_matcher_reporting_an_unknown_rule_is_an_error(self, tiny_kb):
        class Liar:
            def matches(self, *args: Any) -> list[tuple[int, int]]:
                return [(999, 0)]

        with pytest.raises(rd.EngineError, match=r"unknown rule alternative \(999, 0\)"):
            tiny_kb.with_matcher(Liar()).diagnose({"reposted": True})

    def test_a_matcher_answering_something_else_than_pairs_is_an_error(self, tiny_kb):
        class Garbled:
            def matches(self, *args: Any) -> list[Any]:
                return ["a12", (0,), (0.0, 0)]

        with pytest.raises(rd.EngineError, match="unknown rule alternative 'a12'"):
            tiny_kb.with_matcher(Garbled()).diagnose({"reposted": True})


def test_colliding_property_hashes_are_refused(monkeypatch, fresh_kb):
    monkeypatch.setattr(_engine, "engine_hash", lambda name: 7)
    with pytest.raises(rd.EngineError, match="cannot tell properties"):
        fresh_kb.diagnose({"reposted": True})


def test_fnv1a_matches_the_engine_hash():
    # Reference values of 32-bit FNV-1a.
    assert (0x811C9DC5, 0xE40C292C, 0xBF9CF968) == (
        _alpha.engine_hash(""), _alpha.engine_hash("a"), _alpha.engine_hash("foobar"))


def test_ordered_integers_keep_the_order_of_floats():
    values = sorted([-1e300, -2.5, -1.0, -5e-324, 0.0, 5e-324, 1e-05, 0.2, 1.0, 2.5, 1e16, 1e300])
    codes = [_engine._ordered(v) for v in values]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert _engine._ordered(-0.0) == _engine._ordered(0.0)


def test_threads_keep_working_while_another_is_interrupted(fresh_kb, inject):
    expected = as_json(fresh_kb.diagnose(CASE))
    inject(Faulty("complete_and_start_action", KeyboardInterrupt(), times=3))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(_: int) -> None:
        for _ in range(20):
            try:
                got = as_json(fresh_kb.diagnose(CASE))
            except KeyboardInterrupt:
                got = "interrupted"
            with lock:
                outcomes.append(got)

    assert [] == run_threads(work, 4)
    # An interrupt may also land in the recovery of an earlier one (then it is re-raised).
    assert 1 <= outcomes.count("interrupted") <= 3
    assert {expected, "interrupted"} == set(outcomes)


def test_write_rules_fixture_paths_are_distinct(write_rules):
    assert Path(write_rules(TINY, "x.yaml")).name == "x.yaml"
