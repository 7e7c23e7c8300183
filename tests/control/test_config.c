/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config.c: npvsd's config file and flags (control/ctl_config.h):
 * a complete good file read field by field, a table of bad files each of
 * which must be refused with the file, line and field in the message, the
 * cross-field checks, and flags over a file. No EAL.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "acl_ruleset.h"
#include "ctl_config.h"

static int
load(struct ctl_config *c, const char *yaml, char *err, size_t errlen)
{
	ctl_config_init(c);
	err[0] = '\0';
	return ctl_config_load_string(c, "t.yaml", yaml, strlen(yaml), err,
			errlen);
}

static uint32_t
ip4(const struct vs_ip *ip)
{
	uint32_t a;

	assert_int_equal(ip->family, AF_INET);
	memcpy(&a, ip->addr, 4);
	return ntohl(a);
}

static const char good[] =
	"# a complete config\n"
	"node: node-a\n"
	"pod_cidr: 10.244.1.0/24\n"
	"gateway: 169.254.1.1\n"
	"mac: \"02:00:00:00:00:fe\"\n"
	"socket: /run/x/npvsd.sock\n"
	"lcores:\n"
	"  main: 2\n"
	"  workers: [3, 5]\n"
	"idle_backoff:\n"
	"  enabled: false\n"
	"  polls: 64\n"
	"  sleep_max_us: 100\n"
	"mbufs: 32768\n"
	"eal:\n"
	"  file_prefix: np1\n"
	"  in_memory: false\n"
	"  no_huge: true\n"
	"  memory_mb: 700\n"
	"  pci: [\"0000:00:04.0\"]\n"
	"  log_level: debug\n"
	"ports:\n"
	"  - name: pa\n"
	"    type: afpacket\n"
	"    iface: veth-a\n"
	"    max_frame: 9014\n"
	"  - { name: pd, type: vhost, path: /run/d.sock, mode: client, mtu: 9000 }\n"
	"  - { name: up, type: devargs, devargs: \"net_null0,no-rx=1\", uplink: true }\n"
	"endpoints:\n"
	"  - { namespace: ns1, name: a, port: pa, ips: [10.244.1.2, \"fd00::2\"],\n"
	"      mac: \"02:00:00:00:00:0a\" }\n"
	"  - { name: d, port: pd, ips: 10.244.1.10 }\n";

static void
test_good_file(void **state)
{
	struct ctl_config c;
	char err[256], *text = NULL;
	const struct vs_config *v = &c.vs;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(load(&c, good, err, sizeof(err)), 0);
	assert_string_equal(v->node_name, "node-a");
	assert_int_equal(ip4(&v->pod_cidr), 0x0af40100);
	assert_int_equal(v->pod_cidr_len, 24);
	assert_int_equal(ip4(&v->gateway), 0xa9fe0101);
	assert_int_equal(v->mac[5], 0xfe);
	assert_string_equal(v->socket_path, "/run/x/npvsd.sock");
	assert_int_equal(v->main_lcore, 2);
	assert_int_equal(v->n_workers, 2);
	assert_int_equal(v->workers[0], 3);
	assert_int_equal(v->workers[1], 5);
	assert_false(v->idle_backoff);
	assert_int_equal(v->idle_polls, 64);
	assert_int_equal(v->idle_sleep_max_us, 100);
	assert_int_equal(v->n_mbufs, 32768);
	assert_string_equal(v->file_prefix, "np1");
	assert_false(v->in_memory);
	assert_true(v->no_huge);
	assert_int_equal(v->mem_mb, 700);
	assert_int_equal(v->n_pci, 1);
	assert_string_equal(v->pci[0], "0000:00:04.0");
	assert_string_equal(v->log_level, "debug");

	assert_int_equal(c.n_ports, 3);
	assert_int_equal(c.ports[0].type, VS_PORT_AFPACKET);
	assert_string_equal(c.ports[0].iface, "veth-a");
	assert_int_equal(c.ports[0].max_frame, 9014);
	assert_int_equal(c.ports[1].type, VS_PORT_VHOST);
	assert_int_equal(c.ports[1].max_frame, 0);
	assert_int_equal(c.ports[1].mtu, 9000);
	assert_int_equal(c.ports[0].mtu, 0);
	assert_string_equal(c.ports[1].path, "/run/d.sock");
	assert_true(c.ports[1].vhost_client);
	assert_int_equal(c.ports[2].type, VS_PORT_DEVARGS);
	assert_string_equal(c.ports[2].devargs, "net_null0,no-rx=1");
	assert_true(c.ports[2].uplink);
	assert_false(c.ports[0].uplink);

	assert_int_equal(c.n_endpoints, 2);
	assert_string_equal(c.endpoints[0].ns, "ns1");
	assert_int_equal(c.endpoints[0].n_ips, 2);
	assert_int_equal(c.endpoints[0].ips[1].family, AF_INET6);
	assert_true(c.endpoints[0].has_mac);
	assert_int_equal(c.endpoints[0].mac[5], 0x0a);
	assert_string_equal(c.endpoints[1].ns, "default");
	assert_int_equal(c.endpoints[1].n_ips, 1);
	assert_false(c.endpoints[1].has_mac);
	assert_int_equal(ctl_config_validate(&c, err, sizeof(err)), 0);
	/* --check prints the port options back */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_config_print(&c, f);
	fclose(f);
	assert_non_null(strstr(text, "    iface: veth-a\n    max_frame: 9014\n"));
	assert_non_null(strstr(text, "    mode: client\n    mtu: 9000\n"));
	free(text);
	ctl_config_uninit(&c);
}

