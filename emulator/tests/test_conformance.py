"""Conformance: replay real Azure recordings against the emulator, one test per recording file.

Each test resets the emulator, replays the recording's requests (see conformance/replay.py and
conformance/DIFFERENCES.md for what is rewritten, skipped and ignored) and fails with every mismatch:
status codes, LRO and ETag headers, body key sets, error codes and final operation states.

The recordings live outside the repository, in shared/conformance/recordings: found through
$PRIVNET_SHARED_DIR, else in a `shared/` directory beside one of this file's parent directories.
"""

import os
from pathlib import Path

import pytest

from conformance.convert import load, recording_files
from conformance.replay import Replay, differences
from privnet_emulator import DEFAULT_SUBSCRIPTION

ARM_SCOPE = "https://management.azure.com/.default"


def recordings_dir():
    env = os.environ.get("PRIVNET_SHARED_DIR")
    candidates = [Path(env) / "conformance" / "recordings"] if env else []
    candidates += [parent / "shared" / "conformance" / "recordings" for parent in Path(__file__).resolve().parents]
    return next((c for c in candidates if c.is_dir()), None)


RECORDINGS = recordings_dir()
FILES = recording_files(str(RECORDINGS)) if RECORDINGS else []


def _id(path):
    return os.path.relpath(path, RECORDINGS)


def test_differences_table_parses():
    rows = differences()
    assert rows, "DIFFERENCES.md has no ignored keys table"
    assert len(set(rows)) == len(rows), "DIFFERENCES.md lists a key twice"


@pytest.mark.skipif(not FILES, reason="no recordings: set PRIVNET_SHARED_DIR or put shared/ beside the repository "
                                      "(shared/conformance/recordings)")
@pytest.mark.parametrize("path", FILES, ids=[_id(p) for p in FILES])
def test_recording(path, emulator, credential):
    emulator.control.config(latency="realistic", time_scale=1.0)
    token = credential.get_token(ARM_SCOPE).token
    recording = load(path)
    outcome = Replay(recording, emulator.url, emulator.ca_path, token, DEFAULT_SUBSCRIPTION, emulator.control,
                     differences()).run()
    print(outcome.message())
    assert outcome.replayed > 0
    assert not outcome.mismatches, outcome.message()
