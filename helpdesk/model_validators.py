"""Checks a model's ``clean()`` runs that live above the models.

What an automation rule may say is the automation's vocabulary (``chat/automation/rules.py``,
which judges and acts through the services), and which fields a pre-chat form may ask for is
the pre-chat's (``chat/prechat/services.py``, which reads the attribute definitions). Both
import the models, so the models cannot import them: the app that owns the check registers it
here from its ``ready()`` (``chat/listeners.py``), and the model's ``clean()`` calls
``model_validate(self)``, so the admin and ``full_clean()`` check exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ModelValidator = Callable[[Any], None]

_validators: list[tuple[type, ModelValidator]] = []


def model_validator_register(model: type, validator: ModelValidator) -> None:
    """``validator(instance)`` runs in ``model.clean()`` and raises ``ValidationError`` for a
    wrong instance. Registering one twice changes nothing."""
    if (model, validator) not in _validators:
        _validators.append((model, validator))


def model_validators() -> list[ModelValidator]:
    """Every registered validator, in order (docs/architecture.md lists them)."""
    return [validator for _model, validator in _validators]


def model_validate(instance: Any) -> None:
    """Run the validators registered for ``instance``'s model, in order."""
    for model, validator in _validators:
        if type(instance) is model:
            validator(instance)
