"""Validate action-server answers with one pre-built JSON-schema validator.

Rasa 3.6 checks every action server answer with ``jsonschema.validate(result, schema)``, which
first re-validates the (large) schema against the JSON-schema metaschema, on every call. Profiling
``make bench`` showed that this alone took ~0.4 s per custom action on two busy cores, about two
thirds of a whole turn. ``install()`` makes ``RemoteAction._validate_action_result`` check the schema
once and reuse the validator: the same schema, the same error on an invalid answer.
"""

from __future__ import annotations

from typing import Any, Dict


def install() -> None:
    """Patch ``RemoteAction._validate_action_result`` in this process (idempotent)."""
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction._validate_action_result, "_prebuilt", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    validate_action_result._prebuilt = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
