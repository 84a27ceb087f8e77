"""Add up the JUnit reports of the test suites into one closing line.

In CI (CI=true) a skipped test counts as a failure: nothing may pass by being skipped there.
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ElementTree


def main(paths: list[str]) -> int:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for path in paths:
        root = ElementTree.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        for suite in suites:
            for key in totals:
                totals[key] += int(suite.get(key, 0))
    failed = totals["failures"] + totals["errors"]
    skipped = totals["skipped"]
    passed = totals["tests"] - failed - skipped
    if os.environ.get("CI") == "true" and skipped:
        print(f"{skipped} test(s) were skipped; in CI every test must run.")
        failed += skipped
        skipped = 0
    line = f"voordeur: {passed} passed, {failed} failed"
    print(line + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed or totals["tests"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
