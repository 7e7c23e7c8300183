#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpcap.py: UDP/IPv4 pcap files for the data-path benchmark (run.sh).

Python 3 standard library only: the pcap format (libpcap 2.4, microsecond
timestamps, LINKTYPE_ETHERNET) and the headers are written with struct.
Frames are 60 bytes (64 on the wire with the FCS): Ethernet, IPv4 (TTL 64,
header checksum), UDP (checksum computed), 18 bytes of payload.

Flows are the 5-tuples client -> server, UDP, to one server port; flow i
uses client address CLIENT[i // PORTS] and source port 1024 + i % PORTS
(PORTS = 62500), so up to 62,500 flows per client address (16 clients:
1,000,000 flows). Every frame is addressed to the switch's router MAC
(npvsd drops anything else as not_for_us); the source MAC is the sender's
own, by the benchmark's convention 02:00 followed by its IPv4 address
(10.244.1.10 is 02:00:0a:f4:01:0a; run.sh configures the endpoints so).

Modes:
  oneway  one request per flow: N frames (also the new-flow pcap: read it
          once, without infinite_rx, and every frame is a new flow)
  twoway  per flow, a request then its reply (server -> client, ports
          swapped): 2N frames. Replayed with infinite_rx=1, the first pass
          establishes every flow (request, then reply), and every later
          pass is the established steady state.

Padding (run.sh's new-flow pcap for npvsd): --pad N writes N frames first,
addressed to PAD_MAC (02:00:00:00:00:00: no switch port's, npvsd would
drop them as not_for_us and never send them), flow k's request each;
--then PCAP makes the rest of the file PCAP's frames (copied as they
are) instead of new ones. npvsd's `port add` reads and frees what a new
port has already received before its worker polls it (vswitch/vs_port.c,
port_drain: up to 1,024 bursts of 32): from a one-shot pcap that is the
file's first 32,768 frames, which the pad gives it in place of flows.

Usage:
  mkpcap.py OUT.pcap --flows N [--mode oneway|twoway]
            [--client IP]... [--server IP] [--dport P]
            [--router-mac MAC] [--pad N [--then PCAP]]
  mkpcap.py --check FILE.pcap     (prints frames, flows and sizes: a
                                   reader written apart from the writer)
"""
import argparse
import ipaddress
import itertools
import struct
import sys

PORTS = 62500
SPORT_BASE = 1024
FRAME_LEN = 60
PAYLOAD = b"npvs-bench-payload"          # 18 bytes: 14 + 20 + 8 + 18 = 60
assert len(PAYLOAD) == FRAME_LEN - 42

PCAP_MAGIC = 0xA1B2C3D4
PCAP_HDR = 24                           # file header; 16 a record
PAD_MAC = "02:00:00:00:00:00"
LINKTYPE_ETHERNET = 1


def mac_bytes(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise ValueError(f"not a MAC: {s}")
    return b


def csum(data):
    """Internet checksum (RFC 1071) of bytes, as an int."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pod_mac(ip):
    """The benchmark's pod MAC: 02:00 and the IPv4 address."""
    return b"\x02\x00" + ip


def frame(dmac, smac, sip, dip, sport, dport, ident):
    """One 60-byte Ethernet/IPv4/UDP frame."""
    ulen = 8 + len(PAYLOAD)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, ident & 0xFFFF,
                     0x4000, 64, 17, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    pseudo = struct.pack("!4s4sBBH", sip, dip, 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + PAYLOAD
    uc = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", uc) + udp[8:]
    return dmac + smac + b"\x08\x00" + ip + udp


def flows(n, clients, server, dport):
    """Yield (client ip bytes, sport, server ip bytes, dport) per flow."""
    for i in range(n):
        yield clients[i // PORTS], SPORT_BASE + i % PORTS, server, dport


def write(path, frames, then=None):
    """Write the frames, then (a path) the records of another pcap."""
    hdr = struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, 65535,
                      LINKTYPE_ETHERNET)
    n = 0
    with open(path, "wb") as f:
        f.write(hdr)
        for fr in frames:
            f.write(struct.pack("<IIII", n // 1000000, n % 1000000,
                                len(fr), len(fr)))
            f.write(fr)
            n += 1
        if then:
            n += copy_records(then, f)
    return n


def copy_records(path, out):
    """Copy a pcap's records (not its header) to out; their count."""
    n = 0
    with open(path, "rb") as f:
        if f.read(PCAP_HDR)[:4] != struct.pack("<I", PCAP_MAGIC):
            raise ValueError(f"{path}: not a little-endian microsecond pcap")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            incl = struct.unpack_from("<I", rec, 8)[0]
            out.write(rec + f.read(incl))
            n += 1
    return n


def pad(args):
    """The --pad frames: flow k's request to PAD_MAC, not the router."""
    dmac = mac_bytes(PAD_MAC)
    clients = [ipaddress.IPv4Address(c).packed for c in args.client]
    server = ipaddress.IPv4Address(args.server).packed
    for k, (cip, sport, sip, dport) in enumerate(
            flows(args.pad, clients, server, args.dport)):
        yield frame(dmac, pod_mac(cip), cip, sip, sport, dport, k + 1)


def gen(args):
    router = mac_bytes(args.router_mac)
    clients = [ipaddress.IPv4Address(c).packed for c in args.client]
    server = ipaddress.IPv4Address(args.server).packed
    ident = 0
    for cip, sport, sip, dport in flows(args.flows, clients, server,
                                        args.dport):
        ident += 1
        yield frame(router, pod_mac(cip), cip, sip, sport, dport, ident)
        if args.mode == "twoway":
            ident += 1
            yield frame(router, pod_mac(sip), sip, cip, dport, sport, ident)


def check(path):
    """Read a pcap back: frame count, sizes, distinct flows, bad sums."""
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack_from("<I", data, 0)
    if magic != PCAP_MAGIC:
        raise SystemExit(f"{path}: not a little-endian microsecond pcap")
    off, n, bad, sizes, tuples = 24, 0, 0, set(), set()
    while off < len(data):
        _, _, incl, orig = struct.unpack_from("<IIII", data, off)
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        sizes.add(orig)
        ip = fr[14:34]
        if fr[12:14] != b"\x08\x00" or csum(ip) != 0:
            bad += 1
            continue
        sport, dport = struct.unpack_from("!HH", fr, 34)
        a, b = (ip[12:16], sport), (ip[16:20], dport)
        tuples.add((min(a, b), max(a, b)))      # a flow, either direction
    print(f"frames {n} flows {len(tuples)} sizes {sorted(sizes)} "
          f"bad_ip_checksum {bad}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out", nargs="?")
    p.add_argument("--check", metavar="PCAP")
    p.add_argument("--flows", type=int, default=1)
    p.add_argument("--mode", choices=("oneway", "twoway"), default="twoway")
    p.add_argument("--client", action="append")
    p.add_argument("--server", default="10.244.1.2")
    p.add_argument("--dport", type=int, default=5000)
    p.add_argument("--router-mac", default="02:6e:70:76:73:01")
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--then", metavar="PCAP")
    args = p.parse_args()
    if args.check:
        check(args.check)
        return
    if not args.out or args.flows < 1:
        p.error("an output file and --flows >= 1 are needed")
    args.client = args.client or ["10.244.1.10", "10.244.1.11"]
    if max(args.flows, args.pad) > PORTS * len(args.client):
        p.error(f"{max(args.flows, args.pad)} flows need "
                f"{-(-max(args.flows, args.pad) // PORTS)} client "
                f"addresses (--client), {len(args.client)} given")
    if args.pad < 0 or (args.then and not args.pad):
        p.error("--pad N >= 0; --then needs --pad")
    frames = pad(args) if args.pad else iter(())
    if not args.then:
        frames = itertools.chain(frames, gen(args))
    try:
        n = write(args.out, frames, args.then)
    except (OSError, ValueError) as e:
        raise SystemExit(f"mkpcap.py: {e}")
    what = f"then {args.then}" if args.then else \
        f"{args.flows} flows, {args.mode}"
    print(f"{args.out}: {n} frames ({args.pad} pad), {what}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
