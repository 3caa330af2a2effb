# privnet.azure developer entry points. `make test` is what CI (.ci/run) runs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# A bare `make` lists the targets; `make test` is what CI (.ci/run) runs.
.DEFAULT_GOAL := help

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
# Sanity checks what the collection ships. The emulator and the benchmarks are dev-only tools
# (build_ignore in galaxy.yml), with their own pytest suites; they are not collection content.
SANITY_EXCLUDE := ':!emulator' ':!bench' ':!tests/peer'

.PHONY: help venv collection-link unit sanity lint test emulator-tests cli-tests integration awx-ee molecule reliability reliability-results soak bench emulator demo clean \
	matrix matrix-min matrix-azcollection peer-suite

help:
	@echo "privnet.azure - make targets (README.md, 'Two commands' and 'Developing', says more):"
	@echo "  demo                from a fresh clone: venv, collection, emulator, the ACR playbook, a summary"
	@echo "  test                everything CI runs (.ci/run): the targets marked * below"
	@echo "  venv                .venv from constraints-dev.txt and requirements-dev.txt"
	@echo "  unit              * pytest tests/unit"
	@echo "  emulator-tests    * the emulator's own suite and the conformance replay"
	@echo "  cli-tests         * the real Azure CLI runs the ACR article's procedure against the emulator"
	@echo "  integration       * every integration target: real modules, ansible-playbook, the emulator"
	@echo "  awx-ee            * the AWX job template run (ansible-runner) and the EE build context"
	@echo "  reliability       * faults, bad inputs, check mode, secrets, concurrency"
	@echo "  sanity            * ansible-test sanity (empty ignore files)"
	@echo "  lint              * ansible-lint, production profile; mypy on plugins/module_utils"
	@echo "  molecule          * one molecule scenario per role"
	@echo "  matrix              unit + integration at the SDK floors and beside azure.azcollection's requirements;"
	@echo "                      rewrites tests/matrix/RESULTS.md (not in .ci/run: run it before a stop that touches what it covers)"
	@echo "  reliability-results the reliability suite, rewriting tests/reliability/RESULTS.md"
	@echo "  soak                the long reliability run (rewrites its section of RESULTS.md)"
	@echo "  bench               benchmarks against azure.azcollection (bench/README.md)"
	@echo "  peer-suite          azure.azcollection's modules against the emulator (tests/peer/RESULTS.md)"
	@echo "  emulator            the emulator in the foreground (source .emulator/env in another shell)"
	@echo "  clean               remove .cache and tests/output"

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
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider -n 2 tests/unit

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
	git ls-files -z -co --exclude-standard -- . $(SANITY_EXCLUDE) \
	  | while IFS= read -r -d '' f; do if [ -e "$$f" ]; then printf '%s\0' "$$f"; fi; done \
	  | tar --null -T - -cf - | tar -xf - -C $(SANITY_TREE)
	git -C $(SANITY_TREE) init --quiet  # else ansible-test asks the repo's git, which ignores .cache/
	cd $(SANITY_TREE) && PATH=$(BIN):$$PATH $(BIN)/ansible-test sanity --python $(SANITY_PYTHON) --local \
	  --color no $(SANITY_SKIP)

# ansible-lint (production profile), then mypy on plugins/module_utils (.mypy.ini says what is checked).
lint: venv collection-link
	PATH=$(BIN):$$PATH $(BIN)/ansible-lint --profile production
	cd $(COLLECTIONS) && MYPYPATH=. $(BIN)/mypy --config-file $(CURDIR)/.mypy.ini -p ansible_collections.privnet.azure.plugins.module_utils

# The ARM emulator's own suite: real SDK clients against it over HTTPS, plus the conformance
# replay of recorded Azure traffic.
emulator-tests: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 emulator/tests

# The real Azure CLI as an independent judge of the emulator: the ACR Private Link article's CLI
# procedure, command for command (emulator/tests/cli). azure-cli lives in its own virtualenv,
# rebuilt only when its pin changes (the stamp's name carries the pin file's hash).
CLI_VENV := .cache/azure-cli-venv
CLI_REQUIREMENTS := emulator/tests/cli/requirements.txt
CLI_HASH := $(shell sha256sum $(CLI_REQUIREMENTS) | cut -c1-16)
CLI_STAMP := $(CLI_VENV)/.installed-$(CLI_HASH)

