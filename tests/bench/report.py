#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""report.py: the table of tests/bench/run.sh from its raw results.

Reads the JSON-lines file run.sh writes (one object per cell: kind,
switch, flows, rules, rep, and res: rate.py's or bench_udp_rtt's output,
or {"na": reason}) and prints the tables of docs/benchmarks.md. Python 3
standard library only.

Usage: report.py RESULTS.jsonl
"""
import json
import sys


def fmt(x, nd=2):
    return f"{x:.{nd}f}" if isinstance(x, (int, float)) else str(x)


def why(res):
    """The reason a cell has no figure, or None."""
    if "na" in res:
        return res["na"]
    if "error" in res:
        return f"n/a (error: {res['error']})"
    return None


def added_ns(sw, base):
    """Added cost per packet in ns: 1000/sw_Mpps - 1000/base_Mpps."""
    if not sw or not base:
        return "-"
    return fmt(1000.0 / sw - 1000.0 / base, 1)


def alone_mpps(sw, base):
    """What npvsd alone sustains, Mpps: 1000 / added ns (the generator's
    own cost, which caps the measured rate, taken out)."""
    if not sw or not base:
        return "-"
    added = 1000.0 / sw - 1000.0 / base
    return fmt(1000.0 / added) if added > 0 else "-"


def best(cells):
    """Best Mpps of the runs that have one, and all of them as text."""
    vals = [c["res"]["mpps"] for c in cells if why(c["res"]) is None]
    if not vals:
        return None, why(cells[0]["res"]) if cells else "n/a"
    runs = " ".join(fmt(v) for v in vals)
    return max(vals), runs


def drops_note(cells):
    d = sum(c["res"].get("drops", 0) for c in cells if why(c["res"]) is None)
    return f"  ({d} dropped in the windows)" if d else ""


def table(head, rows):
    """Aligned columns. A short row (a reason in place of figures) is
    aligned up to its last cell, which runs on past the columns."""
    w = [len(h) for h in head]
    for r in rows:
        last = len(r) if len(r) >= len(head) else len(r) - 1
        for i in range(last):
            w[i] = max(w[i], len(str(r[i])))

    def line(r):
        return "  ".join(str(c).ljust(w[i]) if i < len(r) - 1 else str(c)
                         for i, c in enumerate(r)).rstrip()
    return "\n".join([line(head)] + [line(r) for r in rows])


def header(rs):
    m = next((r for r in rs if r["kind"] == "machine"), {})
    loads = [f"{r['before']} {r['load']}" for r in rs if r["kind"] == "load"]
    end = next((r for r in rs if r.get("before") == "end"), {})
    print(f"npvs data-path benchmark, {m.get('date')}: {m.get('cpu')}, "
          f"{m.get('cpus')} CPUs, DPDK {m.get('dpdk')}; tree "
          f"{m.get('commit')}, npvsd built {m.get('built', '?')}"
          f"{'; --quick' if m.get('quick') else ''}"
          f"{', nice -' + str(m['nice']) if m.get('nice') else ''}")
    print(f"load average (1/5/15 min) at the start of each section: "
          f"{m.get('load')} (start); " + "; ".join(loads))
    pol = next((r for r in rs if r["kind"] == "policy"), None)
    if pol is not None:
        print("policy stage: " + ("present" if pol["present"] else
                                  f"absent ({pol['why']})"))
    skipped = [r["section"] for r in rs if r["kind"] == "skipped"]
    if skipped:
        print(f"sections not run (--only, or --quick): {', '.join(skipped)}")
    print(f"window {m.get('window')} s after {m.get('warmup')} s warm-up; "
          f"one worker lcore (1), main lcore 0; 60-byte UDP frames (64 on "
          f"the wire); {end.get('secs', '?')} s in all")


def tput(rs):
    cells = [r for r in rs if r["kind"] == "tput"]
    if not cells:
        return
    print("\nThroughput: net_pcap (infinite_rx) -> switch -> net_null, "
          "two-way flows (request, reply).\nMpps: best of the runs (every "
          "run in brackets); added ns/packet = 1000/npvsd - 1000/testpmd.")
    rows = []
    for flows in sorted({c["flows"] for c in cells}):
        fc = [c for c in cells if c["flows"] == flows]
        tp, tp_runs = best([c for c in fc if c["switch"] == "testpmd"])
        frames = next((c["frames"] for c in fc if "frames" in c), "")
        tcol = f"{fmt(tp)} ({tp_runs})" if tp else tp_runs
        na = {}                         # reason -> rule counts
        for rules in sorted({c["rules"] for c in fc}):
            nc = [c for c in fc if c["switch"] == "npvsd" and
                  c["rules"] == rules]
            np_, np_runs = best(nc)
            if np_ is None:
                na.setdefault(np_runs, []).append(str(rules))
                continue
            rows.append([flows, frames, rules, tcol,
                         f"{fmt(np_)} ({np_runs})", added_ns(np_, tp),
                         drops_note(nc).strip()])
        for reason, rules in na.items():
            rows.append([flows, frames, ",".join(rules), "", reason])
    print(table(["flows", "frames", "rules", "testpmd io Mpps",
                 "npvsd Mpps", "added ns/pkt", ""], rows))
    check(rs)
    rule_effect(cells)


def median(v):
    v = sorted(v)
    n = len(v)
    return (v[n // 2] + v[(n - 1) // 2]) / 2.0


def verdict(changes, noise, limit=3.0):
    """Is the change within +-limit %? "yes" when every round's is; "no"
    when every round's is beyond it, in one direction, and beyond the
    0-rule runs' own spread (noise, %); else "not resolved"."""
    if all(abs(c) <= limit for c in changes):
        return "yes"
    far = max(limit, noise)
    if all(c > far for c in changes) or all(c < -far for c in changes):
        return "no"
    return "not resolved"


