#!/usr/bin/env python3
"""tests/integration/policy_probe.py: traffic for the policy tests
(test_policy_enforce.sh, test_policy_refused.sh, test_reach_agrees.sh),
run inside a pod's network namespace.

  serve PORT[/udp|/tcp]...        echo servers (TCP: every byte back; UDP:
                                  every datagram back), until killed
  tcp HOST PORT [TIMEOUT]         connect, one line there and back: exit 0
                                  when the echo came, 1 otherwise
  udp HOST PORT [TIMEOUT]         one datagram there and back (sent twice,
                                  half the timeout apart): exit 0/1
  send HOST PORT FILE RATE        send FILE at RATE bytes/s over one TCP
                                  connection to an echo server, read the
                                  echo; print "SENT_SHA ECHO_SHA BYTES"
  chat HOST PORT SECONDS          one TCP connection, a line every 0.1 s,
                                  each echo awaited 1 s; print "line N"
                                  per echo, then "ok N" and exit 0 if it
                                  lasted, "cut N" and exit 1 at the first
                                  echo that did not come
  probe OUT TIMEOUT SPEC...       many probes at once (threads); SPEC is
                                  HOST:PORT/tcp or HOST:PORT/udp; writes
                                  "SPEC 1|0" lines to OUT
"""
import hashlib
import os
import socket
import sys
import threading
import time


def serve_tcp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)

    def echo(c):
        with c:
            while True:
                try:
                    b = c.recv(65536)
                except OSError:
                    return
                if not b:
                    return
                c.sendall(b)

    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def serve_udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        b, peer = s.recvfrom(65536)
        s.sendto(b, peer)


def serve(specs):
    for spec in specs:
        port, _, proto = spec.partition("/")
        for p in ([proto] if proto else ["tcp", "udp"]):
            fn = serve_tcp if p == "tcp" else serve_udp
            threading.Thread(target=fn, args=(int(port),),
                             daemon=True).start()
    while True:
        time.sleep(3600)


def tcp(host, port, timeout):
    msg = b"npvs-probe %d\n" % os.getpid()
    try:
        with socket.create_connection((host, port), timeout=timeout) as c:
            c.settimeout(timeout)
            c.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = c.recv(len(msg) - len(got))
                if not b:
                    return False
                got += b
            return got == msg
    except OSError:
        return False


def udp(host, port, timeout):
    msg = b"npvs-probe %d %f" % (os.getpid(), time.time())
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _ in range(2):
            s.sendto(msg, (host, port))
            s.settimeout(timeout / 2)
            try:
                while True:
                    b, _ = s.recvfrom(65536)
                    if b == msg:
                        return True
            except socket.timeout:
                pass
        return False
    finally:
        s.close()


def send(host, port, path, rate):
    data = open(path, "rb").read()
    c = socket.create_connection((host, port), timeout=10)
    c.settimeout(20)
    echo = hashlib.sha256()
    got = [0]

    def reader():
        while got[0] < len(data):
            b = c.recv(65536)
            if not b:
                break
            echo.update(b)
            got[0] += len(b)

    t = threading.Thread(target=reader)
    t.start()
    chunk = 16384
    start = time.time()
    for off in range(0, len(data), chunk):
        c.sendall(data[off:off + chunk])
        ahead = (off + chunk) / rate - (time.time() - start)
        if ahead > 0:
            time.sleep(ahead)
    t.join(30)
    c.close()
    print(hashlib.sha256(data).hexdigest(), echo.hexdigest(), got[0])


def chat(host, port, seconds):
    n = 0
    try:
        c = socket.create_connection((host, port), timeout=2)
        c.settimeout(1.0)
        end = time.time() + seconds
        while time.time() < end:
            msg = b"line %d\n" % n
            c.sendall(msg)
            got = b""
            while len(got) < len(msg):
                b = c.recv(len(msg) - len(got))
                if not b:
                    raise OSError("closed")
                got += b
            n += 1
            print("line", n, flush=True)
            time.sleep(0.1)
    except OSError:
        print("cut", n)
        return 1
    print("ok", n)
    return 0


def probe(out, timeout, specs):
    res = {}

    def one(spec):
        hp, _, proto = spec.partition("/")
        host, _, port = hp.rpartition(":")
        fn = udp if proto == "udp" else tcp
        res[spec] = fn(host, int(port), timeout)

    ts = [threading.Thread(target=one, args=(s,)) for s in specs]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with open(out, "w") as f:
        for s in specs:
            f.write("%s %d\n" % (s, 1 if res.get(s) else 0))


def main(a):
    cmd = a[0]
    if cmd == "serve":
        serve(a[1:])
    elif cmd in ("tcp", "udp"):
        t = float(a[3]) if len(a) > 3 else 2.0
        ok = (tcp if cmd == "tcp" else udp)(a[1], int(a[2]), t)
        return 0 if ok else 1
    elif cmd == "send":
        send(a[1], int(a[2]), a[3], float(a[4]))
    elif cmd == "chat":
        return chat(a[1], int(a[2]), float(a[3]))
    elif cmd == "probe":
        probe(a[1], float(a[2]), a[3:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