/* An empty file and a file of comments leave the defaults. */
static void
test_defaults(void **state)
{
	struct ctl_config c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, "", err, sizeof(err)), 0);
	assert_int_equal(load(&c, "# nothing\n", err, sizeof(err)), 0);
	assert_true(c.vs.in_memory);
	assert_true(c.vs.idle_backoff);
	assert_int_equal(c.vs.n_workers, 1);
	assert_int_equal(c.vs.workers[0], 1);
	assert_int_equal(c.vs.main_lcore, 0);
	assert_string_equal(c.vs.socket_path, "/run/npvs/npvsd.sock");
	assert_string_equal(c.vs.file_prefix, "npvsd");
	assert_true(c.vs.node_name[0] != '\0');
	/* pod_cidr has no default. */
	assert_int_equal(ctl_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pod_cidr"));
	ctl_config_uninit(&c);
}

/* The tunnel section (vx): every field, and the defaults without it. */
static void
test_tunnel(void **state)
{
	static const char yaml[] =
		"tunnel:\n"
		"  underlay: 192.168.50.2/24\n"
		"  vtep_mac: \"8e:02:1a:b3:ff:00\"\n"
		"  vni: 7\n"
		"  port: 4789\n"
		"  mtu: 9000\n"
		"  next_hop: 192.168.50.1\n"
		"  next_hop_mac: \"52:54:00:12:34:56\"\n"
		"  udp_csum: true\n";
	const uint8_t ul[4] = { 192, 168, 50, 2 }, gw[4] = { 192, 168, 50, 1 };
	struct ctl_config c;
	char err[256];

	(void)state;
	assert_int_equal(load(&c, "", err, sizeof(err)), 0);
	assert_int_equal(c.vs.underlay_ip.family, 0);
	assert_int_equal(c.vs.vni, 1);
	assert_int_equal(c.vs.vxlan_port, 8472);
	assert_int_equal(c.vs.underlay_mtu, 1500);
	assert_false(c.vs.vxlan_udp_csum);
	ctl_config_uninit(&c);
	assert_int_equal(load(&c, yaml, err, sizeof(err)), 0);
	assert_int_equal(c.vs.underlay_ip.family, AF_INET);
	assert_memory_equal(c.vs.underlay_ip.addr, ul, 4);
	assert_int_equal(c.vs.underlay_len, 24);
	assert_true(c.vs.has_vtep_mac);
	assert_int_equal(c.vs.vtep_mac[0], 0x8e);
	assert_int_equal(c.vs.vni, 7);
	assert_int_equal(c.vs.vxlan_port, 4789);
	assert_int_equal(c.vs.underlay_mtu, 9000);
	assert_memory_equal(c.vs.underlay_gw.addr, gw, 4);
	assert_true(c.vs.has_nexthop_mac);
	assert_int_equal(c.vs.nexthop_mac[5], 0x56);
	assert_true(c.vs.vxlan_udp_csum);
	ctl_config_uninit(&c);
	/* an address without a prefix is a /32 */
	assert_int_equal(load(&c, "tunnel:\n  underlay: 10.1.1.1\n", err,
			sizeof(err)), 0);
	assert_int_equal(c.vs.underlay_len, 32);
	ctl_config_uninit(&c);
}

