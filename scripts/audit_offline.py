"""Match pinned lock files against a local copy of an OSV advisory database (offline pip-audit fallback).

pip-audit asks PyPI's JSON API or OSV for vulnerabilities. Where neither can be reached (this project's
machines reach PyPI's package index only), `make audit ADVISORIES=DIR` runs this instead, over a local
checkout of the Python Packaging Advisory Database (github.com/pypa/advisory-database, `vulns/`, OSV
YAML). Its findings are as fresh as that checkout: say its date wherever you quote them.

Usage: python scripts/audit_offline.py DIR requirements/rasa.lock requirements/app.lock [--json OUT]
Exit status 1 when a pinned version is affected by an advisory not listed in --ignore IDS.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def read_lock(path: Path) -> dict[str, str]:
    """name -> pinned version of a `pip freeze` lock file."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name.split("[")[0])] = version.split(";")[0].strip()
    return pins


def affected(version: str, affected_entry: dict) -> bool:
    """Whether one OSV `affected` entry covers this version (explicit list or ECOSYSTEM ranges)."""
    if version in [str(v) for v in affected_entry.get("versions") or []]:
        return True
    try:
        pinned = Version(version)
    except InvalidVersion:
        return False
    for version_range in affected_entry.get("ranges") or []:
        if version_range.get("type") != "ECOSYSTEM":
            continue
        inside = False
        for event in version_range.get("events") or []:
            if "introduced" in event:
                start = str(event["introduced"])
                inside = start == "0" or pinned >= Version(start)
            elif "fixed" in event and inside and pinned >= Version(str(event["fixed"])):
                inside = False
            elif "last_affected" in event and inside and pinned > Version(str(event["last_affected"])):
                inside = False
        if inside:
            return True
    return False


def fixed_versions(affected_entry: dict) -> list[str]:
    return [
        str(event["fixed"])
        for r in affected_entry.get("ranges") or []
        for event in r.get("events") or []
        if "fixed" in event and r.get("type") == "ECOSYSTEM"
    ]


def audit(advisories: Path, pins: dict[str, str]) -> list[dict]:
    findings = []
    for name, version in sorted(pins.items()):
        folder = advisories / name
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.yaml")):
            advisory = yaml.safe_load(file.read_text())
            if advisory.get("withdrawn"):
                continue
            for entry in advisory.get("affected") or []:
                if canonicalize_name(entry.get("package", {}).get("name", "")) != name:
                    continue
                if affected(version, entry):
                    findings.append(
                        {
                            "name": name,
                            "version": version,
                            "id": advisory["id"],
                            "aliases": advisory.get("aliases") or [],
                            "fix_versions": fixed_versions(entry),
                            "summary": " ".join(str(advisory.get("details", "")).split())[:200],
                        }
                    )
                    break
    return findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("advisories", type=Path, help="the vulns/ folder of the advisory database")
    parser.add_argument("locks", type=Path, nargs="+")
    parser.add_argument("--json", type=Path, help="write the findings as JSON here")
    parser.add_argument(
        "--ignore", default="", help="comma-separated advisory ids accepted in docs/security.md"
    )
    args = parser.parse_args()
    ignored = {item.strip() for item in args.ignore.split(",") if item.strip()}
    report, failing = {}, 0
    for lock in args.locks:
        findings = audit(args.advisories, read_lock(lock))
        report[lock.name] = findings
        for finding in findings:
            known = finding["id"] in ignored or bool(ignored & set(finding["aliases"]))
            failing += not known
            mark = "accepted" if known else "OPEN"
            print(
                f"{lock.name}: {finding['name']} {finding['version']} {finding['id']} "
                f"({', '.join(finding['aliases'])}) "
                f"fixed in {', '.join(finding['fix_versions']) or '-'} [{mark}]"
            )
        print(f"{lock.name}: {len(findings)} finding(s)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
