# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Small conversions from azure-mgmt-* SDK values to Azure's wire values.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


def text(value: Any) -> Any:
    """The wire value of an SDK enum (a str subclass whose str() is "Class.MEMBER"); other values unchanged."""
    return value.value if isinstance(value, Enum) else value