struct bad {
	const char *yaml;
	const char *msg;        /* must appear in the error */
};

static const struct bad bad_files[] = {
	{ "pod_cidr: 10.244.1.0\n", "t.yaml:1: pod_cidr: not an IPv4 CIDR" },
	{ "pod_cidr: 10.244.1.0/33\n", "t.yaml:1: pod_cidr" },
	{ "pod_cidr: fd00::/64\n", "t.yaml:1: pod_cidr" },
	{ "node: n\ngateway: 1.2.3\n", "t.yaml:2: gateway: not an IPv4" },
	{ "gateway: fd00::1\n", "t.yaml:1: gateway" },
	{ "mac: \"01:00:00:00:00:01\"\n", "t.yaml:1: mac: must be a unicast" },
	{ "mac: zz\n", "t.yaml:1: mac: not a MAC" },
	{ "mac: \"02:00:00:00:00:0g\"\n", "t.yaml:1: mac" },
	{ "socket: [a]\n", "t.yaml:1: socket: expected a string" },
	{ "node: n\nbogus: 1\n", "t.yaml:2: bogus: unknown field" },
	{ "node: a\nnode: b\n", "t.yaml:2: node: given twice" },
	{ "lcores:\n  main: x\n", "t.yaml:2: lcores.main: expected a number" },
	{ "lcores:\n  workers: [1, x]\n", "t.yaml:2: lcores.workers[1]" },
	{ "lcores:\n  workers: 3-1\n", "t.yaml:2: lcores.workers: not an lcore list" },
	{ "lcores:\n  core: 1\n", "t.yaml:2: lcores.core: unknown field" },
	{ "lcores: 1\n", "t.yaml:1: lcores: expected a mapping" },
	{ "idle_backoff:\n  enabled: maybe\n", "t.yaml:2: idle_backoff.enabled" },
	{ "idle_backoff:\n  polls: -1\n", "t.yaml:2: idle_backoff.polls" },
	{ "mbufs: 12ab\n", "t.yaml:1: mbufs" },
	{ "eal:\n  file_prefix: a/b\n", "t.yaml:2: eal.file_prefix" },
	{ "eal:\n  no_huge: 2\n", "t.yaml:2: eal.no_huge" },
	{ "eal:\n  memory_mb: lots\n", "t.yaml:2: eal.memory_mb" },
	{ "eal:\n  pci: [a, b, c, d, e, f, g, h, i]\n", "eal.pci[8]: at most 8" },
	{ "eal:\n  pci: a\n", "t.yaml:2: eal.pci: expected a list" },
	{ "ports:\n  - name: p\n    type: tap\n", "t.yaml:3: ports[0].type" },
	{ "ports:\n  - name: p\n    type: vhost\n", "ports[0]: path is required" },
	{ "ports:\n  - name: p\n    type: afpacket\n", "ports[0]: iface is required" },
	{ "ports:\n  - name: p\n    type: devargs\n", "ports[0]: devargs is required" },
	{ "ports:\n  - name: p\n    type: afpacket\n    iface: v\n    path: /x\n",
		"ports[0]: path and mode are only for vhost" },
	{ "ports:\n  - name: p\n    type: vhost\n    path: /x\n    iface: v\n",
		"ports[0]: iface is only for afpacket" },
	{ "ports:\n  - type: afpacket\n    iface: v\n", "ports[0].name: required" },
	{ "ports:\n  - name: p\n    iface: v\n", "ports[0].type: required" },
	{ "ports:\n  - {name: p, type: vhost, path: /x, mode: both}\n",
		"t.yaml:2: ports[0].mode: expected client or server" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a}\n"
	  "  - {name: p, type: afpacket, iface: b}\n",
		"t.yaml:3: ports[1]: port name 'p' used twice" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a-very-long-name0}\n",
		"ports[0].iface: longer than 15" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a, uplink: 7}\n",
		"ports[0].uplink" },
	{ "ports: {name: p}\n", "t.yaml:1: ports: expected a list" },
	/* max_frame: afpacket only, 1514..64432 bytes, a number */
	{ "ports:\n  - {name: p, type: afpacket, iface: a, max_frame: 1513}\n",
		"t.yaml:2: ports[0].max_frame: expected 1514 to 64432" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a, max_frame: 64433}\n",
		"t.yaml:2: ports[0].max_frame: expected 1514 to 64432" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a, max_frame: 0}\n",
		"t.yaml:2: ports[0].max_frame: expected 1514" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a, max_frame: 9k}\n",
		"t.yaml:2: ports[0].max_frame: expected a number" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a, max_frame: -1}\n",
		"t.yaml:2: ports[0].max_frame: expected a number" },
	{ "ports:\n  - {name: p, type: vhost, path: /x, max_frame: 9014}\n",
		"t.yaml:2: ports[0].max_frame: only for afpacket" },
	/* mtu: vhost only, 576..9698 bytes, a number */
	{ "ports:\n  - {name: p, type: vhost, path: /x, mtu: 575}\n",
		"t.yaml:2: ports[0].mtu: expected 576 to 9698" },
	{ "ports:\n  - {name: p, type: vhost, path: /x, mtu: 9699}\n",
		"t.yaml:2: ports[0].mtu: expected 576 to 9698" },
	{ "ports:\n  - {name: p, type: vhost, path: /x, mtu: 0}\n",
		"t.yaml:2: ports[0].mtu: expected 576" },
	{ "ports:\n  - {name: p, type: vhost, path: /x, mtu: 9k}\n",
		"t.yaml:2: ports[0].mtu: expected a number" },
	{ "ports:\n  - {name: p, type: afpacket, iface: a, mtu: 1500}\n",
		"t.yaml:2: ports[0].mtu: only for vhost" },
	{ "ports:\n  - {name: p, type: devargs, devargs: net_null0, mtu: 1500}\n",
		"t.yaml:2: ports[0].mtu: only for vhost" },
	{ "endpoints:\n  - {name: e, port: p, ips: [10.0.0.x]}\n",
		"t.yaml:2: endpoints[0].ips[0]: not an IP address" },
	{ "endpoints:\n  - {name: e, port: p}\n", "endpoints[0].ips: required" },
	{ "endpoints:\n  - {name: e, ips: [10.0.0.1]}\n", "endpoints[0].port: required" },
	{ "endpoints:\n  - {port: p, ips: [10.0.0.1]}\n", "endpoints[0].name: required" },
	{ "endpoints:\n  - {name: e, port: p, ips: []}\n", "endpoints[0].ips: expected a list" },
	{ "endpoints:\n  - {name: e, port: p, ips: [1.1.1.1, 1.1.1.2, 1.1.1.3,"
	  " 1.1.1.4, 1.1.1.5]}\n", "endpoints[0].ips[4]: at most 4" },
	{ "endpoints:\n  - {name: e, port: p, ips: [1.1.1.1], mac: x}\n",
		"endpoints[0].mac" },
	{ "endpoints:\n  - {name: e, port: p, ips: [1.1.1.1], labels: {}}\n",
		"endpoints[0].labels: unknown field" },
	{ "node: [1, 2\n", "t.yaml:2: YAML error" },
	{ "- a\n- b\n", "t.yaml:1: (top): expected a mapping" },
	{ "node: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		"node: longer than 63" },
	{ "tunnel:\n  underlay: 1.2.3\n", "t.yaml:2: tunnel.underlay" },
	{ "tunnel:\n  underlay: fd00::1/64\n", "t.yaml:2: tunnel.underlay" },
	{ "tunnel:\n  vni: 16777216\n", "t.yaml:2: tunnel.vni" },
	{ "tunnel:\n  port: 0\n", "t.yaml:2: tunnel.port: port 0" },
	{ "tunnel:\n  mtu: 100\n", "t.yaml:2: tunnel.mtu: MTU below" },
	{ "tunnel:\n  vtep_mac: \"01:00:00:00:00:01\"\n",
		"t.yaml:2: tunnel.vtep_mac: must be a unicast" },
	{ "tunnel:\n  next_hop: fd00::1\n", "t.yaml:2: tunnel.next_hop" },
	{ "tunnel:\n  VNI: 1\n", "t.yaml:2: tunnel.VNI: unknown field" },
};

