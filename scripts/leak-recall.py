#!/usr/bin/env python3
"""Recall and false positives of the secpack leak gate and of detect-secrets on the same corpus.

Ground truth: fixtures/leaks/EXPECTED lists every leak planted in fixtures/leaks/positives as
`<path>:<line> <rule>`; nothing in fixtures/leaks/negatives is a leak. Both tools scan both
folders with their default settings (secpack with fixtures/leaks/leak-gate.toml, detect-secrets
1.5 `scan --all-files`, all plugins and heuristic filters on). A leak counts as found when the
tool reports anything on its line (the tools name their rules differently). False positives are
reported lines in negatives/ plus lines in positives/ that EXPECTED does not list.

Usage: python3 scripts/leak-recall.py [--markdown]   (from the workspace root; needs
`bash scripts/install-test-tools.sh` for detect-secrets and cargo for secpack).
"""
import collections
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEAKS = os.path.join(ROOT, "fixtures", "leaks")
DETECT_SECRETS = os.path.join(ROOT, ".tools", "venv", "bin", "detect-secrets")
# Rules about the company's own names, addresses and people: detect-secrets has no equivalent.
INTERNAL_RULES = {"internal-host", "internal-ip", "email-address", "internal-marker", "unscannable-content"}


def expected():
    out = {}
    with open(os.path.join(LEAKS, "EXPECTED")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                where, rule = line.split(" ", 1)
                path, lineno = where.rsplit(":", 1)
                out[(path, int(lineno))] = rule
    return out


def secpack(sub):
    cmd = ["cargo", "run", "--quiet", "-p", "secpack-scan", "--example", "scan-files", "--",
           os.path.join(LEAKS, "leak-gate.toml"), os.path.join(LEAKS, sub)]
    res = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    found = set()
    for line in res.stdout.splitlines():
        f = json.loads(line)
        found.add((f["path"], f["line"]))
    return found


def detect_secrets(sub):
    res = subprocess.run([DETECT_SECRETS, "scan", "--all-files", "."], cwd=os.path.join(LEAKS, sub),
                         check=True, capture_output=True, text=True)
    found = set()
    for path, items in json.loads(res.stdout)["results"].items():
        for item in items:
            found.add((os.path.normpath(path), item["line_number"]))
    return found


def main():
    if not os.access(DETECT_SECRETS, os.X_OK):
        sys.exit(f"{DETECT_SECRETS} is missing: run `bash scripts/install-test-tools.sh`")
    truth = expected()
    secret_keys = {k for k, r in truth.items() if r not in INTERNAL_RULES}
    rows = []
    for name, scan in (("secpack-scan", secpack), ("detect-secrets 1.5.0", detect_secrets)):
        pos, neg = scan("positives"), scan("negatives")
        hit = set(truth) & pos
        missed = collections.Counter(truth[k] for k in set(truth) - pos)
        rows.append({
            "tool": name,
            "recall": f"{len(hit)}/{len(truth)} ({100 * len(hit) / len(truth):.0f}%)",
            "recall_secrets": f"{len(secret_keys & pos)}/{len(secret_keys)} ({100 * len(secret_keys & pos) / len(secret_keys):.0f}%)",
            "fp_negatives": len(neg),
            "fp_extra_positives": len(pos - set(truth)),
            "missed": ", ".join(f"{r} x{n}" for r, n in sorted(missed.items())) or "-",
            "fp_detail": sorted(neg | (pos - set(truth))),
            "missed_detail": sorted(set(truth) - pos),
        })
    print("| tool | recall, all planted leak lines | recall, secrets only | false positives on negatives (lines) | extra lines on positives | missed (by secpack rule) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['tool']} | {r['recall']} | {r['recall_secrets']} | {r['fp_negatives']} | {r['fp_extra_positives']} | {r['missed']} |")
    if "--markdown" not in sys.argv:
        for r in rows:
            if r["missed_detail"]:
                print(f"\n{r['tool']} missed:")
                for path, line in r["missed_detail"]:
                    print(f"  {path}:{line} {truth[(path, line)]}")
            if r["fp_detail"]:
                print(f"\n{r['tool']} false positives:")
                for path, line in r["fp_detail"]:
                    print(f"  {path}:{line}")


if __name__ == "__main__":
    main()
