"""Stand-in for get-pip.py when the machine reaches PyPI but not ci-files.testing.ansible.com.

ansible-test bootstraps pip into each sanity virtualenv by running a get-pip.py that it
downloads from ci-files.testing.ansible.com and caches as ~/.ansible/test/cache/get_pip_<ver>.py.
`make sanity` puts this file there when that cache is empty. It gives the venv the
interpreter's bundled pip (ensurepip), then installs the exact packages ansible-test asked for
(e.g. pip==24.2) from PyPI, which is what get-pip.py would have done.
"""

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def main():
    subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", *args]))


if __name__ == "__main__":
    main()
