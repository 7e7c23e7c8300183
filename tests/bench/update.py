#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""update.py: policy updates under load, the driver of run.sh's section
"update" (tests/bench/update.sh; method in docs/benchmarks.md).

Python 3 standard library only. npvsd runs with traffic flowing and the
benchmark's cluster applied (mkpolicy.py --rules R). This script:

  1. reads npvsd's counters (`stats`, as rate.py does), waits --window
     seconds, reads again: the rate before;
  2. runs --applies `npvsctl -o json apply -f FILE`, one after the other,
     each changing ONE NetworkPolicy, bench/bench-rules-000 (the first
     --per-policy rules of mkpolicy.py), in a way that keeps the traffic
     allowed: its rule 0 (a decoy that matches none of the traffic) has
     its port alternate between 10000 and 60000; the client round trip
     of each (npvsctl started to exited) and the reply's "timing"
     (docs/api.md) are kept;
  3. reads the counters again: the rate during the applies, and the delta
     of every drop counter over the applies (and, for comparison, over
     the window before them).

Prints one JSON object: before and during (pkts, secs, mpps), drops
(counter -> delta during the applies), drops_before (the same over the
window before), applies, failed, and the latencies in microseconds:
client (p50, p99, max), active (the reply's timing.active_us: request
received -> new policy published), active_cpu (the control thread's CPU
time in that), and the median and p99 of every phase and compile step.

Usage:
  update.py --npvsd SOCK --npvsctl PATH --dir DIR [--applies N]
            [--rules R] [--per-policy M] [--window S] [--dport P]
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkpolicy  # noqa: E402
from rate import Npvsd  # noqa: E402


def counters(src):
    """(time, tx packets, {drop counter: value}) from one `stats` call."""
    t0 = time.monotonic()
    r = src.call({"cmd": "stats"})
    t = (t0 + time.monotonic()) / 2
    if not r.get("ok"):
        raise RuntimeError(f"npvsd stats: {r.get('error')}")
    drops = dict(r["drops"])
    for p in r["ports"]:
        for k, v in p.items():        # tx_full and any loss a port counts
            if isinstance(v, int) and any(w in k for w in (
                    "full", "drop", "miss", "err", "nombuf")):
                drops[f"port {p.get('name', '?')} {k}"] = v
    return t, sum(p["tx_packets"] for p in r["ports"]), drops


def rate(a, b):
    secs = b[0] - a[0]
    pkts = b[1] - a[1]
    return {"pkts": pkts, "secs": round(secs, 3),
            "mpps": round(pkts / secs / 1e6, 4) if secs > 0 else 0.0}


def dropped(a, b):
    return {k: b[2][k] - a[2].get(k, 0) for k in b[2]
            if b[2][k] - a[2].get(k, 0) != 0}


def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return round(v[min(len(v) - 1, int(p / 100.0 * len(v)))], 1)


def policy_file(path, k, rules, per_policy, dport):
    """bench-rules-000 as mkpolicy.py writes it, rule 0 on another port
    when k is odd."""
    n = min(per_policy, rules)
    body = [mkpolicy.decoy_rule(i) for i in range(min(n, rules - 1))]
    if rules <= per_policy:
        body.append(mkpolicy.allow_rule(dport))
    if k % 2 == 1 and rules > 1:
        body[0] = body[0].replace("port: 10000}", "port: 60000}")
    with open(path, "w") as f:
        f.write(mkpolicy.policy(0, body))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--npvsd", required=True)
    p.add_argument("--npvsctl", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--applies", type=int, default=100)
    p.add_argument("--rules", type=int, default=10000)
    p.add_argument("--per-policy", type=int, default=100)
    p.add_argument("--window", type=float, default=3)
    p.add_argument("--dport", type=int, default=5000)
    a = p.parse_args()

    src = Npvsd(a.npvsd)
    files = [os.path.join(a.dir, f"update-{k}.yaml") for k in (0, 1)]
    for k in (0, 1):
        policy_file(files[k], k, a.rules, a.per_policy, a.dport)
    c0 = counters(src)
    time.sleep(a.window)
    c1 = counters(src)
    client, active, cpu, failed, phases, steps = [], [], [], [], {}, {}
    for i in range(a.applies):
        t0 = time.monotonic()
        r = subprocess.run([a.npvsctl, "--socket", a.npvsd, "-o", "json",
                            "apply", "-f", files[(i + 1) % 2]],
                           capture_output=True, text=True)
        client.append((time.monotonic() - t0) * 1e6)
        try:
            rep = json.loads(r.stdout)
        except ValueError:
            rep = {}
        if r.returncode != 0 or not rep.get("published"):
            failed.append((r.stderr or r.stdout).strip()[:200])
            continue
        t = rep.get("timing", {})
        active.append(t.get("active_us", rep.get("active_us", 0)))
        if "active_cpu_us" in t:
            cpu.append(t["active_cpu_us"])
        for k, v in t.items():
            if isinstance(v, (int, float)) and k not in ("active_us",
                                                         "active_cpu_us"):
                phases.setdefault(k, []).append(v)
        for k, v in t.get("compile_steps", {}).items():
            steps.setdefault(k, []).append(v)
    c2 = counters(src)
    out = {
        "applies": a.applies, "failed": len(failed),
        "errors": failed[:3],
        "before": rate(c0, c1), "during": rate(c1, c2),
        "drops": dropped(c1, c2), "drops_before": dropped(c0, c1),
        "client_us": {"p50": pct(client, 50), "p99": pct(client, 99),
                      "max": pct(client, 100)},
        "active_us": {"p50": pct(active, 50), "p99": pct(active, 99),
                      "max": pct(active, 100)},
        "active_cpu_us": {"p50": pct(cpu, 50), "p99": pct(cpu, 99),
                          "max": pct(cpu, 100)},
        "phases_p50_us": {k: pct(v, 50) for k, v in phases.items()},
        "steps_p50_us": {k: pct(v, 50) for k, v in steps.items()},
        "phases_p99_us": {k: pct(v, 99) for k, v in phases.items()},
        "steps_p99_us": {k: pct(v, 99) for k, v in steps.items()},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
