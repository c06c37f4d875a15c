"""The model gate (bot/training/gate.py) and the switch without downtime (model_switch.py).

The numbers the gate compares are unit-tested below. The end-to-end test is real and small: a real
``rasa train`` of a cut-down copy of the project (two measures' examples, the rest of data/ as it
is, DIET and the response selector at 5 epochs) so that a training takes minutes, not a quarter
of an hour, and a real quality set of five questions. It serves that model, then:
1. a bad correction (the examples of 第13条 relabelled as 第10条's intent, as a maintainer who
   marks a batch with the wrong measure would) is trained, scored against the serving model,
   refused with the numbers that fell, and the serving model stays. Deleting the examples is not
   enough to make it worse: the fallback's knowledge search still finds 第13条 by its name;
2. a good one (a new example confirmed in the review inbox) passes and replaces the serving model
   while a user keeps chatting: every one of their turns is answered.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.training.gate import Check, compare
from tests.support.review_workspace import MAINTAINER, MAINTAINER_TOKEN, make_workspace

KEPT_MEASURES = ("huishang_service_card.yml", "fiscal_funds_and_guarantee.yml")
QUALITY_SET = {
    "questions": [
        {"q": "徽商服务卡有什么用", "expect": [13], "style": "direct"},
        {"q": "徽商服务卡谁能办", "expect": [13], "style": "direct"},
        {"q": "徽商服务卡怎么申请", "expect": [13], "style": "direct"},
        {"q": "今天天气怎么样", "expect": [], "style": "oos"},
        {"q": "你会唱歌吗", "expect": [], "style": "oos"},
    ]
}


def test_a_candidate_passes_only_when_no_number_falls() -> None:
    serving = {"heldout": {"clause_accuracy": 0.96, "out_of_scope_rejection": 0.95}}
    floors = {"clause_accuracy": 0.94, "out_of_scope_rejection": 0.94}
    better = {"heldout": {"clause_accuracy": 0.97, "out_of_scope_rejection": 0.95}}
    assert all(check.ok for check in compare(better, serving, floors))
    worse = {"heldout": {"clause_accuracy": 0.955, "out_of_scope_rejection": 0.97}}
    fell = [check for check in compare(worse, serving, floors) if not check.ok]
    assert fell == [Check("heldout.clause_accuracy", 0.955, 0.96, "serving model")]
    below_floor = {"heldout": {"clause_accuracy": 0.93, "out_of_scope_rejection": 0.95}}
    names = {(c.name, c.against) for c in compare(below_floor, {}, floors) if not c.ok}
    assert names == {("heldout.clause_accuracy", "quality_floor.yml")}
    # A tolerance lets a number dip that far below the serving model's, no further.
    assert all(c.ok for c in compare(worse, serving, floors, tolerance=0.01))


def _call(url: str, path: str, body: Any = None) -> Dict[str, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {MAINTAINER_TOKEN}"}
    request = urllib.request.Request(f"{url}/review/api{path}", data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


def _wait_for_gate(url: str, timeout_s: float = 1800) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: List[str] = []
    while time.monotonic() < deadline:
        status = _call(url, "/retrain")
        seen.append(f"{status['state']} {status.get('progress')}")
        if not status["running"] and status["state"] in ("switched", "refused", "failed"):
            return status
        time.sleep(3)
    raise AssertionError(f"the gate did not finish: {seen[-5:]}")


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory, knowledge_db: str) -> Dict[str, Path]:
    from bot.training.gate import train_candidate

    root = make_workspace(tmp_path_factory.mktemp("gate") / "project")
    for path in (root / "data" / "nlu" / "measures").glob("*.yml"):
        if path.name not in KEPT_MEASURES:
            path.unlink()
    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if "epochs" in component:
            component["epochs"] = 5
    fast = root / "fast-config.yml"
    fast.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    quality = root / "quality-set.yml"
    quality.write_text(yaml.safe_dump(QUALITY_SET, allow_unicode=True), encoding="utf-8")
    floor = root / "floor.yml"
    floor.write_text(yaml.safe_dump({"heldout": {"clause_accuracy": 0.5, "out_of_scope_rejection": 0.5}}))
    serving = train_candidate(root, fast, root / "models", lambda fraction, step: None)
    return {"root": root, "config": fast, "quality": quality, "floor": floor, "serving": serving}


@pytest.mark.server
def test_a_bad_correction_is_refused_and_a_good_one_replaces_the_model_while_users_chat(
    small_project: Dict[str, Path], tmp_path: Path
) -> None:
    from bot.processes.servers import start_private_stack
    from tools.assistant_client import AssistantClient

    root = small_project["root"]
    env = {
        "REVIEW_WORKSPACE": str(root), "MAINTAINER_TOKENS": f"{MAINTAINER}:{MAINTAINER_TOKEN}",
        "GATE_CONFIG": str(small_project["config"]), "GATE_SETS": f"heldout={small_project['quality']}",
        "GATE_FLOOR": str(small_project["floor"]), "GATE_TOLERANCE": "0",
    }  # fmt: skip
    stack = start_private_stack(small_project["serving"], tmp_path, extra_env=env)
    try:
        url = stack.rasa_url
        serving = small_project["serving"].name
        assert _call(url, "/retrain")["serving_now"] == serving

        # 1. A bad correction: 第13条's examples marked as 第10条. Trained, scored, refused; nothing switches.
        measure_file = root / "data" / "nlu" / "measures" / "huishang_service_card.yml"
        kept = measure_file.read_bytes()
        mislabelled = kept.decode("utf-8").replace(
            "intent: measure_huishang_service_card", "intent: measure_fiscal_funds_and_guarantee"
        )
        assert mislabelled != kept.decode("utf-8")
        measure_file.write_text(mislabelled, encoding="utf-8")
        _call(url, "/retrain", {})
        refused = _wait_for_gate(url)
        assert refused["state"] == "refused", refused
        assert any(check["name"] == "heldout.clause_accuracy" for check in refused["fell"]), refused["fell"]
        assert refused["serving_now"] == serving
        assert _call(url, "/switches")["switches"] == []
        measure_file.write_bytes(kept)

        # 2. A good correction from the review inbox: it passes and replaces the model mid-chat.
        text = "那张给企业家的服务卡有啥好处"
        written = _call(url, "/decisions", {"text": text, "kind": "measure", "measure": "huishang_service_card"})
        assert written["written"]["by"] == MAINTAINER
        client = AssistantClient(url)
        failures: List[str] = []
        answered = []
        stop = threading.Event()

        def chat() -> None:
            sender = client.new_sender()
            while not stop.is_set():
                try:
                    reply = client.ask(sender, "徽商服务卡有什么用", timeout=120)
                    answered.append(bool(reply.messages))
                    if not reply.messages:
                        failures.append("an empty reply")
                except (urllib.error.URLError, OSError) as error:
                    failures.append(repr(error))

        _call(url, "/retrain", {})
        chatter = threading.Thread(target=chat)
        chatter.start()
        try:
            switched = _wait_for_gate(url)
        finally:
            stop.set()
            chatter.join(timeout=180)
        assert switched["state"] == "switched", switched
        assert switched["serving_now"] == Path(switched["candidate"]).name != serving
        assert failures == [] and len(answered) >= 3
        [entry] = _call(url, "/switches")["switches"]
        assert entry["replaced"] == serving and entry["by"] == MAINTAINER
        assert entry["scores"]["heldout"]["clause_accuracy"] >= entry["replaced_scores"]["heldout"]["clause_accuracy"]
        # The new model answers.
        assert client.ask(client.new_sender(), "徽商服务卡有什么用").card["citations"] == [13]
    finally:
        stack.stop()
        shutil.rmtree(root / "models" / "candidates", ignore_errors=True)
