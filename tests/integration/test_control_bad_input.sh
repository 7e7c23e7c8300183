#!/usr/bin/env bash
# test_control_bad_input.sh: npvsd's control socket under bad input while
# two kernel pods ping each other. Ports and endpoints are added at run
# time with npvsctl; then a client sends malformed requests (not JSON,
# not an object, unknown command, missing and mistyped fields, bad
# values, invalid UTF-8, duplicate keys, deep nesting), an oversized
# line, half requests followed by a disconnect, a line it never
# finishes, too many connections at once and requests whose replies it
# never reads. Each gets the documented error reply (code and where,
# docs/api.md) or is dropped; afterwards npvsd still answers, npvsctl
# reports errors with exit status 1, and the ping lost nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
npvs_init cbad "$@"
npvs_need ping ethtool python3

pod_kernel_add a 10.244.2.2/24 10.244.2.1
pod_kernel_add b 10.244.2.3/32 169.254.1.1

npvsd_config_write CIDR=10.244.2.0/24 > "$NPVS_TMP/npvsd.yaml" </dev/null
npvsd_start "$NPVS_TMP/npvsd.yaml"

# ---- ports and endpoints at run time, with npvsctl ----
npvsctl port add pa --afpacket "$(pod_veth a)" >/dev/null ||
	npvs_fail "port add pa"
npvsctl port add pb --afpacket "$(pod_veth b)" >/dev/null ||
	npvs_fail "port add pb"
npvsctl endpoint add t/a --port pa --ip 10.244.2.2 >/dev/null ||
	npvs_fail "endpoint add t/a"
npvsctl endpoint add t/b --port pb --ip 10.244.2.3 >/dev/null ||
	npvs_fail "endpoint add t/b"
wait_for 5 npvs_port_up pa && wait_for 5 npvs_port_up pb ||
	npvs_fail "ports not up"
pod_exec a ping -c 2 -i 0.2 -W 2 10.244.2.3 >/dev/null ||
	npvs_fail "no ping a -> b before the test"

# ---- a steady ping during everything below ----
pod_exec a ping -c 200 -i 0.05 -W 1 10.244.2.3 >"$NPVS_TMP/ping.log" 2>&1 &
ping_pid=$!

# ---- malformed requests, by a raw client ----
python3 - "$NPVSD_SOCK" <<'PY' || npvs_fail "bad-input client"
import json, socket, sys, time

path = sys.argv[1]
failures = []

