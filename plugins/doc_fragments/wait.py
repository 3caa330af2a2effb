# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options of modules that start Azure long-running operations.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait for Azure to finish the change before returning.
      - With V(false) the module returns as soon as Azure has accepted the change, and the returned
        state may still show it in progress.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait in total, including retries of operations that Azure refused
        because another operation on the same resource was in progress.
    type: int
    default: 600
"""
