"""The JSON API and the server's own behaviour, through Starlette's test client."""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

import httpx2 as httpx  # the client Starlette's test client also uses (the dev extra)
import jsonschema
from starlette.testclient import TestClient

import rejection_diagnosis as rd
from rejection_diagnosis.report import candidate_text
from rejection_diagnosis.web import MAX_BODY, api, create_app
from rejection_diagnosis.web.openapi import openapi

KB = rd.load_rules()
CASE = {"posting_reposted": True, "interview_felt_great": True, "days_to_rejection": 21}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(KB))


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    assert body["status"] == response.status_code
    return body


# POST /api/diagnose -----------------------------------------------------------------------


def test_diagnose_returns_the_librarys_diagnosis_with_strengths(client: TestClient) -> None:
    response = client.post("/api/diagnose", json={"observations": CASE})
    dx = KB.diagnose(CASE)
    assert 200 == response.status_code
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("ranked", "report")} == json.loads(
        json.dumps(dx.to_dict()))
    assert candidate_text(dx, KB.observations) == body["report"]
    assert [(c.id, dx.strength(c)) for c in dx.ranked] == [
        (c["id"], c["strength"]) for c in body["ranked"]]


def test_diagnose_gives_exact_numbers_on_request(client: TestClient) -> None:
    body = client.post("/api/diagnose", json={"observations": CASE, "exact": True}).json()
    dx = KB.diagnose(CASE)
    assert json.loads(json.dumps(dx.to_dict(exact=True)))["causes"] == body["causes"]
    assert [c.certainty for c in dx.ranked] == [c["certainty"] for c in body["ranked"]]


def test_diagnose_reads_the_observations_of_a_diagnosis_to_dict(client: TestClient) -> None:
    uncertain = {**CASE, "posting_reposted": {"value": True, "certainty": 0.6}}
    first = client.post("/api/diagnose", json={"observations": uncertain}).json()
    again = client.post("/api/diagnose", json={"observations": first["observations"]}).json()
    assert first == again


def test_diagnose_takes_a_bare_mapping_and_a_threshold(client: TestClient) -> None:
    assert KB.diagnose(CASE).to_dict()["causes"] == client.post(
        "/api/diagnose", json=CASE).json()["causes"]
    high = client.post("/api/diagnose", json={"observations": CASE, "threshold": 0.99}).json()
    assert [] == high["causes"]
    assert 422 == client.post("/api/diagnose", json={"observations": CASE,
                                                     "threshold": 2}).status_code


def test_an_unknown_observation_is_422_naming_it_with_a_hint(client: TestClient) -> None:
    response = client.post("/api/diagnose", json={"observations": {"posting_repostd": True}})
    assert 422 == response.status_code
    body = error(response)
    assert ("bad-case", "posting_repostd") == (body["code"], body["observation"])
    assert "did you mean 'posting_reposted'" in body["message"]


@pytest.mark.parametrize("case", [{"posting_reposted": "yes"}, {"days_to_rejection": 9999},
                                  {"stated_reason": "nope"}, [1, 2], "text", None])
def test_a_bad_value_or_shape_is_422(client: TestClient, case: Any) -> None:
    response = client.post("/api/diagnose", json={"observations": case})
    assert 422 == response.status_code
    assert "bad-case" == error(response)["code"]


@pytest.mark.parametrize("raw", [b"{bad", b"", b"\xff\xfe", b"[" * 100_000])
def test_a_body_that_is_not_json_is_400(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/diagnose", content=raw)
    assert 400 == response.status_code
    assert "bad-json" == error(response)["code"]


def test_an_oversized_body_is_413_with_or_without_a_length(client: TestClient) -> None:
    big = b'{"observations": {"x": "' + b"a" * MAX_BODY + b'"}}'
    declared = client.post("/api/diagnose", content=big)
    assert 413 == declared.status_code
    assert "too-large" == error(declared)["code"]

    def chunks() -> Any:
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]

    streamed = client.post("/api/diagnose", content=chunks())
    assert "content-length" not in streamed.request.headers
    assert 413 == streamed.status_code