static void
test_bad_files(void **state)
{
	struct ctl_config c;
	char err[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		const struct bad *b = &bad_files[i];
		int rc = load(&c, b->yaml, err, sizeof(err));

		ctl_config_uninit(&c);
		if (rc == 0)
			fail_msg("accepted: %s", b->yaml);
		if (strstr(err, b->msg) == NULL)
			fail_msg("error for\n%s\nis '%s', expected '%s'", b->yaml,
					err, b->msg);
	}
}

struct bad_check {
	const char *yaml;
	const char *msg;
};

static const struct bad_check bad_checks[] = {
	{ "lcores: { workers: [] }\n", "lcores.workers: at least one" },
	{ "lcores: { main: 1, workers: [1] }\n", "lcore 1 is the main" },
	{ "lcores: { workers: [1, 1] }\n", "lcore 1 listed twice" },
	{ "socket: run/npvsd.sock\n", "socket: must be an absolute path" },
	{ "mbufs: 100\n", "mbufs: at least" },
	{ "endpoints:\n  - {name: e, port: p, ips: [10.0.0.2]}\n"
	  "  - {name: e, port: q, ips: [10.0.0.3]}\n",
		"endpoints[1]: default/e listed twice" },
};

static void
test_bad_checks(void **state)
{
	struct ctl_config c;
	char err[512], yaml[512];
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad_checks) / sizeof(bad_checks[0]); i++) {
		snprintf(yaml, sizeof(yaml), "pod_cidr: 10.1.0.0/16\n%s",
				bad_checks[i].yaml);
		assert_int_equal(load(&c, yaml, err, sizeof(err)), 0);
		assert_int_equal(ctl_config_validate(&c, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad_checks[i].msg) == NULL)
			fail_msg("'%s' for %s", err, bad_checks[i].yaml);
		ctl_config_uninit(&c);
	}
}

