"""The n-gram intent classifier blended with DIET's ranking (bot/nlu/ngram_intent_classifier.py),
trained on a small corpus, stored and loaded through Rasa's model storage; no Rasa model needed."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.ngram_intent_classifier import NgramIntentClassifier, NgramModel, blend_rankings, message_features

CORPUS = {
    "measure_technology_upgrade": ["技改补贴", "换新设备有补助吗", "生产线改造政府给钱吗", "买机器能贴息吗"],
    "measure_burden_reduction": ["客户欠款不还", "大企业拖欠货款", "乱收费去哪举报", "尾款一直不给"],
    "out_of_scope": ["明天天气怎么样", "讲个笑话", "个人所得税怎么算", "附近有什么好吃的"],
}


def message(text: str, intent: str | None = None) -> Message:
    data = {TEXT: text, **({INTENT: intent} if intent else {})}
    result = Message(data=data)
    # One token per character is enough here: the words feed the model like the n-grams do.
    result.set(TOKENS_NAMES[TEXT], [Token(char, index) for index, char in enumerate(text)])
    return result


@pytest.fixture()
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage, **config) -> NgramIntentClassifier:
    context = ExecutionContext(GraphSchema({}), node_name="ngram")
    classifier = NgramIntentClassifier.create(
        {**NgramIntentClassifier.get_default_config(), **config}, storage, Resource("ngram"), context
    )
    examples = [message(text, intent) for intent, texts in CORPUS.items() for text in texts]
    classifier.train(TrainingData(training_examples=examples))
    return classifier


def diet_ranking(**confidences: float) -> list[dict]:
    return [{"name": name, "confidence": value} for name, value in confidences.items()]


def test_features_are_words_and_padded_character_ngrams():
    assert message_features("技改", ["技改"], 1, 2) == [
        "w:技改",
        "c:^",
        "c:技",
        "c:改",
        "c:$",
        "c:^技",
        "c:技改",
        "c:改$",
    ]


def test_probabilities_are_scikit_learns():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    documents = [message_features(text, list(text), 1, 3) for texts in CORPUS.values() for text in texts]
    labels = [intent for intent, texts in CORPUS.items() for _ in texts]
    model = NgramModel.fit(documents, labels, c=30.0, min_df=1)
    vectorizer = TfidfVectorizer(analyzer=lambda features: features, sublinear_tf=True)
    reference = LogisticRegression(C=30.0, max_iter=5000).fit(vectorizer.fit_transform(documents), labels)
    for text in ["我们厂换设备有钱吗", "货款拖了一年", "今天下雨吗", "完全没见过的话"]:
        features = message_features(text, list(text), 1, 3)
        expected = reference.predict_proba(vectorizer.transform([features]))[0]
        ours = model.probabilities(features)
        assert [ours[label] for label in reference.classes_] == pytest.approx(list(expected), abs=1e-5)


def test_two_intents_give_the_same_probabilities_as_a_binary_model():
    documents = [message_features(text, [], 1, 2) for text in ["技改补贴", "换设备", "天气", "笑话"]]
    model = NgramModel.fit(documents, ["a", "a", "b", "b"], c=10.0, min_df=1)
    probabilities = model.probabilities(message_features("技改", [], 1, 2))
    assert probabilities["a"] > 0.5 > probabilities["b"]
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_blend_weighs_both_readings_and_covers_the_intents_of_either():
    blended = blend_rankings(diet_ranking(a=0.5, b=0.3), {"b": 0.9, "c": 0.1}, weight=0.5)
    assert [item["name"] for item in blended] == ["b", "a", "c"]
    assert [item["confidence"] for item in blended] == pytest.approx([0.6, 0.25, 0.05])


def test_without_a_classifier_ranking_the_ngram_model_decides():
    blended = blend_rankings([], {"b": 0.7, "c": 0.3}, weight=0.5)
    assert blended[0] == {"name": "b", "confidence": pytest.approx(0.7)}


def test_an_unsure_diet_is_lifted_when_the_ngram_model_agrees_and_corrected_when_it_is_sure(storage):
    classifier = trained(storage)
    unsure = message("我们厂想换设备，有补助吗")
    unsure.set(INTENT_RANKING_KEY, diet_ranking(measure_technology_upgrade=0.45, measure_burden_reduction=0.35))
    wrong = message("客户的尾款拖欠一年不给")
    wrong.set(
        INTENT_RANKING_KEY,
        diet_ranking(measure_technology_upgrade=0.55, measure_burden_reduction=0.4, out_of_scope=0.05),
    )
    classifier.process([unsure, wrong])
    assert unsure.get(INTENT)["name"] == "measure_technology_upgrade"
    assert unsure.get(INTENT)["confidence"] > 0.45
    assert wrong.get(INTENT)["name"] == "measure_burden_reduction"
    assert wrong.get(INTENT_RANKING_KEY)[0] == wrong.get(INTENT)
    assert sum(item["confidence"] for item in wrong.get(INTENT_RANKING_KEY)) == pytest.approx(1.0)


def test_stored_and_loaded_model_ranks_like_the_trained_one(storage):
    classifier = trained(storage, weight=0.0)
    context = ExecutionContext(GraphSchema({}), node_name="ngram")
    loaded = NgramIntentClassifier.load(
        {**NgramIntentClassifier.get_default_config(), "weight": 0.0}, storage, Resource("ngram"), context
    )
    first, second = message("讲个笑话吧"), message("讲个笑话吧")
    classifier.process([first])
    loaded.process([second])
    assert first.get(INTENT)["name"] == second.get(INTENT)["name"] == "out_of_scope"
    assert np.allclose(
        [item["confidence"] for item in first.get(INTENT_RANKING_KEY)],
        [item["confidence"] for item in second.get(INTENT_RANKING_KEY)],
    )


def test_an_untrained_component_and_an_empty_message_leave_the_message_alone(storage):
    context = ExecutionContext(GraphSchema({}), node_name="ngram")
    untrained = NgramIntentClassifier.load(
        NgramIntentClassifier.get_default_config(), storage, Resource("missing"), context
    )
    ranked = message("技改补贴")
    ranked.set(INTENT, {"name": "measure_technology_upgrade", "confidence": 0.9})
    untrained.process([ranked])
    assert ranked.get(INTENT)["confidence"] == 0.9
    empty = Message(data={TEXT: ""})
    trained(storage).process([empty])
    assert empty.get(INTENT) is None