def test_a_smaller_limit_can_be_set() -> None:
    small = TestClient(create_app(KB, max_body=100))
    assert 413 == small.post("/api/diagnose", json={"observations": CASE,
                                                    "pad": "x" * 200}).status_code
    assert 200 == small.post("/api/diagnose", json=CASE).status_code


# POST /api/questions, /api/what-if, /api/how, /api/why-not ------------------------------------


def test_questions_are_those_the_consultation_asks(client: TestClient) -> None:
    body = client.post("/api/questions", json={"observations": CASE, "k": 5}).json()
    consultation = rd.Consultation(KB, observations=CASE)
    assert [q.observation for q in consultation.questions(5)] == [
        q["observation"] for q in body["questions"]]
    expected = consultation.next_question()
    assert (expected.observation if expected else None) == (
        body["next"]["observation"] if body["next"] else None)
    assert isinstance(body["settled"], bool)


def test_questions_leave_out_what_the_person_does_not_know(client: TestClient) -> None:
    first = client.post("/api/questions", json={"observations": CASE}).json()["next"]
    unknown = first["items"] or [first["observation"]]  # a checklist's items, or the one
    skipped = client.post("/api/questions", json={"observations": CASE,
                                                  "dont_know": unknown}).json()
    assert first["observation"] not in [q["observation"] for q in skipped["questions"]]
    assert skipped["next"] is None or first["observation"] != skipped["next"]["observation"]


@pytest.mark.parametrize("extra", [{"k": -1}, {"k": "3"}, {"k": 10_000}, {"dont_know": "x"},
                                   {"dont_know": ["no_such_observation"]}])
def test_bad_question_requests_are_422(client: TestClient, extra: dict[str, Any]) -> None:
    assert 422 == client.post("/api/questions",
                              json={"observations": CASE, **extra}).status_code


def test_what_if_gives_the_librarys_differences(client: TestClient) -> None:
    changes = {"posting_reposted": False, "days_to_rejection": None}
    body = client.post("/api/what-if", json={"observations": CASE, "changes": changes}).json()
    expected = KB.what_if(CASE, changes)
    assert [(c.id, c.before, c.after) for c in expected.differences] == [
        (d["id"], d["before"], d["after"]) for d in body["differences"]]
    assert (expected.after.top_cause.id if expected.after.top_cause else None) == \
        body["leading_after"]
    assert 422 == client.post("/api/what-if", json={"observations": CASE,
                                                    "changes": {"nope": True}}).status_code
    assert 422 == client.post("/api/what-if", json={"observations": CASE,
                                                    "changes": [1]}).status_code


def test_how_and_why_not_explain_a_cause(client: TestClient) -> None:
    dx = KB.diagnose(CASE)
    top = dx.ranked[0].id
    how = client.post("/api/how", json={"observations": CASE, "cause": top}).json()
    assert KB.how(dx, top).text() == how["text"]
    why_not = client.post("/api/why-not", json={"observations": CASE,
                                                "cause": "budget_constraints"}).json()
    assert KB.why_not(dx, "budget_constraints").text() == why_not["text"]


def test_an_unknown_cause_is_422(client: TestClient) -> None:
    response = client.post("/api/how", json={"observations": CASE, "cause": "fit_mismach"})
    assert 422 == response.status_code
    assert "unknown-cause" == error(response)["code"]
    assert 422 == client.post("/api/why-not", json={"observations": CASE}).status_code


# POST /api/validate ---------------------------------------------------------------------------


def test_validate_locates_every_problem_in_the_names_given(client: TestClient) -> None:
    bad = "observations:\n  - {id: x, type: boolean}\n"
    body = client.post("/api/validate", json={"files": {"mine.yaml": bad}}).json()
    assert (False, 2) == (body["valid"], body["errors"])
    assert {("mine.yaml", 2, 5)} == {(p["path"], p["line"], p["column"]) for p in body["problems"]}