static void
test_parsers(void **state)
{
	unsigned int l[8];
	struct vs_ip ip;
	uint8_t len, mac[6];

	(void)state;
	assert_int_equal(ctl_config_parse_lcores("1,3-5,7", l, 8), 5);
	assert_int_equal(l[0], 1);
	assert_int_equal(l[3], 5);
	assert_int_equal(l[4], 7);
	assert_int_equal(ctl_config_parse_lcores("0-9", l, 8), -E2BIG);
	assert_true(ctl_config_parse_lcores("", l, 8) < 0);
	assert_int_equal(ctl_config_parse_lcores("1,,2", l, 8), 2);
	assert_true(ctl_config_parse_lcores("a", l, 8) < 0);
	assert_int_equal(ctl_config_parse_cidr("10.0.0.0/8", &ip, &len), 0);
	assert_int_equal(len, 8);
	assert_true(ctl_config_parse_cidr("10.0.0.0/", &ip, &len) < 0);
	assert_true(ctl_config_parse_cidr("10.0.0.0/8x", &ip, &len) < 0);
	assert_int_equal(ctl_config_parse_mac("aa:BB:cc:00:11:22", mac), 0);
	assert_int_equal(mac[1], 0xbb);
	assert_true(ctl_config_parse_mac("aa:bb:cc:00:11:22:33", mac) < 0);
	assert_true(ctl_config_parse_mac("aa:bb:cc:00:11", mac) < 0);
	assert_true(ctl_config_parse_ip("300.1.1.1", &ip) < 0);
}

