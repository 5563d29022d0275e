"""The candidate's and the coach's pages, rendered on the server (no browser needed)."""

from __future__ import annotations

import html
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")

from starlette.testclient import TestClient

import rejection_diagnosis as rd
from rejection_diagnosis.web import create_app

KB = rd.load_rules()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(KB))


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no field {name!r}"
    return html.unescape(found.group(1))


def ask(client: TestClient, page: str, **data: str) -> str:
    form = {"answers": field(page, "answers"), **data}
    if "observation" not in data and 'name="observation"' in page:
        form["observation"] = field(page, "observation")
    response = client.post("/ask", data=form)
    assert 200 == response.status_code
    return response.text


def start(client: TestClient) -> str:
    return client.post("/ask", data={"answers": "[]", "action": "start"}).text


def test_the_first_question_is_the_consultations(client: TestClient) -> None:
    page = start(client)
    expected = rd.Consultation(KB).next_question()
    assert expected is not None
    assert expected.observation == field(page, "observation")
    assert html.escape(expected.question, quote=True) in page


def test_answers_travel_in_the_page_and_back_undoes_the_last(client: TestClient) -> None:
    first = start(client)
    ident = field(first, "observation")
    data = {"items": field(first, "items")} if 'name="items"' in first else {}
    skipped = ask(client, first, action="dontknow", **data)
    (step,) = json.loads(field(skipped, "answers"))
    assert step in ([ident, None], ["@" + ident, dict.fromkeys(json.loads(data.get("items", "[]")))])
    again = ask(client, skipped, action="back")
    assert ident == field(again, "observation")
    assert [] == json.loads(field(again, "answers"))


def test_a_wrong_answer_is_said_next_to_the_question(client: TestClient) -> None:
    answers = json.dumps([])
    page = client.post("/ask", data={"answers": answers, "observation": "days_to_rejection",
                                     "answer": "three weeks"}).text
    assert 'role="alert"' in page
    assert "a number from" in page
    assert [] == json.loads(field(page, "answers"))


def test_the_result_shows_causes_evidence_advice_and_explanations(client: TestClient) -> None:
    case = {"posting_reposted": True, "interview_felt_great": True}
    page = client.post("/ask", data={"answers": json.dumps(list(map(list, case.items()))),
                                     "action": "result"}).text
    dx = KB.diagnose(case)
    top = dx.ranked[0]
    assert f'data-cause="{top.id}"' in page
    assert html.escape(top.title) in page
    assert {"likely": "Likely", "possible": "Possible", "weak": "Weak evidence"}[
        dx.strength(top)] in page
    assert html.escape(KB.observations["posting_reposted"].description) in page  # their words
    for advice in dx.coping + dx.next_steps:
        assert html.escape(advice.title) in page
    assert "How did we get there?" in page and "Why not more sure?" in page
    assert page.count('class="whynot"') >= len(KB.causes)
    assert 'class="whatif"' in page


def test_no_evidence_shows_the_base_rates(client: TestClient) -> None:
    page = client.post("/ask", data={"answers": "[]", "action": "result"}).text
    dx = KB.diagnose({})
    assert dx.base_rates
    assert html.escape(dx.base_rates[0].title) in page


def test_a_short_answer_names_the_common_causes_as_common(client: TestClient) -> None:
    answers = json.dumps([["told_close_second", True]])
    page = client.post("/ask", data={"answers": answers, "action": "result"}).text
    dx = KB.diagnose({"told_close_second": True})
    assert 0 < len(dx.ranked) < 3 and dx.also_common
    assert "Also common in stories like these" in page
    listed = page[page.index('class="also-common"'):]
    for b in dx.also_common:
        assert html.escape(b.title) in listed


def test_what_if_without_javascript_shows_what_moves(client: TestClient) -> None:
    answers = json.dumps([["posting_reposted", True], ["interview_felt_great", True]])
    page = client.post("/whatif", data={"answers": answers, "flip": "posting_reposted"}).text
    assert "What would change" in page
    change = KB.what_if({"posting_reposted": True, "interview_felt_great": True},
                        {"posting_reposted": False})
    assert html.escape(change.differences[0].title) in page


