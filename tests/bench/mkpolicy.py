#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""mkpolicy.py: the benchmark's pods and N NetworkPolicy rules (run.sh).

Python 3 standard library only; prints YAML for `npvsctl apply -f` (and
`npvsctl reach -f`, which checks it offline):

  - Namespace bench;
  - Pod bench/server (label app: bench-server, status.podIP the server
    address) and one Pod bench/client-K per client address (label
    app: bench-client);
  - for N > 0, NetworkPolicies bench/bench-rules-NNN selecting the server
    for Ingress, at most --per-policy rules each, N ingress rules in all.
    Rules 0..N-2 are distinct and none matches the benchmark's traffic:
    rule k allows UDP port 10000 + k from ipBlock 172.16.(k / 250).(k %
    250 + 1)/32, so every rule has its own peer and its own port and the
    classifier holds N real rules. The last rule, N-1, allows UDP --dport
    from podSelector app: bench-client: the benchmark's traffic is allowed
    by that one rule only. The server is isolated for ingress once N > 0;
    the clients are not isolated (no policy selects them), so their
    egress is open and the replies are allowed as replies.
  N = 0 prints the Namespace and Pods only: nothing is isolated.

Rules are written one a line in YAML flow style. npvsd takes at most
1 MiB per request: with --split DIR the output goes to DIR/00-pods.yaml
and DIR/NN-rules.yaml, at most --per-file policies each, to be applied
one file after the other (each file its own transaction).

Usage:
  mkpolicy.py --rules N [--server IP] [--client IP]... [--dport P]
              [--per-policy M] [--node NAME] [--split DIR [--per-file K]]
"""
import os
import argparse
import sys

NS = "bench"


def pod(name, app, ip, node):
    return f"""---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: {NS}
  labels:
    app: {app}
spec:
  nodeName: {node}
  containers:
  - name: main
    image: bench
status:
  podIP: {ip}
"""


def decoy_rule(k):
    """Rule k (k < 250 * 256): its own /32 peer and its own UDP port."""
    return (f"  - {{from: [{{ipBlock: {{cidr: 172.16.{k // 250}."
            f"{k % 250 + 1}/32}}}}], ports: [{{protocol: UDP, "
            f"port: {10000 + k}}}]}}\n")


def allow_rule(dport):
    return (f"  - {{from: [{{podSelector: {{matchLabels: {{app: bench-client}}"
            f"}}}}], ports: [{{protocol: UDP, port: {dport}}}]}}\n")


def policy(idx, rules):
    return f"""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bench-rules-{idx:03d}
  namespace: {NS}
spec:
  podSelector:
    matchLabels:
      app: bench-server
  policyTypes:
  - Ingress
  ingress:
""" + "".join(rules)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rules", type=int, required=True)
    p.add_argument("--server", default="10.244.1.2")
    p.add_argument("--client", action="append")
    p.add_argument("--dport", type=int, default=5000)
    p.add_argument("--per-policy", type=int, default=100)
    p.add_argument("--node", default="bench")
    p.add_argument("--split", metavar="DIR")
    p.add_argument("--per-file", type=int, default=20)
    args = p.parse_args()
    if not 0 <= args.rules <= 250 * 256 or args.per_policy < 1 or \
            args.per_file < 1:
        p.error("--rules from 0 to 64000, --per-policy and --per-file >= 1")
    clients = args.client or ["10.244.1.10", "10.244.1.11"]

    out = [f"""# mkpolicy.py --rules {args.rules}: generated, do not edit
---
apiVersion: v1
kind: Namespace
metadata:
  name: {NS}
"""]
    out.append(pod("server", "bench-server", args.server, args.node))
    for k, ip in enumerate(clients):
        out.append(pod(f"client-{k}", "bench-client", ip, args.node))
    rules = [decoy_rule(k) for k in range(args.rules - 1)]
    if args.rules > 0:
        rules.append(allow_rule(args.dport))
    pols = [policy(i // args.per_policy, rules[i:i + args.per_policy])
            for i in range(0, len(rules), args.per_policy)]
    if not args.split:
        sys.stdout.write("".join(out + pols))
        return
    os.makedirs(args.split, exist_ok=True)
    with open(os.path.join(args.split, "00-pods.yaml"), "w") as f:
        f.write("".join(out))
    for i in range(0, len(pols), args.per_file):
        name = f"{i // args.per_file + 1:02d}-rules.yaml"
        with open(os.path.join(args.split, name), "w") as f:
            f.write("".join(pols[i:i + args.per_file]))


if __name__ == "__main__":
    main()
