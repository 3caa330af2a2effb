# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: blank_names
short_description: The names of the variables that hold no value
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - A role's argument spec takes O(required=true) as "the variable exists", so a variable set to null or to an
    empty string passes it. Given the required variables as a dict (name - value), returns the names whose value
    is null, not a string, or only white space, in the dict's order, so that one assert can name every one of them.
positional: _input
options:
  _input:
    description: The variables to check, name - value.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: The required variables hold a value
  ansible.builtin.assert:
    that: my_blank | length == 0
    fail_msg: "{{ my_blank | join(', ') }}: null or empty; give a name"
  vars:
    my_blank: "{{ {'my_registry': my_registry, 'my_subnet': my_subnet} | privnet.azure.blank_names }}"
"""

RETURN = r"""
_value:
  description: The names without a value; empty when every one has one.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def blank_names(values):
    if not isinstance(values, Mapping):
        raise AnsibleFilterError("blank_names: expected a dict of variable name - value")
    return [name for name, value in values.items() if not isinstance(value, str) or not value.strip()]


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"blank_names": blank_names}
