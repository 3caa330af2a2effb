"""Installed size of a requirements file's packages and everything they pull in.

Run with the interpreter of the venv to measure: `VENV/bin/python bench/depsize.py requirements.txt`.
Prints JSON: the distributions in the closure (markers evaluated for this interpreter, extras
followed) and the bytes of the files each one's RECORD lists (so shared namespace directories such
as azure/ are split exactly between the distributions that own the files).
"""

import importlib.metadata as md
import json
import sys

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


def requirement_lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                yield line


def wanted(req, extras):
    return req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (extras or {""}))


def closure(lines):
    seen, todo = {}, []
    for line in lines:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if wanted(req, None):
            todo.append((req.name, set(req.extras)))
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key][1]:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            seen[key] = (None, extras)
            continue
        seen[key] = (dist, extras | (seen[key][1] if key in seen else set()))
        for line in dist.requires or ():
            req = Requirement(line)
            if wanted(req, seen[key][1]):
                todo.append((req.name, set(req.extras)))
    return seen


def size(dist):
    total = 0
    for f in dist.files or ():
        path = dist.locate_file(f)
        if path.is_file():
            total += path.stat().st_size
    return total


def main(path):
    dists = closure(requirement_lines(path))
    rows = sorted(((k, d.version if d else None, size(d) if d else 0) for k, (d, _) in dists.items()),
                  key=lambda r: -r[2])
    json.dump({"requirements": path, "distributions": len(rows), "bytes": sum(r[2] for r in rows),
               "missing": [r[0] for r in rows if r[1] is None],
               "largest": [{"name": n, "version": v, "bytes": b} for n, v, b in rows[:10]]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