def rule_effect(cells):
    """The rule-count effect of run.sh's rounds (cells with "round"): a
    count's run of round R against the mean of the 0-rule runs of rounds
    R-1 and R on the same npvsd. Results files from before the rounds
    have no such cells: nothing is printed for them."""
    rc = [c for c in cells if c["switch"] == "npvsd" and "round" in c and
          why(c["res"]) is None]
    if not any(c["rules"] for c in rc):
        return
    rounds = max(c["round"] for c in rc)
    print(f"\nRule-count effect: one npvsd per flow count, generator running; "
          f"{rounds} round(s), each applying\nthe rule counts in turn and "
          f"deleting the policies again (0 rules). change: a count's run "
          f"against\nthe mean of the 0-rule runs just before and after its "
          f"round, median of the rounds (every round\nin brackets); 0-rule "
          f"spread: (max - min) / median of those 0-rule runs. within 3%: "
          f"yes when\nevery round is, no when every round is beyond 3% and "
          f"beyond the 0-rule spread (same sign),\nelse not resolved.")
    rows = []
    for flows in sorted({c["flows"] for c in rc}):
        fc = [c for c in rc if c["flows"] == flows]
        zero = {c["round"]: c["res"]["mpps"] for c in fc if c["rules"] == 0}
        if not zero:
            continue
        zv = list(zero.values())
        spread = (max(zv) - min(zv)) / median(zv) * 100.0
        rows.append([flows, 0, f"{fmt(median(zv))} "
                     f"({' '.join(fmt(zero[r]) for r in sorted(zero))})",
                     "", f"{spread:.1f}%", ""])
        for rules in sorted({c["rules"] for c in fc if c["rules"]}):
            runs = sorted((c["round"], c["res"]["mpps"]) for c in fc
                          if c["rules"] == rules)
            ch = []
            for r, v in runs:
                base = [zero[k] for k in (r - 1, r) if k in zero]
                if base:
                    ch.append(100.0 * (v / (sum(base) / len(base)) - 1))
            rows.append([flows, rules,
                         f"{fmt(median([v for _, v in runs]))} "
                         f"({' '.join(fmt(v) for _, v in runs)})",
                         f"{median(ch):+.1f}% "
                         f"({' '.join(f'{c:+.1f}' for c in ch)})"
                         if ch else "-", "", verdict(ch, spread) if ch
                         else ""])
    print(table(["flows", "rules", "npvsd Mpps, median (runs)",
                 "change vs 0 rules", "0-rule spread", "within 3%"], rows))