@pytest.mark.parametrize("answers", ["not json", "{}", json.dumps([["x"]]),
                                     json.dumps([["no_such_observation", True]]),
                                     json.dumps([["posting_reposted", "yes"]]),
                                     json.dumps([["a", 1]] * 1000),
                                     json.dumps([["posting_reposted", True],
                                                 ["#story", {"days_to_rejection": 3}]]),
                                     json.dumps([["#story", [1]]]),
                                     json.dumps([["@interview_signs", "x"]])])
def test_a_damaged_page_starts_over(client: TestClient, answers: str) -> None:
    response = client.post("/ask", data={"answers": answers, "action": "start"})
    assert 400 == response.status_code
    assert "start again" in response.text


def test_every_control_is_labelled(client: TestClient) -> None:
    answers = json.dumps([["posting_reposted", True], ["stated_reason", "generic"]])
    pages = [client.get("/").text, client.get("/coach").text, start(client),
             client.post("/ask", data={"answers": answers, "action": "result"}).text,
             client.post("/ask", data={"answers": "[]", "observation": "days_to_rejection",
                                       "action": "dontknow"}).text]
    for page in pages:
        assert '<html lang="en">' in page
        assert 'name="viewport"' in page
        labels = set(re.findall(r'<label for="([^"]+)"', page))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
            if 'type="hidden"' in tag:
                continue
            ident = re.search(r'id="([^"]+)"', tag)
            assert ident and ident.group(1) in labels, tag


class _Reader:
    """A knowledge base with a stand-in story reader (the real one is issue 12's)."""

    def __init__(self, kb: rd.KnowledgeBase) -> None:
        self._kb = kb

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kb, name)

    def read_story(self, text: str) -> Any:
        from types import SimpleNamespace as NS

        items = [NS(id="posting_reposted", value=True, certainty=1.0,
                    spans=(NS(text="the ad went back up"),)),
                 NS(id="days_to_rejection", value=21.0, certainty=0.9, spans=())]
        return NS(refusal="", items=items, conflicts=(),
                  observations={"posting_reposted": True,
                                "days_to_rejection": {"value": 21.0, "certainty": 0.9}})


def test_a_story_is_shown_as_understood_and_can_be_corrected() -> None:
    client = TestClient(create_app(_Reader(KB)))  # type: ignore[arg-type]
    assert 'id="story"' in client.get("/").text
    page = client.post("/read", data={"story": "Three weeks, then the ad went back up."}).text
    assert "What we understood" in page
    assert "the ad went back up" in page
    assert 'name="read:days_to_rejection" value="21"' in page
    corrected = client.post("/ask", data={
        "answers": "[]", "understood": "1", "action": "start",
        "value:posting_reposted": "false", "certainty:posting_reposted": "0.8",
        "read:posting_reposted": "true",
        "value:days_to_rejection": "21", "certainty:days_to_rejection": "0.9",
        "read:days_to_rejection": "21"}).text
    # A corrected answer is what the person knows (certainty 1); a kept one keeps its hedge.
    assert [["#story", {"posting_reposted": False,
                        "days_to_rejection": {"value": 21.0, "certainty": 0.9}}]] == json.loads(
        field(corrected, "answers"))
    assert "Question 1<" in corrected  # what the story told is not counted as questions asked
    left_out = client.post("/ask", data={"answers": "[]", "understood": "1", "action": "start",
                                         "value:posting_reposted": ""}).text
    assert [] == json.loads(field(left_out, "answers"))


def test_without_a_reader_the_page_offers_the_questions_only() -> None:
    class NoReader(_Reader):
        read_story = None  # type: ignore[assignment]

    client = TestClient(create_app(NoReader(KB)))  # type: ignore[arg-type]
    assert 'id="story"' not in client.get("/").text
    assert 501 == client.post("/read", data={"story": "x"}).status_code


# The coach's page -------------------------------------------------------------------------------


