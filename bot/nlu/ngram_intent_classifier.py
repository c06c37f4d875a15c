"""A second intent classifier over words and character n-grams, blended with DIET's ranking.

DIET learns dense representations and is sure of itself on questions close to its training data,
unsure (and below the fallback threshold) on many everyday paraphrases whose right measure it still
ranks first. A linear model over TF-IDF weighted words and character n-grams (logistic regression)
errs elsewhere: it keys on the exact words a caller shares with the training examples. Averaging
the two readings (``weight`` × DIET + (1 − ``weight``) × this model, per intent) lifts the right
measure above the threshold more often than a wrong one: on the eight held-out sets of
docs/nlu-quality.md it answered more measure questions right and rejected more out-of-scope ones
than DIET alone (numbers there).

Place it after DIETClassifier and before FallbackClassifier: it replaces the message's ``intent``
and ``intent_ranking`` with the blended ones, so the fallback threshold applies to the blend.

The fitted model is stored as plain arrays (``ngram_intents.npz``: idf, coefficients, intercepts)
and JSON (vocabulary, intent names), nothing pickled; prediction is the same TF-IDF transform
(sublinear term frequency × idf, L2 norm) and softmax that scikit-learn applies.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any, Dict, List, Sequence

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

ARRAYS_FILE = "ngram_intents.npz"
LABELS_FILE = "ngram_intents.json"


def message_features(text: str, words: Sequence[str], min_n: int, max_n: int) -> List[str]:
    """The message's words (``w:``) and its character n-grams (``c:``, with ^ and $ at the ends)."""
    features = [f"w:{word.lower()}" for word in words if word.strip()]
    padded = f"^{text.lower()}$"
    for n in range(min_n, max_n + 1):
        features.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return features


class NgramModel:
    """The fitted arrays and the prediction: intent name → probability."""

    def __init__(
        self,
        vocabulary: Dict[str, int],
        idf: np.ndarray,
        coefficients: np.ndarray,
        intercepts: np.ndarray,
        labels: List[str],
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.labels = labels

    @classmethod
    def fit(cls, documents: List[List[str]], labels: List[str], c: float, min_df: int) -> NgramModel:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = TfidfVectorizer(analyzer=lambda features: features, sublinear_tf=True, min_df=min_df)
        matrix = vectorizer.fit_transform(documents)
        classifier = LogisticRegression(C=c, max_iter=5000).fit(matrix, labels)
        coefficients = classifier.coef_
        intercepts = classifier.intercept_
        if len(classifier.classes_) == 2:  # a binary model keeps one row: the second class's
            coefficients = np.vstack([-coefficients, coefficients]) / 2
            intercepts = np.array([-intercepts[0], intercepts[0]]) / 2
        return cls(
            {feature: int(index) for feature, index in vectorizer.vocabulary_.items()},
            vectorizer.idf_.astype(np.float64),
            coefficients.astype(np.float32),
            intercepts.astype(np.float64),
            [str(label) for label in classifier.classes_],
        )

    def probabilities(self, features: Sequence[str]) -> Dict[str, float]:
        counts: Dict[int, int] = {}
        for feature in features:
            index = self.vocabulary.get(feature)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        scores = self.intercepts.copy()
        if counts:
            indexes = np.fromiter(counts, dtype=np.int64)
            weights = np.array([1.0 + math.log(counts[index]) for index in counts]) * self.idf[indexes]
            weights /= np.linalg.norm(weights)
            scores += self.coefficients[:, indexes].astype(np.float64) @ weights
        scores -= scores.max()
        exponentials = np.exp(scores)
        probabilities = exponentials / exponentials.sum()
        return {label: float(p) for label, p in zip(self.labels, probabilities, strict=True)}


def blend_rankings(
    classifier_ranking: Sequence[Dict[str, Any]], probabilities: Dict[str, float], weight: float
) -> List[Dict[str, Any]]:
    """Per intent ``weight`` × the classifier's confidence + (1 − ``weight``) × the n-gram model's
    probability, best first. Without a classifier ranking the n-gram model alone decides."""
    if not classifier_ranking:
        weight = 0.0
    first = {item[INTENT_NAME_KEY]: float(item.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for item in classifier_ranking}
    names = list(dict.fromkeys([*first, *probabilities]))
    blended = [
        {
            INTENT_NAME_KEY: name,
            PREDICTED_CONFIDENCE_KEY: weight * first.get(name, 0.0) + (1 - weight) * probabilities.get(name, 0.0),
        }
        for name in names
    ]
    return sorted(blended, key=lambda item: -item[PREDICTED_CONFIDENCE_KEY])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NgramIntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression over TF-IDF words and character n-grams, blended with the intent ranking
    of the classifier before it (DIET)."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # The share of the classifier before this one in the blended confidence.
            "weight": 0.5,
            # Inverse regularisation strength of the logistic regression.
            "C": 30.0,
            "min_ngram": 1,
            "max_ngram": 3,
            # A feature seen in fewer training examples is left out.
            "min_df": 1,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn"]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: NgramModel | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NgramIntentClassifier:
        return cls(config, model_storage, resource)

    def _features(self, message: Message) -> List[str]:
        words = [token.text for token in message.get(TOKENS_NAMES[TEXT], [])]
        return message_features(message.get(TEXT) or "", words, self._config["min_ngram"], self._config["max_ngram"])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [message for message in training_data.intent_examples if message.get(TEXT)]
        labels = [message.get(INTENT) for message in examples]
        if len(set(labels)) < 2:
            logger.warning(
                "NgramIntentClassifier needs at least two intents to train; it will leave rankings as they are."
            )
            return self._resource
        self._model = NgramModel.fit(
            [self._features(message) for message in examples],
            labels,
            float(self._config["C"]),
            int(self._config["min_df"]),
        )
        logger.info(
            f"NgramIntentClassifier: {len(examples)} examples, {len(self._model.labels)} intents, "
            f"{len(self._model.vocabulary)} features."
        )
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        for message in messages:
            if not message.get(TEXT):
                continue
            ranking = blend_rankings(
                message.get(INTENT_RANKING_KEY) or [],
                self._model.probabilities(self._features(message)),
                float(self._config["weight"]),
            )
            ranking = ranking[: int(self._config["ranking_length"])]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        if self._model is None:
            return
        model = self._model
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / ARRAYS_FILE, idf=model.idf, coefficients=model.coefficients, intercepts=model.intercepts
            )
            vocabulary = sorted(model.vocabulary, key=model.vocabulary.get)
            (directory / LABELS_FILE).write_text(
                json.dumps({"labels": model.labels, "vocabulary": vocabulary}, ensure_ascii=False), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NgramIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / ARRAYS_FILE, allow_pickle=False)
                names = json.loads((directory / LABELS_FILE).read_text(encoding="utf-8"))
                model = NgramModel(
                    {feature: index for index, feature in enumerate(names["vocabulary"])},
                    arrays["idf"],
                    arrays["coefficients"],
                    arrays["intercepts"],
                    names["labels"],
                )
        except (ValueError, FileNotFoundError):
            logger.debug(f"NgramIntentClassifier: no trained model in {resource.name}; rankings stay as they are.")
            model = None
        return cls(config, model_storage, resource, model)
