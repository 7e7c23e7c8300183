#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check one conformance scenario: run `npvsctl reach -o json` on its
manifests and compare every verdict with the scenario's expected.txt,
whose matrices were written by hand from the NetworkPolicy specification.

expected.txt:
    # comments: the scenario and why each verdict is what it is
    cluster: ../../cluster.yaml     extra manifests (relative), optional
    peers: 192.0.2.1 10.0.2.200     outside hosts (--peer), optional
    family: IPv6                    for the blocks below (default IPv4)
    ports: 80/TCP 81/UDP            a block: this matrix holds for each
            x/a  x/b  ...           columns: destinations
    x/a      -    .   ...           rows: sources; "." allowed, "X" denied,
                                    "-" not checked (a pod to itself, or
                                    one outside host to another)

Every verdict reach prints must be expected, and every expected one must
be printed. Exit 0 when all agree; else print the differences (with
reach's reasons) and exit 1.

usage: check_reach.py NPVSCTL SCENARIO_DIR
"""
import json
import os
import subprocess
import sys


def parse_expected(path):
    """-> (extra manifest paths, peers, {(family, port, proto, from, to): bool})"""
    extra, peers, want = [], [], {}
    family, ports, cols = "IPv4", None, None
    base = os.path.dirname(path)
    for lineno, raw in enumerate(open(path), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        words = line.split()
        where = f"{path}:{lineno}"
        if words[0] == "cluster:":
            extra += [os.path.normpath(os.path.join(base, w)) for w in words[1:]]
        elif words[0] == "peers:":
            peers += words[1:]
        elif words[0] == "family:":
            family = words[1]
        elif words[0] == "ports:":
            ports, cols = [], None
            for w in words[1:]:
                num, proto = w.split("/")
                ports.append((int(num), proto))
        elif ports is None:
            sys.exit(f"{where}: matrix before any 'ports:' line")
        elif cols is None:
            cols = words
        else:
            src, cells = words[0], words[1:]
            if len(cells) != len(cols):
                sys.exit(f"{where}: {len(cells)} cells for {len(cols)} columns")
            for dst, cell in zip(cols, cells):
                if cell not in (".", "X", "-"):
                    sys.exit(f"{where}: bad cell {cell!r}")
                for port, proto in ports:
                    key = (family, port, proto, src, dst)
                    if key in want:
                        sys.exit(f"{where}: {key} expected twice")
                    want[key] = None if cell == "-" else cell == "."
    return extra, peers, want


def run_reach(npvsctl, files, peers, ports, fmt="json"):
    cmd = [npvsctl, "reach", "-o", fmt]
    for f in files:
        cmd += ["-f", f]
    for p in peers:
        cmd += ["--peer", p]
    for port, proto in ports:
        cmd += ["--port", f"{port}/{proto}"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
    return r.stdout


def main():
    npvsctl, scen = sys.argv[1], sys.argv[2]
    name = os.path.basename(os.path.normpath(scen))
    extra, peers, want = parse_expected(os.path.join(scen, "expected.txt"))
    ports = sorted({(k[1], k[2]) for k in want})
    manifests = sorted(os.path.join(scen, f) for f in os.listdir(scen)
                       if f.endswith((".yaml", ".yml", ".json")))
    got = json.loads(run_reach(npvsctl, extra + manifests, peers, ports))

    bad, seen = [], set()
    for e in got:
        key = (e["family"], e["port"], e["protocol"], e["from"], e["to"])
        seen.add(key)
        if key not in want:
            bad.append(f"unexpected verdict {key}")
        elif want[key] is not None and want[key] != e["allowed"]:
            bad.append(f"{e['family']} {e['port']}/{e['protocol']} "
                       f"{e['from']} -> {e['to']}: expected "
                       f"{'allowed' if want[key] else 'denied'}, got "
                       f"{'allowed' if e['allowed'] else 'denied'} "
                       f"(egress: {e['egress']}; ingress: {e['ingress']})")
    for key, v in want.items():
        if v is not None and key not in seen:
            bad.append(f"no verdict for {key}")
    checked = sum(1 for v in want.values() if v is not None)
    if bad:
        print(f"{name}: {len(bad)} of {checked} verdicts wrong:")
        for b in bad:
            print("  " + b)
        return 1
    print(f"{name}: {checked} verdicts as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