def test_the_coach_page_lists_and_searches_the_knowledge_base(client: TestClient) -> None:
    everything = client.get("/coach").text
    for rule in KB.rules[:5]:
        assert f"<code>{html.escape(rule.id)}</code>" in everything
        assert html.escape(rule.because) in everything
    found = client.get("/coach", params={"q": "freeze"}).text
    rows = re.findall(r'<tr class="item">', found)
    assert 0 < len(rows) < len(re.findall(r'<tr class="item">', everything))
    assert "hiring_freeze_announced" in found


GOOD = (Path(__file__).parent.parent / "examples" / "custom_rules")


def upload(client: TestClient, files: list[tuple[str, bytes]], **data: str) -> Any:
    return client.post("/coach/validate", data=data,
                       files=[("rules", (name, content)) for name, content in files])


def test_an_uploaded_rule_set_is_checked_with_located_problems(client: TestClient) -> None:
    bad = b"observations:\n  - {id: x, type: boolean}\n"
    page = upload(client, [("bad.yaml", bad)]).text
    assert "bad.yaml:2:5" in page
    assert "missing &#x27;description:&#x27;" in page


def test_an_extension_is_checked_with_the_served_rules(client: TestClient) -> None:
    extension = (b"rules:\n  - id: r1\n    when: {posting_reposted: true}\n"
                 b"    then: {cause: fit_mismatch, certainty: 0.3}\n    because: A test.\n")
    alone = upload(client, [("ext.yaml", extension)]).text
    together = upload(client, [("ext.yaml", extension)], with_served="1").text
    assert "posting_reposted" in alone and "error" in alone
    assert "0 errors" in together or "No problems found" in together


def test_the_examples_rule_set_passes(client: TestClient) -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(GOOD.glob("*.yaml"))]
    assert files
    page = upload(client, files, with_served="1").text  # an extension of the bundled rules
    assert "No problems found" in page or " 0 errors" in page


@pytest.mark.parametrize("name", ["../evil.yaml", "notes.txt", ".hidden.yaml", "a b.yaml"])
def test_upload_names_cannot_point_anywhere(client: TestClient, name: str) -> None:
    response = upload(client, [(name, b"rules: []\n")])
    if name == "../evil.yaml":  # reduced to its plain name, checked in the private folder
        assert 200 == response.status_code
        assert not Path("evil.yaml").exists()
    else:
        assert 422 == response.status_code


def test_uploads_are_checked_in_a_folder_that_is_deleted(client: TestClient,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    original = tempfile.TemporaryDirectory

    def recording(*args: Any, **kwargs: Any) -> Any:
        folder = original(*args, **kwargs)
        made.append(folder.name)
        return folder

    monkeypatch.setattr(tempfile, "TemporaryDirectory", recording)
    upload(client, [("one.yaml", b"rules: []\n")])
    assert 1 == len(made)
    assert not Path(made[0]).exists()


def test_an_oversized_upload_is_413(client: TestClient) -> None:
    from rejection_diagnosis.web import MAX_UPLOAD

    assert 413 == upload(client, [("big.yaml", b"#" * (MAX_UPLOAD + 1))]).status_code


@pytest.mark.skipif(not getattr(KB, "checklists", None), reason="this version has no checklists")
def test_a_checklist_is_answered_in_one_step_and_undone_by_back(client: TestClient) -> None:
    page = start(client)
    for _ in range(40):  # until the consultation asks a checklist
        if 'name="items"' in page:
            break
        page = ask(client, page, action="dontknow")
    else:
        pytest.skip("the consultation asked no checklist")
    checklist = field(page, "observation")
    items = json.loads(field(page, "items"))
    before = json.loads(field(page, "answers"))
    ticked = ask(client, page, action="checklist", items=json.dumps(items), tick=items[0])
    step = json.loads(field(ticked, "answers"))[-1]
    assert "@" + checklist == step[0]
    assert True is step[1][items[0]]
    assert set(items) == set(step[1])
    back = ask(client, ticked, action="back")
    assert (checklist, before) == (field(back, "observation"), json.loads(field(back, "answers")))
