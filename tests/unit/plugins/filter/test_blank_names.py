# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.blank_names import blank_names


def test_null_empty_blank_and_non_strings_are_named_in_order():
    values = {"a": "acrdemo", "b": None, "c": "", "d": "  ", "e": 5, "f": ["x"], "g": "snet-pe"}
    assert blank_names(values) == ["b", "c", "d", "e", "f"]


def test_every_value_given():
    assert blank_names({"a": "x", "b": " y "}) == []
    assert blank_names({}) == []


@pytest.mark.parametrize("values", [None, ["a"], "a"])
def test_not_a_dict(values):
    with pytest.raises(AnsibleFilterError, match="blank_names"):
        blank_names(values)
