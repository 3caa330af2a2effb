"""The execution environment definition (tests/ee/execution-environment.yml) with this
collection, built offline up to the point that needs a container runtime:

* `ansible-galaxy collection build` of the work tree's shippable files (the tarball the
  definition installs), which must not carry what local runs leave in the tree;
* `ansible-builder create`, which writes the build context;
* the context's own galaxy and introspection steps, run here as the image build runs them:
  the collection installs from the context, and ansible-builder finds its Python requirements
  (requirements.txt, through meta/execution-environment.yml) and system packages (bindep.txt).
"""

import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)

# What `make demo` leaves in the work tree (.emulator/ is git-ignored): the emulator's TLS key
# and the service principal secret it answers to. A collection tarball must never ship them.
DEMO_LEFTOVERS = {
    ".emulator/demo/server.key": "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n",
    ".emulator/demo/identity.json": '{"client_id": "x", "client_secret": "not-a-real-secret"}\n',
    ".emulator/demo/env": "export AZURE_SECRET='not-a-real-secret'\n",
}


def requirement_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.split("#", 1)[0].strip() for line in f if line.split("#", 1)[0].strip()]


def work_tree_copy(dest):
    """The files git sees (tracked, plus untracked ones that are not ignored), as a fresh clone with
    local changes would have them."""
    listed = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "-co", "--exclude-standard"], check=True,
                            capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = os.path.join(REPO, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))
    return dest


def build(tree, out):
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out),
                    str(tree)], check=True, capture_output=True, text=True)
    return next(p for p in out.iterdir() if p.name.startswith("privnet-azure-") and p.name.endswith(".tar.gz"))


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection tarball, built from the work tree after a `make demo`."""
    tree = work_tree_copy(tmp_path_factory.mktemp("tree"))
    for rel, text in DEMO_LEFTOVERS.items():
        os.makedirs(os.path.dirname(os.path.join(tree, rel)), exist_ok=True)
        with open(os.path.join(tree, rel), "w", encoding="utf-8") as f:
            f.write(text)
    return build(tree, tmp_path_factory.mktemp("dist"))


def test_tarball_ships_the_requirements_and_no_local_secrets(tarball):
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    # What ansible-builder reads from the collection.
    for needed in ("MANIFEST.json", "meta/execution-environment.yml", "meta/runtime.yml", "requirements.txt",
                   "bindep.txt", "roles/acr_private_link/meta/argument_specs.yml"):
        assert needed in names, f"{needed} is missing from {tarball.name}"
    leaked = sorted(n for n in names if n == ".emulator" or n.startswith(".emulator/") or n.endswith(".key")
                    or os.path.basename(n) in ("identity.json", "env"))
    assert leaked == [], f"{tarball.name} ships local emulator files (add .emulator to build_ignore in galaxy.yml): {leaked}"


def test_ansible_builder_create_and_introspect(tarball, tmp_path):
    # The definition, next to the tarball it installs (as its comment tells how to build it).
    ee = tmp_path / "ee"
    ee.mkdir()
    for name in ("execution-environment.yml", "requirements.yml"):
        shutil.copy(os.path.join(HERE, name), ee / name)
    shutil.copy(tarball, ee / "privnet-azure.tar.gz")
    with open(ee / "execution-environment.yml", encoding="utf-8") as f:
        definition = yaml.safe_load(f)
    assert definition["version"] == 3

    context = tmp_path / "context"
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "--file", str(ee / "execution-environment.yml"),
                           "--context", str(context), "--output-filename", "Containerfile"],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Containerfile").read_text()
    build_dir = context / "_build"
    assert "FROM base AS galaxy" in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "introspect.py introspect" in containerfile
    assert "ansible-core>=2.19,<2.20" in containerfile
    assert (build_dir / "collections" / "privnet-azure.tar.gz").is_file()
    with open(build_dir / "requirements.yml", encoding="utf-8") as f:
        assert yaml.safe_load(f) == {"collections": [{"name": "collections/privnet-azure.tar.gz", "type": "file"}]}

    # The galaxy stage: WORKDIR /build (the context's _build), install from requirements.yml.
    installed = tmp_path / "usr-share-ansible" / "collections"
    proc = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--force", "-r",
                           "requirements.yml", "--collections-path", str(installed)],
                          capture_output=True, text=True, cwd=build_dir, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (installed / "ansible_collections" / "privnet" / "azure" / "MANIFEST.json").is_file()

    # The builder stage: the context's introspect.py over what the galaxy stage installed.
    pip_out, bindep_out = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    proc = subprocess.run([sys.executable, str(build_dir / "scripts" / "introspect.py"), "introspect", str(installed),
                           f"--write-pip={pip_out}", f"--write-bindep={bindep_out}"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = yaml.safe_load(proc.stdout.split("---", 1)[1])
    assert found["python"] and found["system"], proc.stdout

    python = pip_out.read_text().splitlines()
    expected = requirement_lines(os.path.join(REPO, "requirements.txt"))
    assert expected, "requirements.txt lists the Azure SDKs"
    for requirement in expected:
        assert f"{requirement}  # from collection privnet.azure" in python, (requirement, python)
    system = bindep_out.read_text().splitlines()
    for package in requirement_lines(os.path.join(REPO, "bindep.txt")):
        assert f"{package}  # from collection privnet.azure" in system, (package, system)