/* npvsd ARGS...: argc counts argv[0]; getopt wants writable strings. */
static int
from_args(struct ctl_config *c, char *err, size_t errlen, int argc, ...)
{
	char *argv[32];
	va_list ap;
	int i, rc;

	va_start(ap, argc);
	argv[0] = strdup("npvsd");
	for (i = 1; i < argc; i++)
		argv[i] = strdup(va_arg(ap, const char *));
	va_end(ap);
	argv[argc] = NULL;
	ctl_config_init(c);
	err[0] = '\0';
	rc = ctl_config_from_args(c, argc, argv, err, errlen);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

static void
test_flags_over_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX", err[512];
	struct ctl_config c;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, good, strlen(good)) == (ssize_t)strlen(good));
	close(fd);

	/* Flags win whatever their place; --config is read first. */
	assert_int_equal(from_args(&c, err, sizeof(err), 8, "--workers", "4",
			"--file-prefix", "other", "--config", path,
			"--no-idle-backoff"), 0);
	assert_string_equal(c.vs.node_name, "node-a");
	assert_int_equal(c.vs.n_workers, 1);
	assert_int_equal(c.vs.workers[0], 4);
	assert_string_equal(c.vs.file_prefix, "other");
	assert_false(c.vs.idle_backoff);
	assert_int_equal(c.n_ports, 3);
	ctl_config_uninit(&c);

	assert_int_equal(from_args(&c, err, sizeof(err), 10, "-c", path, "-l",
			"0,1", "--socket", "/tmp/s.sock", "--mac",
			"02:00:00:00:00:01", "--check"), 0);
	assert_int_equal(c.vs.main_lcore, 0);
	assert_int_equal(c.vs.workers[0], 1);
	assert_string_equal(c.vs.socket_path, "/tmp/s.sock");
	assert_int_equal(c.vs.mac[5], 1);
	assert_true(c.check_only);
	ctl_config_uninit(&c);

	/* A bad file is reported as such through the flags. */
	assert_int_equal(from_args(&c, err, sizeof(err), 3, "--config",
			"/nonexistent/npvsd.yaml"), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/npvsd.yaml"));
	ctl_config_uninit(&c);
	unlink(path);
}

