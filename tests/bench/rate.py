#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""rate.py: packet rate of a running process from its counters (run.sh).

Python 3 standard library only. Two sources of counters:

  --npvsd SOCK       npvsd's control socket: the `stats` command (the reply
                     `npvsctl -o json stats` prints), one persistent
                     connection; rx = sum of the ports' rx_packets, tx = sum
                     of their tx_packets, drops = sum of the drop counters.
  --telemetry SOCK   a DPDK process's telemetry socket
                     (/var/run/dpdk/PREFIX/dpdk_telemetry.v2): /ethdev/stats
                     of every port (or --ports); rx = sum of ipackets,
                     tx = sum of opackets, drops = imissed + ierrors +
                     oerrors + rx_nombuf. Used for dpdk-testpmd and for
                     the testpmd pods of the vhost-user run.

Modes:
  steady   wait until the counter moves (--ready-timeout), sleep --warmup
           seconds, read, sleep --window seconds, read again. The time of a
           reading is the middle of its request (monotonic clock).
  oneshot  for a generator that stops (net_pcap without infinite_rx):
           read every --interval seconds (default 0: back to back, a
           reading takes 0.1 to 0.5 ms) until the counter reaches
           --total, stops moving for --idle seconds, or has moved for
           --max-seconds (a slow switch: what came so far), then fit a least-squares line to the
           readings between 10% and 90% of the final count (the ramp-up
           and the tail stay out).

Prints one JSON object: mpps, the counter deltas (pkts, rx, tx, drops),
secs, and "error" when no rate could be had (then exit status 1).

Usage:
  rate.py (--npvsd SOCK | --telemetry SOCK [--ports 0,1])
          [--count rx|tx] [--mode steady|oneshot] [--warmup S] [--window S]
          [--ready-timeout S] [--total N] [--interval S] [--idle S]
          [--ready-file PATH] [--max-seconds S]
"""
import argparse
import json
import socket
import sys
import time


class Npvsd:
    """npvsd's control socket: newline-delimited JSON (docs/api.md).

    Plain send/recv on the socket: a socket.makefile("rw") reader was seen
    to block for good here while another client changed ports."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""

    def call(self, req):
        self.s.sendall(json.dumps(req).encode() + b"\n")
        while b"\n" not in self.buf:
            d = self.s.recv(1 << 16)
            if not d:
                raise RuntimeError("npvsd closed the connection")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def read(self):
        r = self.call({"cmd": "stats"})
        if not r.get("ok"):
            raise RuntimeError(f"npvsd stats: {r.get('error')}")
        rx = sum(p["rx_packets"] for p in r["ports"])
        tx = sum(p["tx_packets"] for p in r["ports"])
        return {"rx": rx, "tx": tx, "drops": sum(r["drops"].values())}


class Telemetry:
    """DPDK telemetry v2: SOCK_SEQPACKET, one JSON reply per command."""

    def __init__(self, path, ports):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(10)
        self.s.connect(path)
        hello = json.loads(self.s.recv(4096))
        self.max = hello.get("max_output_len", 16384)
        self.ports = ports if ports is not None else \
            self.cmd("/ethdev/list")["/ethdev/list"]
        if not self.ports:
            raise ValueError("no ethdev ports yet")

    def cmd(self, c):
        self.s.send(c.encode())
        return json.loads(self.s.recv(self.max))

    def read(self):
        out = {"rx": 0, "tx": 0, "drops": 0}
        for p in self.ports:
            st = self.cmd(f"/ethdev/stats,{p}")["/ethdev/stats"]
            out["rx"] += st["ipackets"]
            out["tx"] += st["opackets"]
            out["drops"] += (st["imissed"] + st["ierrors"] + st["oerrors"] +
                             st["rx_nombuf"])
        return out


def sample(src):
    t0 = time.monotonic()
    c = src.read()
    c["t"] = (t0 + time.monotonic()) / 2
    return c


