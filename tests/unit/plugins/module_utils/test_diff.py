# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference, ci, compare, unordered


def test_only_user_set_fields_are_compared():
    current = {"a": "x", "b": "y", "c": "z"}
    result = compare({"a": "x", "b": "changed", "c": None}, current)
    assert result.changed_keys == ["b"]
    assert result.before == {"a": "x", "b": "y"}
    assert result.after == {"a": "x", "b": "changed"}
    assert result.changed
    assert result.as_diff() == {"before": {"a": "x", "b": "y"}, "after": {"a": "x", "b": "changed"}}


def test_no_change():
    result = compare({"a": 1}, {"a": 1, "other": 2})
    assert not result.changed
    assert result.changed_keys == []


def test_missing_resource_counts_as_change():
    result = compare({"a": "x"}, None)
    assert result.changed_keys == ["a"]
    assert result.before == {"a": None}


def test_exact_comparison_by_default_and_ci_when_asked():
    assert compare({"p": "Disabled"}, {"p": "disabled"}).changed
    assert not compare({"p": "Disabled"}, {"p": "disabled"}, normalisers={"p": ci}).changed
    assert not compare({"id": "/Subscriptions/S/x/"}, {"id": "/subscriptions/s/X"}, normalisers={"id": ci}).changed


def test_unordered_lists():
    norm = unordered(ci)
    assert not compare({"l": ["B", "a"]}, {"l": ["A", "b"]}, normalisers={"l": norm}).changed
    assert compare({"l": ["a"]}, {"l": ["a", "b"]}, normalisers={"l": norm}).changed


def test_add_records_before_after_and_whether_it_differs():
    diff = Difference()
    assert diff.add("p", "Enabled", "enabled", ci) is False
    assert diff.add("q", 1, 2) is True
    assert diff.changed_keys == ["q"] and diff.has_difference_for("q") and not diff.has_difference_for("p")
    assert diff.as_diff() == {"before": {"p": "Enabled", "q": 1}, "after": {"p": "enabled", "q": 2}}


def test_add_with_an_explicit_verdict_and_re_adding_a_key():
    diff = Difference()
    assert diff.add("provisioning_state", "Failed", "Failed", changed=True)
    assert diff.changed
    diff.add("provisioning_state", "Succeeded", "Succeeded")
    assert not diff.changed and diff.changed_keys == []


def test_merge_flat_and_nested():
    side = compare({"allow_forwarded_traffic": True}, {"allow_forwarded_traffic": False})
    nested = Difference().merge(side, prefix="hub")
    assert nested.changed_keys == ["hub"]
    assert nested.as_diff() == {"before": {"hub": {"allow_forwarded_traffic": False}},
                                "after": {"hub": {"allow_forwarded_traffic": True}}}
    flat = Difference().merge(side).merge(compare({"x": 1}, {"x": 1}))
    assert flat.changed_keys == ["allow_forwarded_traffic"] and flat.before == {"allow_forwarded_traffic": False,
                                                                                "x": 1}
    assert not Difference().merge(compare({"x": 1}, {"x": 1}), prefix="spoke").changed


def test_only_keeps_the_named_fields_and_their_verdicts():
    diff = compare({"a": 1, "b": 2}, {"a": 0, "b": 2})
    part = diff.only(["a", "missing"])
    assert part.as_diff() == {"before": {"a": 0}, "after": {"a": 1}} and part.changed_keys == ["a"]
