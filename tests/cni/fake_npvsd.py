#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for npvsd's control socket (docs/api.md), for npvs-cni tests
that need no data plane: it keeps ports and endpoints in memory, checks
what the real one would (an afpacket port's interface must exist, names
unique), and can be told to fail or hang on one command.

    fake_npvsd.py SOCKET [--fail CMD] [--hang CMD]

--fail CMD answers CMD with {"ok": false, "code": "EINVAL"}; --hang CMD
never answers CMD (the client's timeout is under test). Stops on SIGTERM.
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading

ports = {}
endpoints = {}
lock = threading.Lock()


def err(code, msg):
    return {"ok": False, "error": msg, "code": code}


def port_add(a):
    name = a.get("name")
    if not name or name in ports:
        return err("EEXIST" if name else "EINVAL", "bad or duplicate name")
    t = a.get("type")
    if t == "afpacket":
        iface = a.get("iface", "")
        if not os.path.exists("/sys/class/net/%s" % iface):
            return err("ENODEV", "no interface %s" % iface)
        detail = iface
    elif t == "vhost":
        if a.get("mode", "server") not in ("client", "server"):
            return err("EINVAL", "bad mode")
        detail = "%s (%s%s)" % (a.get("path"), a.get("mode", "server"),
                                ", mtu %d" % a["mtu"] if "mtu" in a else "")
    else:
        return err("EINVAL", "bad type")
    ports[name] = {"name": name, "type": t, "uplink": False,
                   "link_up": False, "port_id": len(ports),
                   "detail": detail, "rx_packets": 0, "rx_bytes": 0,
                   "tx_packets": 0, "tx_bytes": 0, "tx_full": 0}
    return {"ok": True, "port": ports[name]}


def port_del(a):
    if ports.pop(a.get("name"), None) is None:
        return err("ENOENT", "no such port")
    return {"ok": True}


def endpoint_add(a):
    for k in ("namespace", "name", "port"):
        if not isinstance(a.get(k), str) or not a[k]:
            return err("EINVAL", "missing " + k)
    ips = a.get("ips")
    if not isinstance(ips, list) or not 1 <= len(ips) <= 4:
        return err("EINVAL", "bad ips")
    ep = {"namespace": a["namespace"], "name": a["name"], "port": a["port"],
          "ips": ips, "mac": a.get("mac")}
    endpoints[(a["namespace"], a["name"])] = ep
    return {"ok": True, "endpoint": ep}


def endpoint_del(a):
    if endpoints.pop((a.get("namespace"), a.get("name")), None) is None:
        return err("ENOENT", "no such endpoint")
    return {"ok": True}


def endpoint_list(_a):
    out = []
    for ep in endpoints.values():
        e = dict(ep)
        e["port_present"] = ep["port"] in ports
        out.append(e)
    return {"ok": True, "endpoints": out}


CMDS = {
    "version": lambda a: {"ok": True, "version": "fake", "node": "test"},
    "port_add": port_add,
    "port_del": port_del,
    "port_list": lambda a: {"ok": True, "ports": list(ports.values())},
    "endpoint_add": endpoint_add,
    "endpoint_del": endpoint_del,
    "endpoint_list": endpoint_list,
}


def serve(conn, opts):
    f = conn.makefile("rwb")
    for line in f:
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            args = req.get("args") or {}
        except ValueError:
            f.write(b'{"ok":false,"error":"bad json","code":"EINVAL"}\n')
            f.flush()
            continue
        if cmd == opts.hang:
            threading.Event().wait(3600)
        with lock:
            if cmd == opts.fail:
                rep = err("EINVAL", "failing %s on request" % cmd)
            elif cmd in CMDS:
                rep = CMDS[cmd](args)
            else:
                rep = err("EINVAL", "unknown command")
        f.write((json.dumps(rep) + "\n").encode())
        f.flush()
    conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    p.add_argument("--fail")
    p.add_argument("--hang")
    opts = p.parse_args()
    if os.path.exists(opts.socket):
        os.unlink(opts.socket)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(opts.socket)
    s.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            conn, _ = s.accept()
            threading.Thread(target=serve, args=(conn, opts),
                             daemon=True).start()
    finally:
        os.unlink(opts.socket)


if __name__ == "__main__":
    main()
