# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Attribute descriptions for modules that change things; each module states its support.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and tell whether it would change anything, without changing it.
  diff_mode:
    description: Returns the before and after values of what it changes (or would change) in diff mode.
  idempotent:
    description: Run again with the same options, it reports no change and changes nothing.
  action_group:
    description: Use C(group/privnet.azure.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - privnet.azure.all
"""

    # For modules that only read.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the same information as without it.
    support: full
  diff_mode:
    description: Returns no diff; this module changes nothing.
    support: N/A
  idempotent:
    description: Changes nothing, so running it again gives the same result.
    support: full
  action_group:
    description: Use C(group/privnet.azure.all) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - privnet.azure.all
"""