static void
test_flags(void **state)
{
	struct ctl_config c;
	char err[512];
	uint32_t gw;

	(void)state;
	assert_int_equal(from_args(&c, err, sizeof(err), 8, "--pod-cidr",
			"10.9.8.0/24", "--no-huge", "-m", "300", "--mbufs",
			"2048"), 0);
	assert_true(c.vs.no_huge);
	assert_int_equal(c.vs.mem_mb, 300);
	assert_int_equal(c.vs.n_mbufs, 2048);
	/* The gateway defaults to the CIDR's first address. */
	memcpy(&gw, c.vs.gateway.addr, 4);
	assert_int_equal(ntohl(gw), 0x0a090801);
	ctl_config_uninit(&c);

	assert_int_equal(from_args(&c, err, sizeof(err), 4, "--pod-cidr",
			"10.9.8.0/24", "--bogus"), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	ctl_config_uninit(&c);
	assert_int_equal(from_args(&c, err, sizeof(err), 5, "--pod-cidr",
			"10.9.8.0/24", "--lcores", "x"), -EINVAL);
	assert_non_null(strstr(err, "--lcores"));
	ctl_config_uninit(&c);
	assert_int_equal(from_args(&c, err, sizeof(err), 5, "--pod-cidr",
			"10.9.8.0/24", "--gateway", "fd00::1"), -EINVAL);
	ctl_config_uninit(&c);
	assert_int_equal(from_args(&c, err, sizeof(err), 4, "--pod-cidr",
			"10.9.8.0/24", "extra"), -EINVAL);
	assert_non_null(strstr(err, "extra"));
	ctl_config_uninit(&c);
	/* No pod CIDR at all. */
	assert_int_equal(from_args(&c, err, sizeof(err), 1), -EINVAL);
	assert_non_null(strstr(err, "pod_cidr"));
	ctl_config_uninit(&c);
}

/* policy.classify: every method name and auto; refused names; --check
 * prints a section that loads back to the same value. */
static void
test_policy_classify(void **state)
{
	static const struct { const char *yaml; int alg; } rows[] = {
		{ "", ACL_ALG_AUTO },                           /* default */
		{ "policy:\n  classify: auto\n", ACL_ALG_AUTO },
		{ "policy:\n  classify: scalar\n", 1 },
		{ "policy:\n  classify: sse\n", 2 },
		{ "policy:\n  classify: avx2\n", 3 },
		{ "policy: {classify: avx512x16}\n", 6 },
		{ "policy: {classify: avx512x32}\n", 7 },
		{ "policy: {}\n", ACL_ALG_AUTO },
		{ "policy:\n  classify: fast\n", -1 },     /* unknown name */
		{ "policy:\n  classify: SSE\n", -1 },      /* names are lower case */
		{ "policy:\n  classify: [sse]\n", -1 },
		{ "policy:\n  clasify: sse\n", -1 },       /* unknown field */
		{ "policy: sse\n", -1 },
	};
	struct ctl_config c, d;
	char err[256], *text = NULL, *sect;
	size_t i, len = 0;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].alg < 0) {
			assert_int_equal(load(&c, rows[i].yaml, err, sizeof(err)),
					-EINVAL);
			assert_non_null(strstr(err, "t.yaml:"));
			assert_non_null(strstr(err, "policy"));
			ctl_config_uninit(&c);
			continue;
		}
		if (load(&c, rows[i].yaml, err, sizeof(err)) != 0)
			fail_msg("row %zu: %s", i, err);
		assert_int_equal(c.vs.classify_alg, rows[i].alg);
		f = open_memstream(&text, &len);
		assert_non_null(f);
		ctl_config_print(&c, f);
		fclose(f);
		sect = strstr(text, "\npolicy:\n");
		assert_non_null(sect);
		*strchr(strchr(sect + 1, '\n') + 1, '\n') = '\0';
		ctl_config_init(&d);
		d.vs.classify_alg = -1;
		if (ctl_config_load_string(&d, "printed", sect, strlen(sect),
				err, sizeof(err)) != 0)
			fail_msg("row %zu: %s\n%s", i, err, sect);
		assert_int_equal(d.vs.classify_alg, rows[i].alg);
		free(text);
		text = NULL;
		ctl_config_uninit(&c);
		ctl_config_uninit(&d);
	}
}

/* ports[].mtu: both bounds taken (the rows above refuse one past each). */
static void
test_port_mtu_bounds(void **state)
{
	static const uint32_t mtus[] = { VS_VHOST_MTU_MIN, VS_VHOST_MTU_MAX };
	struct ctl_config c;
	char y[128], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
		snprintf(y, sizeof(y), "ports:\n  - {name: p, type: vhost, "
				"path: /x, mtu: %u}\n", mtus[i]);
		if (load(&c, y, err, sizeof(err)) != 0)
			fail_msg("mtu %u: %s", mtus[i], err);
		assert_int_equal(c.ports[0].mtu, mtus[i]);
		ctl_config_uninit(&c);
	}
}

/* eal.lcore_map: kept as given, printed back by --check, junk refused. */
static void
test_lcore_map(void **state)
{
	static const char y[] = "eal:\n  lcore_map: \"0@0,1@1,2@1\"\n";
	struct ctl_config c;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(load(&c, "", err, sizeof(err)), 0);
	assert_string_equal(c.vs.lcore_map, "");
	ctl_config_uninit(&c);
	if (load(&c, y, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.vs.lcore_map, "0@0,1@1,2@1");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_config_print(&c, f);
	fclose(f);
	assert_non_null(strstr(text, "\n  lcore_map: \"0@0,1@1,2@1\"\n"));
	free(text);
	ctl_config_uninit(&c);
	assert_int_equal(load(&c, "eal:\n  lcore_map: \"0@0 -l 1\"\n", err,
			sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t.yaml:2: eal.lcore_map"));
	ctl_config_uninit(&c);
	assert_int_equal(load(&c, "eal:\n  lcore_map: [1]\n", err,
			sizeof(err)), -EINVAL);
	ctl_config_uninit(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_bad_checks),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_flags_over_file),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_policy_classify),
		cmocka_unit_test(test_lcore_map),
		cmocka_unit_test(test_port_mtu_bounds),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
