# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fail unless the pins of tests/matrix/constraints-min.txt are the floors of requirements.txt.

    python tests/matrix/check_floors.py requirements.txt tests/matrix/constraints-min.txt
"""

import re
import sys


def entries(path, operator):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            match = re.match(r"^([A-Za-z0-9_.-]+)\s*" + re.escape(operator) + r"\s*([0-9][0-9A-Za-z.]*)", line)
            if match:
                out[match.group(1).lower()] = match.group(2)
    return out


def padded(version):
    return (version.split(".") + ["0", "0"])[:3]


def same(floor, pin):
    """2.6 and 2.6.0 are the same version."""
    return padded(floor) == padded(pin)


def main(requirements, constraints):
    floors, pins = entries(requirements, ">="), entries(constraints, "==")
    problems = [f"{name}: requirements.txt floor {floor}, {constraints} pins {pins.get(name, 'nothing')}"
                for name, floor in floors.items() if name not in pins or not same(floor, pins[name])]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
