#!/usr/bin/env bash
# Creates the two environments the bench compares; safe to run again (nothing is reinstalled
# unless the pinned ansible version changes).
#   ours:         the repo's .venv and the collection link (make venv collection-link)
#   azcollection: bench/.venv-azcollection = the `ansible` package from PyPI (it bundles
#                 azure.azcollection) + azure.azcollection's own requirements.txt
set -euo pipefail
cd "$(dirname "$0")/.."

make --no-print-directory venv collection-link

PYTHON=${PYTHON:-python3.11}
# ansible 12.3.0 = ansible-core 2.19 (the same core as ours) + azure.azcollection 3.12.0.
# ansible 13 needs Python >= 3.12 on the controller.
ANSIBLE_VERSION=12.3.0
VENV=bench/.venv-azcollection
STAMP=$VENV/.installed-ansible-$ANSIBLE_VERSION
if [ ! -e "$STAMP" ]; then
    test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "ansible==$ANSIBLE_VERSION"
    reqs=$("$VENV/bin/python" -c 'import ansible_collections.azure.azcollection as c; print(list(c.__path__)[0] + "/requirements.txt")')
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs"
    "$VENV/bin/python" -m pip check
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
fi
