"""One model per service type; each model class registers itself with `@model_for("<type>")` (base.py).

`load_models()` imports every module of this package (a new service's model file needs no import line
anywhere else) and checks that every registry type has a model.
"""
from __future__ import annotations

import importlib
import pkgutil


def load_models():
    """The registered model classes by type name, every registry type present (MissingAdapter otherwise)."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")
    from simulator.services.base import MODELS
    MODELS.check()
    return MODELS