def connect(args, deadline):
    """Connect, retrying until the socket exists and answers."""
    while True:
        try:
            if args.npvsd:
                return Npvsd(args.npvsd)
            return Telemetry(args.telemetry, args.ports)
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def delta(a, b, key):
    d = {k: b[k] - a[k] for k in ("rx", "tx", "drops")}
    d["pkts"] = d[key]
    d["secs"] = b["t"] - a["t"]
    d["mpps"] = d["pkts"] / d["secs"] / 1e6 if d["secs"] > 0 else 0.0
    return d


def steady(src, args, deadline):
    first = sample(src)
    while True:                         # wait for traffic
        time.sleep(0.05)
        c = sample(src)
        if c[args.count] > first[args.count]:
            break
        if time.monotonic() > deadline:
            return {"error": f"no {args.count} traffic within "
                             f"{args.ready_timeout} s"}
    time.sleep(args.warmup)
    a = sample(src)
    time.sleep(args.window)
    return delta(a, sample(src), args.count)


def fit(points):
    """Least-squares slope of (t, n) points, in packets per second."""
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mc = sum(c for _, c in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (c - mc) for t, c in points) / var if var else 0.0


def oneshot(src, args, deadline):
    samples = [sample(src)]
    if args.ready_file:                 # the caller may start the traffic
        open(args.ready_file, "w").close()
    start = time.monotonic()
    moved = None                        # when the counter last moved
    first = None                        # ... first moved
    while time.monotonic() < deadline:
        if args.interval:
            time.sleep(args.interval)
        samples.append(sample(src))
        cur, prev = samples[-1][args.count], samples[-2][args.count]
        if args.total and cur - samples[0][args.count] >= args.total:
            break
        if cur != prev:
            moved = samples[-1]["t"]
            first = first or moved
        if first and samples[-1]["t"] - first > args.max_seconds:
            break                       # slow: fit what came so far
        elif moved is not None and samples[-1]["t"] - moved > args.idle:
            break                       # stopped short of --total
        elif moved is None and time.monotonic() - start > args.ready_timeout:
            return {"error": f"no {args.count} traffic within "
                             f"{args.ready_timeout} s"}
    base = samples[0]
    final = samples[-1][args.count] - base[args.count]
    lo, hi = 0.1 * final, 0.9 * final
    pts = [(s["t"], s[args.count] - base[args.count]) for s in samples
           if lo <= s[args.count] - base[args.count] <= hi]
    d = delta(base, samples[-1], args.count)
    if len(pts) >= 3 and pts[-1][0] - pts[0][0] > 0:
        d["mpps"] = fit(pts) / 1e6
        d["readings"] = len(pts)
        return d
    # Too few readings in the ramp (the reader was off the CPU): the
    # mean rate from the first reading that moved to the last one.
    moving = [s for s in samples if s[args.count] > base[args.count]]
    if len(moving) >= 2 and moving[-1]["t"] > moving[0]["t"]:
        d["mpps"] = (moving[-1][args.count] - moving[0][args.count]) / \
            (moving[-1]["t"] - moving[0]["t"]) / 1e6
        d["readings"] = len(pts)
        d["method"] = "mean (too few readings for the fit)"
        return d
    d["error"] = (f"only {len(pts)} readings inside the ramp "
                  f"({final} packets)")
    return d


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--npvsd", metavar="SOCK")
    g.add_argument("--telemetry", metavar="SOCK")
    p.add_argument("--ports", type=lambda s: [int(x) for x in s.split(",")])
    p.add_argument("--count", choices=("rx", "tx"), default="tx")
    p.add_argument("--mode", choices=("steady", "oneshot"), default="steady")
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--window", type=float, default=3.0)
    p.add_argument("--ready-timeout", type=float, default=30.0)
    p.add_argument("--total", type=int, default=0)
    p.add_argument("--interval", type=float, default=0.0)
    p.add_argument("--idle", type=float, default=2.0)
    p.add_argument("--max-seconds", type=float, default=10.0)
    p.add_argument("--ready-file", metavar="PATH")
    args = p.parse_args()
    deadline = time.monotonic() + args.ready_timeout
    try:
        src = connect(args, deadline)
        if args.mode == "steady":
            out = steady(src, args, deadline)
        else:
            out = oneshot(src, args, deadline + 60)
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        out = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out))
    sys.exit(1 if "error" in out else 0)


if __name__ == "__main__":
    main()