def test_validate_checks_an_extension_with_the_served_rules(client: TestClient) -> None:
    extension = ("rules:\n  - id: r1\n    when: {posting_reposted: true}\n"
                 "    then: {cause: fit_mismatch, certainty: 0.3}\n    because: A test.\n")
    alone = client.post("/api/validate", json={"files": {"ext.yaml": extension}}).json()
    together = client.post("/api/validate", json={"files": {"ext.yaml": extension},
                                                  "with_served": True}).json()
    assert (False, True) == (alone["valid"], together["valid"])


@pytest.mark.parametrize("body", [{"files": {"../x.yaml": "a: 1"}}, {"files": {}},
                                  {"files": {"x.txt": ""}}, {"files": ["x.yaml"]},
                                  {"files": {"x.yaml": 1}},
                                  {"files": {"x.yaml": ""}, "with_served": "yes"},
                                  {"files": {f"f{i}.yaml": "" for i in range(21)}}])
def test_validate_refuses_bad_uploads(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/validate", json=body)
    assert 422 == response.status_code
    assert "bad-upload" == error(response)["code"]


# POST /api/read-story ------------------------------------------------------------------------


class _NoReader:
    """The bundled knowledge base as a version of the library without a story reader."""

    def __init__(self, kb: rd.KnowledgeBase) -> None:
        self._kb = kb

    def __getattr__(self, name: str) -> Any:
        if name == "read_story":
            raise AttributeError(name)
        return getattr(self._kb, name)


def test_read_story_is_501_without_a_reader() -> None:
    client = TestClient(create_app(_NoReader(KB)))  # type: ignore[arg-type]
    response = client.post("/api/read-story", json={"story": "They reposted the job."})
    assert 501 == response.status_code
    assert "no-story-reader" == error(response)["code"]
    assert "/api/diagnose" in error(response)["message"]


@pytest.mark.skipif(not hasattr(KB, "read_story"), reason="this version has no story reader")
def test_read_story_gives_the_readers_observations(client: TestClient) -> None:
    story = "Three weeks later I got a form email, and the job ad went back up."
    body = client.post("/api/read-story", json={"story": story}).json()
    assert dict(KB.read_story(story).observations) == body["observations"]
    assert 422 == client.post("/api/read-story", json={"story": 3}).status_code


# GET /api/vocabulary, /api/openapi.json ---------------------------------------------------------


def test_vocabulary_lists_observations_causes_and_a_case_schema(client: TestClient) -> None:
    body = client.get("/api/vocabulary").json()
    assert list(KB.observations) == [o["id"] for o in body["observations"]]
    assert list(KB.causes) == [c["id"] for c in body["causes"]]
    schema = body["case_schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(CASE, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"posting_reposted": "yes"}, schema)


def test_the_openapi_description_documents_every_api_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "3.1.0" == spec["openapi"]
    served = {r.path for r in api.routes(KB, 0.2)}
    assert served == set(spec["paths"])
    assert spec == openapi()
    for path, item in spec["paths"].items():
        for method in item:
            assert 405 != client.request(method.upper(), path, json={}).status_code


def test_api_errors_for_unknown_paths_and_methods_are_json(client: TestClient) -> None:
    assert "no-such-page" == error(client.get("/api/nope"))["code"]
    assert 405 == client.get("/api/diagnose").status_code
    assert "method-not-allowed" == error(client.get("/api/diagnose"))["code"]


# Headers, files, logs, concurrency ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/coach", "/api/vocabulary", "/static/app.js"])
def test_every_response_has_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "nosniff" == headers["x-content-type-options"]
    assert "no-referrer" == headers["referrer-policy"]
    assert "DENY" == headers["x-frame-options"]
    if not path.startswith("/static/"):
        assert "no-store" == headers["cache-control"]


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    answers = json.dumps([["posting_reposted", True], ["stated_reason", "generic"]])
    pages = [client.get("/").text, client.get("/coach").text,
             client.post("/ask", data={"answers": answers, "action": "result"}).text,
             client.post("/ask", data={"answers": "[]", "action": "start"}).text]
    for html in pages:
        assert [] == re.findall(r"<script(?![^>]*\bsrc=)", html)
        assert [] == re.findall(r"\sstyle=|\son[a-z]+=", html)


@pytest.mark.parametrize("path", ["/static/../pages.py", "/static/%2e%2e%2fpages.py",
                                  "/static/__init__.py", "/static/", "/static/style.css.map"])
def test_only_the_bundled_assets_are_served(client: TestClient, path: str) -> None:
    assert 404 == client.get(path).status_code


def test_the_assets_are_in_the_package() -> None:
    folder = Path(rd.__file__).parent / "web" / "static"
    assert {"app.js", "style.css"} <= {p.name for p in folder.iterdir()}
    script = (folder / "app.js").read_text()
    assert "http://" not in script and "https://" not in script  # nothing fetched from elsewhere


def test_what_a_person_types_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    from web_server import live_server

    secret = "my-very-private-story-words"
    caplog.set_level(logging.DEBUG)
    with live_server(KB) as url:
        httpx.post(f"{url}/api/diagnose", json={"observations": {secret: True}})
        httpx.post(f"{url}/api/read-story", json={"story": secret})
        httpx.post(f"{url}/ask", data={"answers": "[]", "action": "start", "story": secret})
        httpx.get(f"{url}/coach", params={"q": secret})
    # The test's own HTTP client logs its requests; the server's loggers must not.
    server = [r for r in caplog.records
              if r.name.split(".")[0] in ("uvicorn", "starlette", "rejection_diagnosis")]
    assert [] == [r.getMessage() for r in server if secret in r.getMessage()]
    assert [] == [r for r in server if r.name == "uvicorn.access"]


def test_concurrent_requests_give_the_sequential_answers() -> None:
    from web_server import live_server

    cases = [{}, CASE, {"posting_reposted": False, "hiring_freeze_announced": True},
             {"stated_reason": "internal_candidate"}, {"days_to_rejection": 2},
             {"interviewer_raised_concern": True, "stated_reason": "skill_gap"}] * 4
    with live_server(KB) as url, httpx.Client(base_url=url) as http:
        def ask(case: dict[str, Any]) -> tuple[Any, Any]:
            return (http.post("/api/diagnose", json=case).json(),
                    http.post("/api/questions", json={"observations": case}).json())

        sequential = [ask(c) for c in cases]
        with ThreadPoolExecutor(8) as pool:
            concurrent = list(pool.map(ask, cases))
    assert sequential == concurrent


def test_serve_without_the_web_extra_names_it(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from rejection_diagnosis.cli import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(SystemExit) as exit_:
        main(["serve"])
    assert 2 == exit_.value.code
    assert "pip install 'rejection-diagnosis[web]'" in capsys.readouterr().err


def test_a_loopback_server_answers_only_to_its_own_names() -> None:
    from rejection_diagnosis.web import LOOPBACK_HOSTS

    client = TestClient(create_app(KB, allowed_hosts=LOOPBACK_HOSTS))
    assert 400 == client.get("/", headers={"host": "rebound.example"}).status_code
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        assert 200 == client.get("/", headers={"host": host}).status_code


def test_serve_binds_loopback_by_default() -> None:
    from rejection_diagnosis.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert ("127.0.0.1", 8000) == (args.host, args.port)


# Properties ------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _value(obs: Any) -> st.SearchStrategy[Any]:
    if obs.type == "boolean":
        return st.booleans()
    if obs.type == "category":
        return st.sampled_from(obs.values)
    lo, hi = obs.range if obs.range else (0, 1000)
    return st.integers(int(lo), int(hi))


CASES = st.lists(st.sampled_from(list(KB.observations)), max_size=8, unique=True).flatmap(
    lambda ids: st.fixed_dictionaries({i: _value(KB.observations[i]) for i in ids}))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=CASES)
def test_any_valid_case_gets_the_librarys_diagnosis(client: TestClient, case: dict[str, Any]) -> None:
    body = client.post("/api/diagnose", json={"observations": case}).json()
    dx = KB.diagnose(case)
    assert [(c["id"], c["certainty"]) for c in dx.to_dict()["causes"]] == [
        (c["id"], c["certainty"]) for c in body["causes"]]
    assert [c.id for c in dx.ranked] == [c["id"] for c in body["ranked"]]
    assert all(c["strength"] in ("likely", "possible", "weak") for c in body["ranked"])
