"""Follow the money and the parcels: payments, couriers, seizures, AML typologies, risk, alerts, SAR drafts.

>>> from wildtrace.money import open_frame, run_typologies     # doctest: +SKIP
>>> hits = run_typologies(open_frame(store))                    # doctest: +SKIP
"""

from __future__ import annotations

from wildtrace.money import _typologies_parcel, _typologies_tx  # noqa: F401 - registers the built-in typologies
from wildtrace.money._frame import Frame, open_frame
from wildtrace.money._names import name_key
from wildtrace.money._registry import HIT_COLUMNS, TYPOLOGIES, Typology, run_typologies, typology

__all__ = ["HIT_COLUMNS", "TYPOLOGIES", "Frame", "Typology", "name_key", "open_frame", "run_typologies", "typology"]
