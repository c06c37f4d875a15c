"""The word-vector featurizer (bot/nlu/word_vector_featurizer.py) with the real vectors, no model needed."""

from __future__ import annotations

from importlib import metadata

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import word_vector_featurizer as wvf
from bot.nlu.word_vector_featurizer import PACKAGE, WordVectorFeaturizer, load_word_vectors
from bot.training import model


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="module")
def vectors() -> wvf.WordVectors:
    return load_word_vectors()


@pytest.fixture(scope="module")
def featurizer() -> WordVectorFeaturizer:
    config = {**WordVectorFeaturizer.get_default_config()}
    context = ExecutionContext(GraphSchema({}), node_name="word_vectors")
    return WordVectorFeaturizer.create(config, None, None, context)


def tokens(*words: str) -> list[Token]:
    result, start = [], 0
    for word in words:
        result.append(Token(word, start))
        start += len(word)
    return result


def test_synonyms_are_nearer_than_unrelated_words(vectors):
    debt = vectors.token_vector("欠款")
    assert cosine(debt, vectors.token_vector("拖欠")) > cosine(debt, vectors.token_vector("设备")) + 0.2
    backing = vectors.token_vector("撑腰")
    assert cosine(backing, vectors.token_vector("后盾")) > cosine(backing, vectors.token_vector("设备"))


def test_unknown_compound_gets_the_mean_of_its_known_pieces(vectors):
    assert "担保费补贴" not in vectors
    assert vectors.pieces("担保费补贴") == ["担保", "费", "补贴"]
    expected = np.mean([vectors.vector(w) for w in ("担保", "费", "补贴")], axis=0)
    assert np.allclose(vectors.token_vector("担保费补贴"), expected)


@pytest.mark.parametrize("text", ["1.5%", "％", "qzxv", "🙂", ""])
def test_token_without_any_known_piece_gets_zeros(vectors, text):
    vector = vectors.token_vector(text)
    assert vector.shape == (vectors.dim,) and vector.dtype == np.float32
    assert not vector.any()


def test_features_have_one_row_per_token_and_a_mean_sentence_row(featurizer, vectors):
    message = Message({TEXT: "老板赖账1.5%怎么办"})
    message.set(TOKENS_NAMES[TEXT], tokens("老板", "赖账", "1.5%", "怎么办"))
    featurizer.process([message])

    sequence = message.get_dense_features(TEXT, [])[0]
    sentence = message.get_dense_features(TEXT, [])[1]
    assert sequence.type == FEATURE_TYPE_SEQUENCE and sentence.type == FEATURE_TYPE_SENTENCE
    assert sequence.features.shape == (4, vectors.dim)
    assert sentence.features.shape == (1, vectors.dim)
    assert np.allclose(sequence.features[0], vectors.vector("老板"))
    assert not sequence.features[2].any()  # "1.5%": no known piece
    # The sentence vector is the mean of the tokens that have a vector.
    known = sequence.features[[0, 1, 3]]
    assert np.allclose(sentence.features[0], known.mean(axis=0), atol=1e-6)


def test_message_of_unknown_tokens_only_does_not_crash(featurizer, vectors):
    message = Message({TEXT: "1.5% 2"})
    message.set(TOKENS_NAMES[TEXT], tokens("1.5%", "2"))
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT, [])
    assert sequence.features.shape == (2, vectors.dim) and sentence.features.shape == (1, vectors.dim)
    assert not sentence.features.any()


def test_training_data_is_featurized_and_untokenized_messages_are_left_alone(featurizer):
    tokenized = Message({TEXT: "撑腰"})
    tokenized.set(TOKENS_NAMES[TEXT], tokens("撑腰"))
    bare = Message({TEXT: "no tokens"})
    featurizer.process_training_data(TrainingData([tokenized, bare]))
    assert tokenized.features and not bare.features


def test_cache_built_from_the_package_equals_the_shared_cache(tmp_path, vectors):
    fresh = load_word_vectors(tmp_path)
    folder = tmp_path / f"{PACKAGE}-{metadata.version(PACKAGE)}"
    assert (folder / "vectors.npy").exists() and (folder / "vocab.txt").exists()
    assert fresh.index == vectors.index
    for word in ("欠款", "敲钟", "上市"):
        if word in fresh:
            assert np.array_equal(fresh.vector(word), vectors.vector(word))


def test_another_vectors_version_changes_both_fingerprints(monkeypatch):
    real_version = metadata.version
    before_model, before_component = model._package_versions(), WordVectorFeaturizer.fingerprint_addon({})

    def version(package: str) -> str:
        return "9.9.9" if package == PACKAGE else real_version(package)

    monkeypatch.setattr(metadata, "version", version)
    assert model._package_versions() != before_model
    assert WordVectorFeaturizer.fingerprint_addon({}) != before_component
    assert "9.9.9" in wvf.cache_folder("var/word_vectors").name
