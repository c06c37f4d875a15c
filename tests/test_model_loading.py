"""bot/rasa_server/model_loading.py loads exactly the trained weights Rasa's own loader loads.

Rasa catches a failed TensorFlow load and carries on with an *untrained* TEDPolicy, so "the server
starts" proves nothing: this loads the trained model both ways, in a fresh process (the patch is
process-wide), and compares every variable of every TensorFlow model, bit for bit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from bot.paths import PROJECT_DIR

SCRIPT = r"""
import hashlib, json, sys
from rasa.utils.tensorflow import models

def load_all(model_path):
    loaded = []
    load = models.RasaModel.load.__func__
    def recording(cls, *args, **kwargs):
        model = load(cls, *args, **kwargs)
        loaded.append((cls.__name__, sorted(
            (v.name, str(v.shape), hashlib.sha1(v.numpy().tobytes()).hexdigest()) for v in model.variables)))
        return model
    models.RasaModel.load = classmethod(recording)
    from rasa.core.agent import Agent
    agent = Agent.load(model_path)
    models.RasaModel.load = classmethod(load)
    return agent, loaded

_, rasa_way = load_all(sys.argv[1])
from bot.rasa_server import model_loading
model_loading.install()
agent, fast_way = load_all(sys.argv[1])
print(json.dumps({"rasa": rasa_way, "fast": fast_way}))
"""


TENSORFLOW_MODELS = {"DIETClassifier": "DIET", "ResponseSelector": "DIET2BOW", "TEDPolicy": "TED"}


def tensorflow_models_in_config() -> list[str]:
    config = yaml.safe_load((PROJECT_DIR / "config.yml").read_text(encoding="utf-8"))
    components = [item["name"] for item in config["pipeline"] + config["policies"]]
    models = sorted(TENSORFLOW_MODELS[name] for name in components if name in TENSORFLOW_MODELS)
    assert models, "config.yml has no TensorFlow model: nothing for bot/rasa_server/model_loading.py to do"
    return models


def test_fast_load_gives_the_same_weights_as_rasas_load(trained_model: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(trained_model)], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    names = [name for name, _ in loaded["rasa"]]
    # Every TensorFlow model of config.yml (DIET for intents, DIET2BOW for the ResponseSelector, TED
    # if the policies have it) loaded both ways, none left untrained.
    assert sorted(names) == sorted(name for name, _ in loaded["fast"]) == tensorflow_models_in_config()
    for (name, rasa_variables), (_, fast_variables) in zip(sorted(loaded["rasa"]), sorted(loaded["fast"]), strict=True):
        assert rasa_variables and fast_variables == rasa_variables, name