def connect(timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s

def reply(f):
    line = f.readline()
    return json.loads(line) if line else None

def check(what, r, code, where=None):
    ok = r is not None and r.get("ok") is False and r.get("error")
    if ok and code is not None:
        ok = r.get("code") == code
    if ok and where is not None:
        ok = r.get("where", "") == where
    if not ok:
        failures.append(f"{what}: want {code} at {where!r}, got {r}")

def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True

def serving(what):
    s = connect()
    f = s.makefile("rwb")
    f.write(b'{"cmd":"version","id":"probe"}\n')
    f.flush()
    r = reply(f)
    s.close()
    if not (r and r.get("ok") is True and r.get("id") == "probe"):
        failures.append(f"not serving after {what}: {r}")

EP = b'"cmd":"endpoint_add","args":{"namespace":"t","name":"c","port":"pa",'
cases = [
    (b"{not json", "EBADMSG", ""),
    (b"\xff\xfe\x00", "EBADMSG", ""),
    (b'{"cmd":"version","cmd":"stats"}', "EBADMSG", ""),
    (b"[" * 5000 + b"]" * 5000, "EBADMSG", ""),
    (b"[1,2,3]", "EINVAL", ""),
    (b'"version"', "EINVAL", ""),
    (b'{"command":"version"}', "EINVAL", ""),
    (b'{"cmd":42}', "EINVAL", "/cmd"),
    (b'{"cmd":"frobnicate"}', "ENOSYS", "/cmd"),
    (b'{"cmd":"version","args":[1]}', "EINVAL", "/args"),
    (b'{"cmd":"port_add"}', "EINVAL", "/args/name"),
    (b'{"cmd":"port_add","args":{"name":"x","type":"afpacket","iface":1}}',
     "EINVAL", "/args/iface"),
    (b'{"cmd":"port_add","args":{"name":"x","type":"afpacket",'
     b'"iface":"a,b=c"}}', "EINVAL", "/args/iface"),
    (b'{"cmd":"port_add","args":{"name":"x","type":"vhost",'
     b'"path":"relative.sock"}}', "EINVAL", "/args/path"),
    (b'{"cmd":"port_add","args":{"name":"x","type":"afpacket",'
     b'"iface":"nvcbad-none"}}', None, None),   # the switch refuses
    (b'{"cmd":"port_add","args":{"name":"pa","type":"afpacket",'
     b'"iface":"lo"}}', "EEXIST", "/args/name"),
    (b'{"cmd":"port_del","args":{"name":"nope"}}', "ENOENT", "/args/name"),
    (b"{" + EP + b'"ips":["10.244.2.300"]}}', "EINVAL", "/args/ips/0"),
    (b"{" + EP + b'"ips":["10.244.2.9","10.244.2.9"]}}', "EINVAL",
     "/args/ips/1"),
    (b"{" + EP + b'"ips":["10.244.2.9"],"mac":"ff:ff:ff:ff:ff:ff"}}',
     "EINVAL", "/args/mac"),
    (b'{"cmd":"endpoint_del","args":{"namespace":"t"}}', "EINVAL",
     "/args/name"),
]

# 1. Every malformed line on one connection, each answered, in order.
s = connect()
f = s.makefile("rwb")
for line, code, where in cases:
    f.write(line + b"\n")
f.write(b'{"cmd":"version","id":7}\n')
f.flush()
for line, code, where in cases:
    check(line[:40], reply(f), code, where)
r = reply(f)
if not (r and r.get("ok") is True and r.get("id") == 7):
    failures.append(f"good request after the bad ones: {r}")
s.close()

# 2. Oversized: 1.5 MiB without a newline -> EMSGSIZE, then closed.
s = connect()
try:
    s.sendall(b'{"cmd":"version","pad":"' + b"x" * (3 << 19))
except (BrokenPipeError, ConnectionResetError):
    pass
check("oversized", reply(s.makefile("rb")), "EMSGSIZE", "")
if not closed(s):
    failures.append("oversized: connection not closed")
s.close()
serving("an oversized request")

# 3. Half a request, then gone (x20); a request, then gone before the reply.
for i in range(20):
    s = connect()
    s.sendall(b'{"cmd":"port_add","args":{"name":"p')
    s.close()
s = connect()
s.sendall(b'{"cmd":"stats"}\n')
s.close()
serving("disconnects mid-request")

# 4. A line never finished does not block the others.
held = connect()
held.sendall(b'{"cmd":"version",')
serving("a client holding half a line")

# 5. Requests whose replies are never read.
greedy = connect()
greedy.setblocking(False)
try:
    for i in range(5000):
        greedy.send(b'{"cmd":"stats"}\n')
except BlockingIOError:
    pass
serving("a client that does not read")
held.close()
greedy.close()
time.sleep(0.5)

# 6. Too many connections: 64 are held, the next ones get EBUSY.
held = []
for i in range(64):
    held.append(connect())
time.sleep(0.5)
busy = 0
for i in range(8):
    s = connect()
    r = reply(s.makefile("rb"))
    busy += bool(r and r.get("code") == "EBUSY")
    s.close()
if busy != 8:
    failures.append(f"connection 65 and up: {busy} of 8 got EBUSY")
for s in held:
    s.close()
time.sleep(0.5)
serving("too many connections")

for msg in failures:
    print("bad input:", msg)
sys.exit(1 if failures else 0)
PY
npvs_log "malformed requests answered as documented"

# ---- npvsctl: errors are reported, with exit status 1 ----
out=$(npvsctl port add 'bad name' --afpacket x 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q EINVAL <<<"$out" ||
	npvs_fail "npvsctl with a bad name: status $rc: $out"
out=$(npvsctl endpoint del t/nope 2>&1)
rc=$?
[ "$rc" -eq 1 ] && grep -q ENOENT <<<"$out" ||
	npvs_fail "npvsctl endpoint del of nothing: status $rc: $out"
out=$(npvsctl -o json port del nope 2>/dev/null)
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(r["code"] != "ENOENT")' \
	"$out" || npvs_fail "npvsctl -o json error reply: $out"

# ---- npvsd still serves, and the ping went on ----
kill -0 "$NPVSD_PID" || npvs_fail "npvsd died"
npvsctl port list | grep -q "^pa " || npvs_fail "port list lost pa"
npvsctl endpoint list | grep -q "10.244.2.3" || npvs_fail "endpoint list"
wait "$ping_pid"
summary=$(grep 'packets transmitted' "$NPVS_TMP/ping.log")
npvs_log "ping a -> b during the test: $summary"
grep -q ' 0% packet loss' <<<"$summary" || npvs_fail "ping lost packets"
pod_exec b ping -c 2 -i 0.2 -W 2 10.244.2.2 >/dev/null ||
	npvs_fail "no ping b -> a after the test"

npvsd_stop
npvs_pass
