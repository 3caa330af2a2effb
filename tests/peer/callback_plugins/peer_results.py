# -*- coding: utf-8 -*-
# Copyright: privnet.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Peer suite callback: one JSON line per task result, for tests/peer/run.py to count.

Enabled only by tests/peer/run.py (ANSIBLE_CALLBACKS_ENABLED=peer_results); the file is named by
PRIVNET_PEER_RESULTS. The normal stdout callback still writes the log.
"""

from __future__ import annotations

DOCUMENTATION = """
name: peer_results
type: aggregate
short_description: write one JSON line per task result (tests/peer)
description:
  - Used by tests/peer/run.py only.
requirements:
  - PRIVNET_PEER_RESULTS names the output file
"""

import json
import os

from ansible.plugins.callback import CallbackBase

MSG_LIMIT = 700


def _message(result):
    """The failure message of a result; for a loop, the first failed item's."""
    if result.get("msg"):
        return str(result["msg"])
    for item in result.get("results") or []:
        if isinstance(item, dict) and item.get("failed"):
            return str(item.get("msg") or item.get("stderr") or item)
    return str(result.get("stderr") or result.get("exception") or "")[:MSG_LIMIT]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "peer_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("PRIVNET_PEER_RESULTS")
        self._play = ""

    def _write(self, result, status):
        if not self._path:
            return
        res = result._result
        task = result._task
        entry = {"play": self._play, "task": task.get_name(), "action": task.action, "status": status,
                 "changed": bool(res.get("changed")), "ignored": bool(getattr(task, "ignore_errors", False))}
        if status == "failed":
            entry["msg"] = _message(res)[:MSG_LIMIT]
        with open(self._path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_runner_on_ok(self, result):
        self._write(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._write(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._write(result, "skipped")