def check(rs):
    """The policy check of run.sh: the generated rules are enforced."""
    c = next((r for r in rs if r["kind"] == "check"), None)
    if c is None:
        return
    r = c["res"]
    if why(r):
        print(f"policy check: {why(r)}")
        return
    a, d = r["allow"], r["deny"]
    ok = a["denied"] == 0 and d["rx"] > 0 and d["denied"] > 0.99 * d["rx"]
    print(f"policy check (10 rules, 1,000 one-way flows, 1 s): as "
          f"benchmarked {a['denied']} of {a['rx']} packets policy_denied;\n"
          f"with the allowing rule moved to another port {d['denied']} of "
          f"{d['rx']}: {'enforced' if ok else 'NOT AS EXPECTED'}.")


def newflow(rs):
    cells = [r for r in rs if r["kind"] == "newflow"]
    if not cells:
        return
    flows = cells[0]["flows"]
    print(f"\nNew flows: every packet a new flow (one-way pcap of {flows} "
          f"flows, read once, no infinite_rx);\nMpps: least-squares slope of "
          f"the tx counter between 10% and 90% of the run, best of the runs "
          f"(every run\nin brackets); npvsd alone: 1000/added ns, the rate "
          f"without the generator's cost.")
    tp, _ = best([c for c in cells if c["switch"] == "testpmd"])
    rows, na = [], {}
    keys = sorted({(c["switch"] != "testpmd", c["rules"]) for c in cells})
    for is_np, rules in keys:
        sw = "npvsd" if is_np else "testpmd"
        sc = [c for c in cells if c["switch"] == sw and c["rules"] == rules]
        b, runs = best(sc)
        if b is None:
            na.setdefault((sw, runs), []).append(str(rules))
            continue
        note = "; ".join(x for x in [next((c.get("note") for c in sc
                                            if c.get("note")), "")] +
                         [short_count(c) for c in sc] if x)
        rows.append([sw + ("" if is_np else " io"),
                     rules if is_np else "-", f"{fmt(b)} ({runs})",
                     added_ns(b, tp) if is_np else "",
                     alone_mpps(b, tp) if is_np else "", note])
    rows += [[sw, ",".join(rules), reason] for (sw, reason), rules in
             na.items()]
    print(table(["switch", "rules", "Mpps", "added ns/pkt",
                 "npvsd alone M/s", "note"], rows))


def short_count(c):
    """A new-flow run that did not forward every flow's packet: how many,
    and for npvsd (pcap with pad frames, run.sh NF_PAD) whether the pad
    went to the port add's drain as meant (rx = flows) or not."""
    r = c["res"]
    if why(r) or "tx" not in r:
        return ""
    flows, pad = c["flows"], c.get("pad", 0)
    out = []
    if r["tx"] != flows:
        out.append(f"{r['tx']} of {flows} sent")
    if pad and r.get("rx", flows) > flows:
        out.append(f"{r['rx'] - flows} pad frames reached the worker")
    return ", ".join(out)


def vhost(rs):
    cells = [r for r in rs if r["kind"] == "vhost"]
    if not cells:
        return
    if any(c.get("pods", 2) == 1 for c in cells):
        print("\nvhost-user: pod A -> switch -> pod B (virtio_user, 60-byte "
              "UDP, one flow), both pods' ports\nin one process on lcore 0 "
              "(bench_vpod), the switch's worker on lcore 1: two pollers on "
              "two cores.\nMpps, best of the runs: delivered = received by "
              "B; offered = sent by A; switch rx = taken\nby the switch from "
              "A (all in the same window; docs/benchmarks.md).")
    else:
        print("\nvhost-user: testpmd txonly pod -> switch -> testpmd rxonly "
              "pod (virtio_user, 60-byte UDP, one flow).\nMpps, best of the "
              "runs: delivered = received by the rx pod; offered = sent by "
              "the tx pod;\nswitch rx = taken by the switch from the tx pod "
              "(all in the same window). Both pods poll\non lcore 0, the "
              "switch on lcore 1: three pollers on two cores "
              "(docs/benchmarks.md).")
    sub = {"delivered": lambda r: r, "offered": lambda r: r.get("offered"),
           "switch rx": lambda r: r.get("switch_rx")}
    res = {}
    rows = []
    for sw in ("testpmd", "npvsd"):
        sc = [c for c in cells if c["switch"] == sw]
        if not sc:
            continue
        if all(why(c["res"]) for c in sc):
            rows.append([sw, why(sc[0]["res"])])
            continue
        row = [sw + (" io" if sw == "testpmd" else "")]
        for k, get in sub.items():
            v = [get(c["res"]) for c in sc]
            v = [x["mpps"] for x in v if x and why(x) is None]
            res[(sw, k)] = max(v) if v else None
            row.append(fmt(max(v)) + f" ({' '.join(fmt(x) for x in v)})"
                       if v else "n/a")
        rows.append(row)
    print(table(["switch", "delivered", "offered", "switch rx"], rows))
    for k in ("delivered", "switch rx"):
        a, b = res.get(("npvsd", k)), res.get(("testpmd", k))
        if a and b:
            print(f"npvsd/testpmd, {k}, best of each: {a / b:.2f}")
    vhost_pairs(cells, sub)


