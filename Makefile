# privnet.azure developer entry points. `make test` is what CI (.ci/run) runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin

# The venv is rebuilt only when the pins or the requirement lists change: the stamp's name
# carries their hash, so a fresh clone with an existing .venv does not reinstall.
DEPS_HASH := $(shell cat constraints-dev.txt requirements-dev.txt requirements.txt | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(DEPS_HASH)

# Python and ansible find the collection as ansible_collections.privnet.azure through this
# symlink to the repo root (gitignored).
COLLECTIONS := $(CURDIR)/.cache/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/privnet/azure
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)

# ansible-test resolves its working directory with os.getcwd(), which sees through symlinks,
# so it needs a real .../ansible_collections/privnet/azure directory: sanity runs on a copy
# of the files git sees (tracked, plus untracked ones that are not ignored), made a git
# work tree of its own so that ansible-test lists exactly those files.
SANITY_TREE := $(CURDIR)/.cache/sanity/ansible_collections/privnet/azure

.PHONY: venv collection-link unit sanity lint test emulator-tests integration molecule emulator demo clean

venv: $(STAMP)

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints-dev.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

collection-link:
	mkdir -p $(dir $(COLLECTION_LINK))
	test -L $(COLLECTION_LINK) || ln -s ../../../.. $(COLLECTION_LINK)

unit: venv collection-link
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

# --python 3.11: the only interpreter on the machine (ansible-test would otherwise try every
# version it supports). --local: no containers. ansible-test builds one virtualenv per
# sanity test (cached in ~/.ansible/test/venv) and installs its pinned requirements from
# PyPI, so the first run needs PyPI; later runs reuse the cache.
# Skipped, because they cannot run on this machine:
#   shellcheck - needs the shellcheck binary (no shell scripts ship in the collection).
#   pslint     - needs PowerShell (no PowerShell ships in the collection).
SANITY_PYTHON ?= 3.11
SANITY_SKIP := --skip-test shellcheck --skip-test pslint
# ansible-test 2.19 bootstraps pip 24.2 into those venvs with a get-pip.py fetched from
# ci-files.testing.ansible.com, which is unreachable here; seed its cache with an equivalent
# that takes pip from PyPI (see .ci/get_pip_offline.py). A real cached copy is left alone.
GET_PIP_CACHE := $(HOME)/.ansible/test/cache/get_pip_24_2.py
$(GET_PIP_CACHE):
	mkdir -p $(dir $@)
	cp .ci/get_pip_offline.py $@

sanity: venv $(GET_PIP_CACHE)
	rm -rf $(SANITY_TREE)
	mkdir -p $(SANITY_TREE)
	git ls-files -z -co --exclude-standard \
	  | while IFS= read -r -d '' f; do if [ -e "$$f" ]; then printf '%s\0' "$$f"; fi; done \
	  | tar --null -T - -cf - | tar -xf - -C $(SANITY_TREE)
	git -C $(SANITY_TREE) init --quiet  # else ansible-test asks the repo's git, which ignores .cache/
	cd $(SANITY_TREE) && PATH=$(BIN):$$PATH $(BIN)/ansible-test sanity --python $(SANITY_PYTHON) --local \
	  --color no $(SANITY_SKIP)

lint: venv collection-link
	PATH=$(BIN):$$PATH $(BIN)/ansible-lint --profile production

# TODO(lead): emulator-tests, integration, molecule, emulator and demo are placeholders until
# those suites land; each must become a real target (an echo is not acceptable in the end).
emulator-tests:
	@echo "emulator-tests: not yet written (placeholder)"

integration:
	@echo "integration: not yet written (placeholder)"

molecule:
	@echo "molecule: not yet written (placeholder)"

emulator:
	@echo "emulator: not yet wired up (placeholder; see tests/emulator)"

demo:
	@echo "demo: not yet written (placeholder)"

test: unit emulator-tests integration sanity lint molecule

clean:
	rm -rf .cache tests/output