$(CLI_STAMP):
	test -x $(CLI_VENV)/bin/python || $(PYTHON) -m venv $(CLI_VENV)
	$(CLI_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(CLI_REQUIREMENTS)
	rm -f $(CLI_VENV)/.installed-*
	touch $@

cli-tests: venv $(CLI_STAMP)
	PRIVNET_AZ=$(CURDIR)/$(CLI_VENV)/bin/az $(BIN)/python -m pytest -q -p no:cacheprovider emulator/tests/cli

# Integration: every target under tests/integration/targets runs real modules through
# ansible-playbook against a fresh emulator estate (one emulator per xdist worker).
integration: venv collection-link
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 tests/integration

# The emulator in the foreground, with the ACR scenario loaded: `source .emulator/env` in
# another shell and run playbooks against it.
EMULATOR_PORT ?= 0
emulator: venv
	$(BIN)/privnet-emulator --data-dir .emulator --port $(EMULATOR_PORT) --scenario acr

# From a fresh clone: the venv, the collection, the emulator on its ACR scenario, the main
# playbook against it, a summary; the emulator is stopped at the end.
# DEMO=targets: the emulator's `targets` scenario and playbooks/private_link.yml (a storage account's blob and file, a
# key vault and a SQL server behind Private Link) instead of the ACR playbook.
DEMO ?= acr
demo: venv collection-link
	PATH=$(BIN):$$PATH PRIVNET_DEMO=$(DEMO) scripts/demo

# Molecule, in collection mode: one scenario per role under extensions/molecule/, each against its
# own emulator (started by create, stopped by destroy); the full sequence, non-interactively. Two scenarios at a
# time (each is one ansible-playbook after another, about one core): each one's output goes to
# .cache/molecule/<scenario>.log, printed when it fails; the list of results at the end.
MOLECULE_SCENARIOS := $(notdir $(patsubst %/molecule.yml,%,$(wildcard extensions/molecule/*/molecule.yml)))
molecule: venv collection-link
	rm -rf .cache/molecule && mkdir -p .cache/molecule
	printf '%s\n' $(MOLECULE_SCENARIOS) | xargs -P 2 -I{} sh -c \
	  'if PATH=$(BIN):$$PATH $(BIN)/molecule test -s {} >.cache/molecule/{}.log 2>&1; then echo "molecule {}: passed"; \
	   else cat .cache/molecule/{}.log; echo "molecule {}: FAILED"; exit 1; fi'

# The AWX job-template run (ansible-runner, AWX's credential variables only) and the execution
# environment's build context (ansible-builder create).
awx-ee: venv collection-link
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/awx tests/ee

# Reliability (issue 9): transient and permanent faults, bad inputs, check mode, secrets and
# concurrency against the emulator. `reliability` (part of make test) checks and writes nothing
# tracked; `reliability-results` runs the same suite and rewrites tests/reliability/RESULTS.md.
# `soak` is the long run (a seeded 20% transient-fault rate over many seeds), not part of make
# test; it rewrites its own section of RESULTS.md.
reliability: venv collection-link
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 tests/reliability

reliability-results: venv collection-link
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/reliability --write-results

soak: venv collection-link
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/reliability --soak --write-results

# Benchmarks against azure.azcollection (bench/README.md). Not part of `make test`: about 80 min
# and a 1.3 GB virtualenv. BENCH_ARGS narrows it, e.g. BENCH_ARGS="--runs 1 --latency instant".
BENCH_ARGS ?=
bench: venv collection-link
	bench/setup.sh
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Peer suite (issue 13): azure.azcollection's own modules (the bench virtualenv) drive every resource type the
# emulator serves, in instant and realistic latency; writes tests/peer/RESULTS.md. Not part of `make test`.
# PEER_ARGS narrows it, e.g. PEER_ARGS="--latency instant --family private_dns".
PEER_ARGS ?=
peer-suite: venv collection-link
	bench/setup.sh
	$(BIN)/python tests/peer/run.py $(PEER_ARGS)

# Version matrix (issue 14): the unit and integration suites in virtualenvs other than .venv, whose
# dev pins are the newest releases inside requirements.txt's ranges.
#   matrix-min:          every requirement at its floor and the oldest supported ansible-core
#                        (tests/matrix/constraints-min.txt, checked against requirements.txt)
#   matrix-azcollection: azure.azcollection's requirements installed beside ours
#                        (tests/matrix/requirements-azcollection.txt), ansible-core as pinned for dev
# Each venv is rebuilt only when its inputs change (the stamp's name carries their hash). pytest
# runs from the matrix venv, so ansible-playbook, the modules' interpreter and the emulator are the
# venv's (tests/integration/conftest.py takes them from sys.executable); tests/matrix/pytest_matrix.py
# skips the unit test files whose fakes need the dev pins' TypeSpec models.
MATRIX := .cache/matrix
MATRIX_MIN := $(MATRIX)/min
MATRIX_MIN_HASH := $(shell cat tests/matrix/constraints-min.txt requirements.txt constraints-dev.txt emulator/pyproject.toml | sha256sum | cut -c1-16)
MATRIX_AZC := $(MATRIX)/azcollection
MATRIX_AZC_HASH := $(shell cat tests/matrix/requirements-azcollection.txt requirements.txt constraints-dev.txt emulator/pyproject.toml | sha256sum | cut -c1-16)
MATRIX_PIP = $(1)/bin/python -m pip install --quiet --disable-pip-version-check
MATRIX_RUN = PYTHONPATH=$(COLLECTIONS):$(CURDIR)/tests/matrix $(1)/bin/python -m pytest -q -p no:cacheprovider \
	  -p pytest_matrix tests/unit && \
	PYTHONPATH=$(CURDIR)/tests/matrix PATH=$(CURDIR)/$(1)/bin:$$PATH $(1)/bin/python -m pytest -q -p no:cacheprovider \
	  -p pytest_matrix -n 2 $(2)
# What each matrix venv runs of tests/integration. matrix-min: all of it (its ansible-core is the oldest supported, and
# roles and playbooks run in ansible-core). matrix-azcollection: ansible-core is the dev pin, as in `make test`; what
# differs is the Python packages, and those run only inside module processes: every module's own target (the role_*
# targets and the scenario tests drive the same modules through roles, and run in `make test` and matrix-min) and the
# sign-in paths (msal, azure-identity and requests are pinned by azure-cli-core there).
MATRIX_MIN_INTEGRATION := tests/integration
MATRIX_AZC_INTEGRATION := tests/integration/test_targets.py tests/integration/test_api_profile.py \
	tests/integration/test_cross_tenant.py tests/integration/test_user_password.py \
	tests/integration/test_token_broker.py -k "not role_"

$(MATRIX_MIN)/.installed-$(MATRIX_MIN_HASH):
	$(PYTHON) tests/matrix/check_floors.py requirements.txt tests/matrix/constraints-min.txt
	rm -rf $(MATRIX_MIN) && mkdir -p $(MATRIX) && $(PYTHON) -m venv $(MATRIX_MIN)
	grep -E '^(pytest|pytest-xdist)==' constraints-dev.txt > $(MATRIX_MIN)/tools-constraints.txt
	$(call MATRIX_PIP,$(MATRIX_MIN)) -c $(MATRIX_MIN)/tools-constraints.txt -c tests/matrix/constraints-min.txt \
	  -r requirements.txt ansible-core pytest pytest-xdist -e ./emulator
	$(MATRIX_MIN)/bin/python -m pip check
	touch $@

$(MATRIX_AZC)/.installed-$(MATRIX_AZC_HASH):
	rm -rf $(MATRIX_AZC) && mkdir -p $(MATRIX) && $(PYTHON) -m venv $(MATRIX_AZC)
	grep -E '^(ansible-core|pytest|pytest-xdist)==' constraints-dev.txt > $(MATRIX_AZC)/tools-constraints.txt
	$(call MATRIX_PIP,$(MATRIX_AZC)) -c $(MATRIX_AZC)/tools-constraints.txt \
	  -r tests/matrix/requirements-azcollection.txt -r requirements.txt ansible-core pytest pytest-xdist -e ./emulator
	$(MATRIX_AZC)/bin/python -m pip check
	touch $@

matrix-min: collection-link $(MATRIX_MIN)/.installed-$(MATRIX_MIN_HASH)
	$(call MATRIX_RUN,$(MATRIX_MIN),$(MATRIX_MIN_INTEGRATION))

matrix-azcollection: collection-link $(MATRIX_AZC)/.installed-$(MATRIX_AZC_HASH)
	$(call MATRIX_RUN,$(MATRIX_AZC),$(MATRIX_AZC_INTEGRATION))

# Both, their output kept, then tests/matrix/RESULTS.md written from it (not part of .ci/run: over an hour with make test).
matrix:
	mkdir -p $(MATRIX)
	$(MAKE) --no-print-directory matrix-min matrix-azcollection 2>&1 | tee $(MATRIX)/matrix.log
	$(PYTHON) tests/matrix/results.py --log $(MATRIX)/matrix.log --venv min=$(MATRIX_MIN) \
	  --venv azcollection=$(MATRIX_AZC) --out tests/matrix/RESULTS.md

test: unit emulator-tests cli-tests integration awx-ee reliability sanity lint molecule

clean:
	rm -rf .cache tests/output