def vhost_pairs(cells, sub):
    """The ratio npvsd/testpmd of each pair of runs (run.sh --vhost-pairs;
    older results: the runs of one --repeat), and the median ratio."""
    pairs = {}
    for c in cells:
        if why(c["res"]) is None and "rep" in c:
            pairs.setdefault(c.get("pair", c["rep"]), {})[c["switch"]] = c
    rows, ratios = [], {"delivered": [], "switch rx": []}
    for p in sorted(pairs):
        t, n = pairs[p].get("testpmd"), pairs[p].get("npvsd")
        if not t or not n:
            continue
        first = "npvsd" if n.get("order") == 1 else "testpmd"
        row = [p, first]
        for k in ("delivered", "switch rx"):
            a, b = sub[k](n["res"]), sub[k](t["res"])
            ok = a and b and why(a) is None and why(b) is None and b["mpps"]
            r = a["mpps"] / b["mpps"] if ok else None
            if r is not None:
                ratios[k].append(r)
            row += [f"{fmt(b['mpps'])} / {fmt(a['mpps'])}" if ok else "n/a",
                    fmt(r) if r is not None else "-"]
        rows.append(row)
    if not rows:
        return
    win = next((c["window"] for c in cells if "window" in c), None)
    print(f"Pairs of runs (testpmd and npvsd; first: the one that ran first"
          f"{f'; {win} s windows' if win else ''}); Mpps testpmd / npvsd "
          f"and their ratio:")
    print(table(["pair", "first", "delivered", "ratio", "switch rx",
                 "ratio"], rows))
    for k, v in ratios.items():
        if v:
            print(f"npvsd/testpmd, {k}, median of {len(v)} pairs: "
                  f"{median(v):.2f} (from {min(v):.2f} to {max(v):.2f})")


def latency(rs):
    cells = [r for r in rs if r["kind"] == "latency"]
    if not cells:
        return
    n = next((c["count"] for c in cells if "count" in c), "?")
    print(f"\nLatency: UDP ping-pong between two kernel pods on af_packet "
          f"ports (bench_udp_rtt,\nboth ends on lcore 0), up to {n} round "
          f"trips per run after 1,000 warm-up; a run stops early\nafter a "
          f"time limit (n: the round trips timed); microseconds; lost: no "
          f"echo within 200 ms.")
    rows, na = [], {}
    for c in cells:
        r = c["res"]
        sw = c["switch"] + (" io" if c["switch"] == "testpmd" else "")
        rules = "-" if c["switch"] == "testpmd" else c.get("rules", "")
        if why(r) or "p50_us" not in r:
            na.setdefault((sw, why(r) or "n/a (no figures)"), []).append(
                str(rules))
            continue
        rows.append([sw, rules, c.get("rep", ""), r["n"], fmt(r["p50_us"], 1),
                     fmt(r["p90_us"], 1), fmt(r["p99_us"], 1),
                     fmt(r["p999_us"], 1), fmt(r["max_us"], 1), r["lost"]])
    rows += [[sw, ",".join(rules), "", reason] for (sw, reason), rules in
             na.items()]
    print(table(["switch", "rules", "run", "n", "p50", "p90", "p99",
                 "p99.9", "max", "lost"], rows))
    latency_spread(cells)


