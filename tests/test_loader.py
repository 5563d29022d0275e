"""Reading rule files: positions, the published schema, limits, and problems never raising."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import hypothesis.strategies as st
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

import rejection_diagnosis as rd
from conftest import TINY
from rejection_diagnosis.loader import bundled_rules_path, schema

REPO = Path(__file__).resolve().parents[1]


def problems(write_rules, text: str, **kwargs) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in rd.check_rules(write_rules(text), **kwargs)]


class TestSchema:
    def test_published_schema_is_valid_draft_2020_12(self):
        jsonschema.Draft202012Validator.check_schema(schema())

    def test_schema_in_the_repository_is_the_one_in_the_package(self):
        shipped = REPO / "src" / "rejection_diagnosis" / "schema" / "ruleset.schema.json"
        assert json.loads(shipped.read_text(encoding="utf-8")) == schema()

    def test_every_bundled_rule_file_satisfies_the_schema(self):
        validator = jsonschema.Draft202012Validator(schema())
        for path in sorted(bundled_rules_path().glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert [] == [e.message for e in validator.iter_errors(data)], path

    def test_schema_fallback_code_for_checks_without_a_dedicated_message(self, write_rules):
        values = ", ".join(f"v{i}" for i in range(101))
        text = f"""
        observations:
          - {{id: x, type: category, values: [{values}], description: d, question: q}}
        """
        assert [(3, 37, "schema")] == problems(write_rules, text)


class TestPositions:
    def test_unknown_key_points_at_the_key_not_the_item(self, write_rules):
        text = """
        causes:
          - id: fit
            title: Fit
            descripton: Not the profile.
        """
        found = rd.check_rules(write_rules(text))
        assert [(5, 5, "unknown-key")] == [(p.line, p.column, p.code) for p in found]
        assert "did you mean 'description'?" in found[0].message

    def test_unknown_observation_points_at_its_name_inside_a_flow_mapping(self, write_rules):
        text = TINY.replace("when: {reposted: true}\n    then: {cause: fit",
                            "when: {repostd: true}\n    then: {cause: fit")
        found = rd.check_rules(write_rules(text))
        assert [("unknown-observation", 16, 12)] == [(p.code, p.line, p.column) for p in found]

    def test_duplicate_yaml_key_is_reported_and_the_rest_of_the_file_still_checked(
            self, write_rules):
        text = """
        causes:
          - id: fit
            title: Fit
            title: Fit again
            description: x
        rules:
          - {id: r, when: {nothing: true}, then: {cause: fit, certainty: 0.5}, because: b}
        """
        assert [(5, 5, "yaml-duplicate-key"), (8, 20, "unknown-observation")] == problems(
            write_rules, text)

    def test_problems_come_sorted_by_file_line_and_column(self, write_rules, tmp_path):
        write_rules("rules:\n  - {id: b, when: {y: 1}, then: {cause: c, certainty: 0.5}}\n",
                    "b.yaml")
        write_rules("rules:\n  - {id: a, when: {x: 1}, then: {cause: c, certainty: 2}}\n", "a.yaml")
        found = rd.check_rules(tmp_path)
        assert found == sorted(found, key=rd.Problem.sort_key)
        assert ["a.yaml", "b.yaml"] == sorted({Path(p.path).name for p in found})


class TestFilesAndLimits:
    def test_missing_path_is_a_problem_of_the_whole_file(self, tmp_path):
        missing = tmp_path / "nope.yaml"
        assert [(str(missing), 0, 0, "file-not-found")] == [
            (p.path, p.line, p.column, p.code) for p in rd.check_rules(missing)]

    def test_folder_without_rule_files(self, tmp_path):
        assert ["no-rule-files"] == [p.code for p in rd.check_rules(tmp_path)]

    def test_not_utf8_is_located_at_the_bad_byte(self, tmp_path):
        path = tmp_path / "latin1.yaml"
        path.write_bytes("causes:\n  - id: caf\xe9\n".encode("latin-1"))
        assert [(2, 12, "yaml-encoding")] == [(p.line, p.column, p.code)
                                              for p in rd.check_rules(path)]

    def test_byte_order_mark(self, tmp_path):
        path = tmp_path / "bom.yaml"
        path.write_bytes(b"\xef\xbb\xbfrules: []\n")
        assert ["yaml-bom"] == [p.code for p in rd.check_rules(path)]

    def test_non_scalar_key(self, write_rules):
        assert [(2, 5, "yaml-key")] == problems(write_rules, "rules:\n  ? [a, b]\n  : 1\n")

    @pytest.mark.parametrize(("limits", "code"), [
        (rd.Limits(max_bytes=20), "yaml-too-large"),
        (rd.Limits(max_depth=3), "yaml-too-deep"),
        (rd.Limits(max_string=5), "yaml-string-too-long"),
        (rd.Limits(max_nodes=10), "yaml-too-large"),
    ])
    def test_limits(self, write_rules, limits, code):
        assert [code] == [c for _, _, c in problems(write_rules, TINY, limits=limits)]

    def test_condition_with_too_many_alternatives_is_located_at_its_rule(self, write_rules):
        anys = ", ".join(f"{{any: [{{reposted: true}}, {{days: {{gt: {i}}}}}]}}" for i in range(7))
        text = TINY + f"""
  - id: huge
    when: [{anys}]
    then: {{cause: fit, certainty: 0.1}}
    because: Many alternatives.
"""
        found = rd.check_rules(write_rules(text))
        assert [("too-complex", 44, 5)] == [(p.code, p.line, p.column) for p in found]


class TestNeverRaises:
    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(cut=st.integers(min_value=0, max_value=len(TINY)), insert=st.sampled_from(
        ["", ":", "- ", "{", "]", "\t", "id: x\n", "  ", "true", "&a *a", "!!str "]))
    def test_any_damage_to_a_valid_file_gives_located_problems(self, write_rules, cut, insert):
        text = TINY[:cut] + insert + TINY[cut + 3:]
        found = rd.check_rules(write_rules(textwrap.dedent(text)))
        for p in found:
            assert p.line >= 1 and p.column >= 1, p
            assert p.severity in ("error", "warning")
            assert str(p).startswith(f"{p.path}:{p.line}:{p.column}: {p.severity}: ")


def test_question_mark_in_braces_hints_at_quoting_under_pure_python_yaml(monkeypatch):
    # PyYAML's own parser (used where libyaml is missing) refuses `{q: Why not?}`.
    import yaml

    from rejection_diagnosis import _yaml

    monkeypatch.setattr(_yaml, "_LOADER", yaml.SafeLoader)
    problem = _yaml.read_yaml(b"a:\n  - {id: x, question: Did it go up?}\n", "f.yaml")
    assert "if the '?' is part of a text inside braces, quote the text" in str(problem)


class TestOddPaths:
    def test_a_path_of_the_wrong_type_is_a_type_error_naming_it(self):
        import rejection_diagnosis as rd

        for bad in (123, None, b"rules"):
            with pytest.raises(TypeError, match=r"rule paths are str or os\.PathLike, got"):
                rd.load_rules(bad)

    def test_an_empty_path_is_not_the_current_folder(self):
        import rejection_diagnosis as rd

        assert ["empty path; name a rule file or folder"] == [
            p.message for p in rd.check_rules("")]

    def test_a_device_is_not_a_rule_file(self):
        import rejection_diagnosis as rd

        assert [("/dev/null", "file-unreadable", "not a regular file or a folder")] == [
            (p.path, p.code, p.message) for p in rd.check_rules("/dev/null")]
