"""The consultation API under its former module name; see :mod:`.consultation`.

``consult.py`` grew to seven concepts in one file and was split into the
:mod:`rejection_diagnosis.consultation` package; this module keeps old imports working.
"""

from __future__ import annotations

from .consultation import *  # noqa: F403 - the same names, re-exported
from .consultation import __all__ as __all__
