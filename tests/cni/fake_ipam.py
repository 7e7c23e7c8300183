#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""An IPAM plugin that speaks CNI 1.1.0 (GC, STATUS), which Debian's
host-local (1.0.0 at most) does not, for npvs-cni's delegation tests.

Its config is the network config's "ipam" object: "dataDir" (required)
holds one file per allocation (<containerID>@<ifname>, content: the IP),
"log" (every call: command, containerID, cniVersion seen) and, when it
exists, "down" (STATUS fails with code 50). Addresses: 10.77.0.N/24.
"""
import json
import os
import sys


def out(obj, code=0):
    print(json.dumps(obj))
    sys.exit(code)


def main():
    cmd = os.environ.get("CNI_COMMAND", "")
    conf = json.load(sys.stdin)
    ver = conf.get("cniVersion", "")
    if cmd == "VERSION":
        out({"cniVersion": ver or "1.1.0",
             "supportedVersions": ["0.4.0", "1.0.0", "1.1.0"]})
    d = conf["ipam"]["dataDir"]
    os.makedirs(d, exist_ok=True)
    cid = os.environ.get("CNI_CONTAINERID", "")
    key = "%s@%s" % (cid, os.environ.get("CNI_IFNAME", ""))
    with open(os.path.join(d, "log"), "a") as f:
        f.write("%s %s %s\n" % (cmd, cid or "-", ver))
    if cmd == "ADD":
        n = 2 + len([x for x in os.listdir(d) if "@" in x])
        ip = "10.77.0.%d" % n
        with open(os.path.join(d, key), "w") as f:
            f.write(ip)
        out({"cniVersion": ver, "ips": [{"address": ip + "/24",
                                         "gateway": "10.77.0.1"}]})
    if cmd == "DEL":
        try:
            os.unlink(os.path.join(d, key))
        except FileNotFoundError:
            pass
        sys.exit(0)
    if cmd == "CHECK":
        if not os.path.exists(os.path.join(d, key)):
            out({"cniVersion": ver, "code": 3, "msg": "no allocation"}, 1)
        sys.exit(0)
    if cmd == "GC":
        valid = {"%s@%s" % (a["containerID"], a["ifname"])
                 for a in conf.get("cni.dev/valid-attachments", [])}
        for x in os.listdir(d):
            if "@" in x and x not in valid:
                os.unlink(os.path.join(d, x))
        sys.exit(0)
    if cmd == "STATUS":
        if os.path.exists(os.path.join(d, "down")):
            out({"cniVersion": ver, "code": 50, "msg": "ipam down"}, 1)
        sys.exit(0)
    out({"cniVersion": ver, "code": 4, "msg": "unknown command"}, 1)


if __name__ == "__main__":
    main()