def latency_spread(cells):
    """Each case's p50 and p99 over its runs (lowest to highest), and how
    far the cases with rules lie outside the 0-rule runs' range: the
    rule effect against the run-to-run noise."""
    by = {}
    for c in cells:
        r = c["res"]
        if why(r) or "p50_us" not in r:
            continue
        key = ("testpmd io", -1) if c["switch"] == "testpmd" else \
            ("npvsd", int(c.get("rules", 0)))
        by.setdefault(key, []).append(r)
    base = by.get(("npvsd", 0))
    if not base or len(by) < 2:
        return
    rows = []
    for (sw, rules), rs in sorted(by.items(), key=lambda kv: kv[0][1]):
        row = [sw, "-" if rules < 0 else rules, len(rs)]
        for q in ("p50_us", "p99_us"):
            lo, hi = min(r[q] for r in rs), max(r[q] for r in rs)
            b_hi = max(r[q] for r in base)
            row.append(f"{fmt(lo, 1)} to {fmt(hi, 1)}")
            if sw == "npvsd" and rules > 0:
                # above the 0-rule range by this much (0: inside it)
                row.append(fmt(max(0.0, median([r[q] for r in rs]) - b_hi),
                               1))
            else:
                row.append("")
        rows.append(row)
    print("Spread over the runs (us): each case's lowest to highest; "
          "'above': its median's\ndistance above the highest 0-rule run "
          "(0: inside the 0-rule runs' range).")
    print(table(["switch", "rules", "runs", "p50", "above", "p99", "above"],
                rows))


def update(rs):
    c = next((r for r in rs if r["kind"] == "update"), None)
    if c is None:
        return
    r = c["res"]
    print(f"\nPolicy updates under load: {c.get('applies', '?')} applies "
          f"of one changed NetworkPolicy in the\n{c.get('rules', '?')}-rule "
          f"cluster while {c.get('flows', '?')} two-way flows run "
          f"(update.sh); latency in ms.")
    if why(r):
        print(f"  {why(r)}")
        return
    drops = r.get("drops", {})
    denied = drops.get("policy_denied", 0)
    lost = sum(v for k, v in drops.items() if k != "policy_denied")
    before, during = r["before"]["mpps"], r["during"]["mpps"]
    ms = {k: {q: (v / 1000.0 if v is not None else None)
              for q, v in r.get(k, {}).items()}
          for k in ("client_us", "active_us", "active_cpu_us")}
    print(table(["applies", "failed", "lost", "policy_denied",
                 "Mpps before", "Mpps during", "during/before"],
                [[r["applies"], r["failed"], lost, denied, fmt(before, 3),
                  fmt(during, 3),
                  fmt(during / before, 2) if before else "-"]]))
    print(table(["latency", "p50", "p99", "max"],
                [["client (npvsctl round trip)"] +
                 [fmt(ms["client_us"][q], 1) for q in ("p50", "p99", "max")],
                 ["apply-to-active (server)"] +
                 [fmt(ms["active_us"][q], 1) for q in ("p50", "p99", "max")],
                 ["  of which on CPU (server)"] +
                 [fmt(ms["active_cpu_us"].get(q, "-"), 1)
                  for q in ("p50", "p99", "max")]]))
    if lost:
        print("  lost by counter: " + ", ".join(
            f"{k} {v}" for k, v in drops.items() if k != "policy_denied"))
    ph = r.get("phases_p50_us", {})
    if ph:
        print("  median phases (ms): " + ", ".join(
            f"{k[:-3]} {v / 1000.0:.2f}" for k, v in ph.items()))
    st = r.get("steps_p50_us", {})
    if st:
        print("  median compile steps (ms): " + ", ".join(
            f"{k} {v / 1000.0:.2f}" for k, v in st.items()))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.split("\n\n")[-1])
    with open(sys.argv[1]) as f:
        rs = [json.loads(line) for line in f if line.strip()]
    header(rs)
    tput(rs)
    newflow(rs)
    vhost(rs)
    latency(rs)
    update(rs)


if __name__ == "__main__":
    main()
