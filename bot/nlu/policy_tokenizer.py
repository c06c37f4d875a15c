"""JiebaTokenizer whose training fingerprint includes the generated policy dictionary.

Rasa's own JiebaTokenizer copies its dictionary into the model but fingerprints only its
config, so a changed dictionary (a new alias in knowledge/) would reuse a cached tokenizer with
the old words. Hashing the dictionary files into the fingerprint makes Rasa retrain it.

jieba also returns every space as a token of its own ("tell me a joke" → 7 tokens); those carry
nothing and are dropped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class PolicyJiebaTokenizer(JiebaTokenizer):
    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        path = config.get("dictionary_path")
        if not path:
            return None
        digest = hashlib.sha256()
        for file in sorted(Path(path).glob("*")):
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
        return digest.hexdigest()

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        return [token for token in tokens if token.text.strip()] or tokens
