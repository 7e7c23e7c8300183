/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_config_args.c: npvsd's command line over its config file, the
 * cross-field checks, --check's printout and --help (ctl_config.h), and
 * the scalar parsers (IP, CIDR, MAC, numbers, lcore lists) that flags and
 * the YAML file (ctl_config.c) share.
 *
 * Order: --config is found and loaded first, then every other flag
 * overrides what the file said, whatever their order on the line.
 *
 * Thread-safety: none; npvsd's main thread before vs_create().
 */
#include "ctl_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acl_ruleset.h"

/* ---- scalar parsers, shared with the flags ---- */

int
ctl_config_parse_ip(const char *s, struct vs_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int
ctl_config_parse_cidr(const char *s, struct vs_ip *ip, uint8_t *len)
{
	char buf[64], *slash, *end;
	unsigned long n;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (ctl_config_parse_ip(buf, ip) < 0)
		return -EINVAL;
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end != '\0' ||
			n > (ip->family == AF_INET ? 32u : 128u))
		return -EINVAL;
	*len = (uint8_t)n;
	return 0;
}

int
ctl_config_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
			&b[3], &b[4], &b[5], &tail) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int
ctl_config_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end != '\0' || *out > max)
		return -EINVAL;
	return 0;
}

/* One "a" or "a-b" item of an lcore list. */
static int
lcore_item(const char *s, unsigned int *out, unsigned int max,
		unsigned int *n)
{
	char buf[32], *dash;
	unsigned long a, b;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (ctl_config_parse_uint(buf, 1023, &a) < 0 ||
			(dash && ctl_config_parse_uint(dash + 1, 1023, &b) < 0))
		return -EINVAL;
	if (dash == NULL)
		b = a;
	if (b < a)
		return -EINVAL;
	for (; a <= b; a++) {
		if (*n >= max)
			return -E2BIG;
		out[(*n)++] = (unsigned int)a;
	}
	return 0;
}

int
ctl_config_parse_lcores(const char *s, unsigned int *out, unsigned int max)
{
	char buf[256], *item, *save = NULL;
	unsigned int n = 0;
	int rc;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0')
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	for (item = strtok_r(buf, ",", &save); item != NULL;
			item = strtok_r(NULL, ",", &save)) {
		rc = lcore_item(item, out, max, &n);
		if (rc < 0)
			return rc;
	}
	return (int)n;
}

/* ---- flags ---- */

enum {
	OPT_POD_CIDR = 256, OPT_GATEWAY, OPT_MAC, OPT_MAIN_LCORE,
	OPT_FILE_PREFIX, OPT_IN_MEMORY, OPT_NO_IN_MEMORY, OPT_NO_HUGE,
	OPT_MBUFS, OPT_LOG_LEVEL, OPT_NO_IDLE, OPT_IDLE_POLLS, OPT_IDLE_SLEEP,
	OPT_CHECK,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "socket", required_argument, NULL, 's' },
	{ "node", required_argument, NULL, 'n' },
	{ "pod-cidr", required_argument, NULL, OPT_POD_CIDR },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "lcores", required_argument, NULL, 'l' },
	{ "workers", required_argument, NULL, 'w' },
	{ "main-lcore", required_argument, NULL, OPT_MAIN_LCORE },
	{ "file-prefix", required_argument, NULL, OPT_FILE_PREFIX },
	{ "in-memory", no_argument, NULL, OPT_IN_MEMORY },
	{ "no-in-memory", no_argument, NULL, OPT_NO_IN_MEMORY },
	{ "no-huge", no_argument, NULL, OPT_NO_HUGE },
	{ "memory", required_argument, NULL, 'm' },
	{ "mbufs", required_argument, NULL, OPT_MBUFS },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "no-idle-backoff", no_argument, NULL, OPT_NO_IDLE },
	{ "idle-polls", required_argument, NULL, OPT_IDLE_POLLS },
	{ "idle-sleep-max-us", required_argument, NULL, OPT_IDLE_SLEEP },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static const char short_opts[] = "c:s:n:l:w:m:hV";

void
ctl_config_usage(FILE *f, const char *argv0)
{
	fprintf(f,
"usage: %s [--config FILE] [options]\n"
"npvsd: the npvs data plane. Flags override the config file.\n"
"  -c, --config FILE        YAML config (docs/operations.md)\n"
"  -s, --socket PATH        control socket (default /run/npvs/npvsd.sock)\n"
"  -n, --node NAME          node name (default: host name)\n"
"      --pod-cidr CIDR      this node's pod subnet, e.g. 10.244.1.0/24\n"
"      --gateway IP         pods' gateway (default: first address of pod CIDR)\n"
"      --mac MAC            router MAC (default 02:6e:70:76:73:01)\n"
"  -l, --lcores LIST        main lcore, then workers: 0,1 or 0-2\n"
"  -w, --workers LIST       worker lcores only: 1 or 1,2\n"
"      --main-lcore N       control thread's lcore (default 0)\n"
"      --file-prefix NAME   EAL --file-prefix (default npvsd)\n"
"      --in-memory          EAL --in-memory (default)\n"
"      --no-in-memory       hugepage files in /dev/hugepages\n"
"      --no-huge            no hugepages (tests; not with vhost pods' memory)\n"
"  -m, --memory MB          EAL -m (default: grow as needed; 512 with --no-huge)\n"
"      --mbufs N            mbuf pool size (default 16384)\n"
"      --log-level LEVEL    EAL --log-level, e.g. info, 'npvs.*:debug'\n"
"      --no-idle-backoff    workers busy-poll even when idle\n"
"      --idle-polls N       empty polls before sleeping (default 256)\n"
"      --idle-sleep-max-us N  longest idle sleep (default 250)\n"
"      --check              validate the configuration, print it, exit\n"
"  -h, --help               this text\n"
"  -V, --version            print the version\n",
		argv0);
}

static int
bad_flag(char *err, size_t errlen, const char *flag, const char *val)
{
	snprintf(err, errlen, "--%s: invalid value '%s'", flag, val);
	return -EINVAL;
}

static int
flag_uint(const char *flag, const char *val, unsigned long max,
		unsigned int *out, char *err, size_t errlen)
{
	unsigned long n;

	if (ctl_config_parse_uint(val, max, &n) < 0)
		return bad_flag(err, errlen, flag, val);
	*out = (unsigned int)n;
	return 0;
}

static int
flag_str(const char *flag, const char *val, char *out, size_t size,
		char *err, size_t errlen)
{
	if (val[0] == '\0' || strlen(val) >= size)
		return bad_flag(err, errlen, flag, val);
	snprintf(out, size, "%s", val);
	return 0;
}

/* -l: the first lcore is the main one, the others are workers. */
static int
flag_lcores(struct vs_config *v, const char *val, char *err, size_t errlen)
{
	unsigned int l[VS_WORKERS_MAX + 1];
	int n = ctl_config_parse_lcores(val, l, VS_WORKERS_MAX + 1);

	if (n < 1)
		return bad_flag(err, errlen, "lcores", val);
	v->main_lcore = l[0];
	v->n_workers = (unsigned int)n - 1;
	memcpy(v->workers, l + 1, v->n_workers * sizeof(l[0]));
	return 0;
}

static int
flag_workers(struct vs_config *v, const char *val, char *err, size_t errlen)
{
	int n = ctl_config_parse_lcores(val, v->workers, VS_WORKERS_MAX);

	if (n < 1)
		return bad_flag(err, errlen, "workers", val);
	v->n_workers = (unsigned int)n;
	return 0;
}

/* Flags that take an address. */
static int
flag_addr(struct vs_config *v, int opt, const char *val, char *err,
		size_t errlen)
{
	switch (opt) {
	case OPT_POD_CIDR:
		if (ctl_config_parse_cidr(val, &v->pod_cidr, &v->pod_cidr_len) < 0
				|| v->pod_cidr.family != AF_INET)
			return bad_flag(err, errlen, "pod-cidr", val);
		return 0;
	case OPT_GATEWAY:
		if (ctl_config_parse_ip(val, &v->gateway) < 0 ||
				v->gateway.family != AF_INET)
			return bad_flag(err, errlen, "gateway", val);
		return 0;
	default:
		if (ctl_config_parse_mac(val, v->mac) < 0 || (v->mac[0] & 1))
			return bad_flag(err, errlen, "mac", val);
		return 0;
	}
}

/* Flags that change the EAL or memory. */
static int
flag_eal(struct vs_config *v, int opt, const char *val, char *err,
		size_t errlen)
{
	switch (opt) {
	case OPT_FILE_PREFIX:
		if (strchr(val, '/') != NULL)
			return bad_flag(err, errlen, "file-prefix", val);
		return flag_str("file-prefix", val, v->file_prefix,
				sizeof(v->file_prefix), err, errlen);
	case OPT_IN_MEMORY:
		v->in_memory = true;
		return 0;
	case OPT_NO_IN_MEMORY:
		v->in_memory = false;
		return 0;
	case OPT_NO_HUGE:
		v->no_huge = true;
		return 0;
	case 'm':
		return flag_uint("memory", val, 1u << 20, &v->mem_mb, err, errlen);
	case OPT_MBUFS:
		return flag_uint("mbufs", val, 1u << 24, &v->n_mbufs, err, errlen);
	default:
		return flag_str("log-level", val, v->log_level,
				sizeof(v->log_level), err, errlen);
	}
}

static int
flag_apply(struct ctl_config *c, int opt, const char *val, char *err,
		size_t errlen)
{
	struct vs_config *v = &c->vs;

	switch (opt) {
	case 's':
		return flag_str("socket", val, v->socket_path,
				sizeof(v->socket_path), err, errlen);
	case 'n':
		return flag_str("node", val, v->node_name, sizeof(v->node_name),
				err, errlen);
	case OPT_POD_CIDR: case OPT_GATEWAY: case OPT_MAC:
		return flag_addr(v, opt, val, err, errlen);
	case 'l':
		return flag_lcores(v, val, err, errlen);
	case 'w':
		return flag_workers(v, val, err, errlen);
	case OPT_MAIN_LCORE:
		return flag_uint("main-lcore", val, 1023, &v->main_lcore, err,
				errlen);
	case OPT_NO_IDLE:
		v->idle_backoff = false;
		return 0;
	case OPT_IDLE_POLLS:
		return flag_uint("idle-polls", val, 100000000, &v->idle_polls,
				err, errlen);
	case OPT_IDLE_SLEEP:
		return flag_uint("idle-sleep-max-us", val, 100000,
				&v->idle_sleep_max_us, err, errlen);
	case OPT_CHECK:
		c->check_only = true;
		return 0;
	default:
		return flag_eal(v, opt, val, err, errlen);
	}
}

/* No gateway given: the first address of the pod CIDR (Flannel's cni0). */
static void
gateway_default(struct vs_config *v)
{
	uint32_t net, mask;

	if (v->gateway.family != 0 || v->pod_cidr.family != AF_INET)
		return;
	mask = v->pod_cidr_len ? ~UINT32_C(0) << (32 - v->pod_cidr_len) : 0;
	memcpy(&net, v->pod_cidr.addr, 4);
	net = htonl((ntohl(net) & mask) + 1);
	v->gateway.family = AF_INET;
	memcpy(v->gateway.addr, &net, 4);
}

/* First pass: --help, --version and --config. */
static int
args_first_pass(struct ctl_config *c, int argc, char **argv, char *err,
		size_t errlen)
{
	const char *config = NULL;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (opt == 'h') {
			ctl_config_usage(stdout, argv[0]);
			return 1;
		}
		if (opt == 'V') {
			printf("npvsd %s\n", NPVS_VERSION);
			return 1;
		}
		if (opt == 'c')
			config = optarg;
		if (opt == '?') {
			snprintf(err, errlen, "unknown or incomplete option '%s' "
					"(see --help)", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return config ? ctl_config_load_file(c, config, err, errlen) : 0;
}

int
ctl_config_from_args(struct ctl_config *c, int argc, char **argv, char *err,
		size_t errlen)
{
	int opt, rc;

	rc = args_first_pass(c, argc, argv, err, errlen);
	if (rc != 0)
		return rc;
	optind = 0;
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		if (opt == 'c')
			continue;
		rc = flag_apply(c, opt, optarg, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = ctl_config_validate(c, err, errlen);
	if (rc == 0)
		gateway_default(&c->vs);
	return rc;
}

/* ---- checks ---- */

static int
lcores_check(const struct vs_config *v, char *err, size_t errlen)
{
	unsigned int i, j;

	if (v->n_workers == 0) {
		snprintf(err, errlen, "lcores.workers: at least one worker lcore");
		return -EINVAL;
	}
	for (i = 0; i < v->n_workers; i++) {
		if (v->workers[i] == v->main_lcore) {
			snprintf(err, errlen, "lcores.workers: lcore %u is the main "
					"lcore", v->workers[i]);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (v->workers[j] == v->workers[i]) {
				snprintf(err, errlen, "lcores.workers: lcore %u listed "
						"twice", v->workers[i]);
				return -EINVAL;
			}
	}
	return 0;
}

static int
endpoints_check(const struct ctl_config *c, char *err, size_t errlen)
{
	uint32_t i, j;

	for (i = 0; i < c->n_endpoints; i++)
		for (j = 0; j < i; j++)
			if (strcmp(c->endpoints[i].ns, c->endpoints[j].ns) == 0 &&
					strcmp(c->endpoints[i].name,
						c->endpoints[j].name) == 0) {
				snprintf(err, errlen, "endpoints[%u]: %s/%s listed "
						"twice", i, c->endpoints[i].ns,
						c->endpoints[i].name);
				return -EINVAL;
			}
	return 0;
}

int
ctl_config_validate(const struct ctl_config *c, char *err, size_t errlen)
{
	const struct vs_config *v = &c->vs;
	int rc;

	if (v->pod_cidr.family != AF_INET) {
		snprintf(err, errlen, "pod_cidr: required (e.g. 10.244.1.0/24)");
		return -EINVAL;
	}
	if (v->socket_path[0] != '/') {
		snprintf(err, errlen, "socket: must be an absolute path");
		return -EINVAL;
	}
	if (v->n_mbufs < 1024) {
		snprintf(err, errlen, "mbufs: at least 1024");
		return -EINVAL;
	}
	rc = lcores_check(v, err, errlen);
	if (rc == 0)
		rc = endpoints_check(c, err, errlen);
	return rc;
}

/* ---- printing (npvsd --check) ---- */

static const char *
ip_str(const struct vs_ip *ip, char *buf, size_t size)
{
	if (ip->family == 0)
		return "";
	return inet_ntop(ip->family, ip->addr, buf, (socklen_t)size);
}

static void
print_ports(const struct ctl_config *c, FILE *f)
{
	static const char *const types[] = { "afpacket", "vhost", "devargs" };
	uint32_t i;

	fprintf(f, "ports:%s\n", c->n_ports ? "" : " []");
	for (i = 0; i < c->n_ports; i++) {
		const struct vs_port_spec *p = &c->ports[i];

		fprintf(f, "  - name: %s\n    type: %s\n", p->name, types[p->type]);
		if (p->type == VS_PORT_AFPACKET)
			fprintf(f, "    iface: %s\n", p->iface);
		if (p->max_frame != 0)
			fprintf(f, "    max_frame: %u\n", p->max_frame);
		if (p->type == VS_PORT_VHOST)
			fprintf(f, "    path: %s\n    mode: %s\n", p->path,
					p->vhost_client ? "client" : "server");
		if (p->mtu != 0)
			fprintf(f, "    mtu: %u\n", p->mtu);
		if (p->type == VS_PORT_DEVARGS)
			fprintf(f, "    devargs: \"%s\"\n", p->devargs);
		fprintf(f, "    uplink: %s\n", p->uplink ? "true" : "false");
	}
}

static void
print_endpoints(const struct ctl_config *c, FILE *f)
{
	char buf[INET6_ADDRSTRLEN];
	uint32_t i, j;

	fprintf(f, "endpoints:%s\n", c->n_endpoints ? "" : " []");
	for (i = 0; i < c->n_endpoints; i++) {
		const struct vs_endpoint_spec *e = &c->endpoints[i];

		fprintf(f, "  - namespace: %s\n    name: %s\n    port: %s\n"
				"    ips: [", e->ns, e->name, e->port);
		for (j = 0; j < e->n_ips; j++)
			fprintf(f, "%s%s", j ? ", " : "",
					ip_str(&e->ips[j], buf, sizeof(buf)));
		fprintf(f, "]\n");
		if (e->has_mac)
			fprintf(f, "    mac: \"%02x:%02x:%02x:%02x:%02x:%02x\"\n",
					e->mac[0], e->mac[1], e->mac[2], e->mac[3],
					e->mac[4], e->mac[5]);
	}
}

/* The tunnel section (docs/tunnels.md), when there is one. */
static void
print_tunnel(const struct vs_config *v, FILE *f)
{
	char a[INET6_ADDRSTRLEN];
	const uint8_t *m = v->has_vtep_mac ? v->vtep_mac : v->mac;

	if (v->underlay_ip.family != AF_INET)
		return;
	fprintf(f, "tunnel:\n  underlay: %s/%u\n", ip_str(&v->underlay_ip, a,
			sizeof(a)), v->underlay_len);
	fprintf(f, "  vtep_mac: \"%02x:%02x:%02x:%02x:%02x:%02x\"\n", m[0],
			m[1], m[2], m[3], m[4], m[5]);
	fprintf(f, "  vni: %u\n  port: %u\n  mtu: %u\n  udp_csum: %s\n",
			v->vni, v->vxlan_port, v->underlay_mtu,
			v->vxlan_udp_csum ? "true" : "false");
	if (v->underlay_gw.family == AF_INET)
		fprintf(f, "  next_hop: %s\n", ip_str(&v->underlay_gw, a,
				sizeof(a)));
	if (v->has_nexthop_mac)
		fprintf(f, "  next_hop_mac: \"%02x:%02x:%02x:%02x:%02x:%02x\"\n",
				v->nexthop_mac[0], v->nexthop_mac[1],
				v->nexthop_mac[2], v->nexthop_mac[3],
				v->nexthop_mac[4], v->nexthop_mac[5]);
}

/* The conntrack section (docs/operations.md). */
static void
print_conntrack(const struct vs_config *v, FILE *f)
{
	const struct vs_ct_config *t = &v->ct;

	fprintf(f, "conntrack:\n  max: %u\n  recheck_flows: %s\n"
			"  tcp_loose: %s\n", t->max,
			t->recheck_flows ? "true" : "false",
			t->tcp_loose ? "true" : "false");
	fprintf(f, "  timeouts: {tcp_syn: %u, tcp_established: %u, "
			"tcp_fin: %u, tcp_closed: %u, udp: %u, sctp: %u, "
			"icmp: %u, fragment: %u}\n", t->tcp_syn,
			t->tcp_established, t->tcp_fin, t->tcp_closed, t->udp,
			t->sctp, t->icmp, t->frag_timeout);
	fprintf(f, "  fragments: %u\n  log_rate: %u\n  log_buffer: %u\n",
			t->frag_max, t->log_rate, t->log_buffer);
}

/* The policy section: the configured classify method (auto is measured
 * by npvsd at start-up, which --check does not start). */
static void
print_policy(const struct vs_config *v, FILE *f)
{
	const char *n = acl_alg_name(v->classify_alg);

	fprintf(f, "policy:\n  classify: %s%s\n", n ? n : "auto",
			v->classify_alg == ACL_ALG_AUTO ?
			"  # fastest measured at start-up (npvsctl stats)" : "");
}

void
ctl_config_print(const struct ctl_config *c, FILE *f)
{
	const struct vs_config *v = &c->vs;
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	unsigned int i;

	fprintf(f, "node: %s\npod_cidr: %s/%u\ngateway: \"%s\"\n", v->node_name,
			ip_str(&v->pod_cidr, a, sizeof(a)), v->pod_cidr_len,
			ip_str(&v->gateway, g, sizeof(g)));
	fprintf(f, "mac: \"%02x:%02x:%02x:%02x:%02x:%02x\"\nsocket: %s\n",
			v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4],
			v->mac[5], v->socket_path);
	fprintf(f, "lcores:\n  main: %u\n  workers: [", v->main_lcore);
	for (i = 0; i < v->n_workers; i++)
		fprintf(f, "%s%u", i ? ", " : "", v->workers[i]);
	fprintf(f, "]\nidle_backoff:\n  enabled: %s\n  polls: %u\n"
			"  sleep_max_us: %u\nmbufs: %u\n",
			v->idle_backoff ? "true" : "false", v->idle_polls,
			v->idle_sleep_max_us, v->n_mbufs);
	fprintf(f, "eal:\n  file_prefix: %s\n  in_memory: %s\n  no_huge: %s\n"
			"  memory_mb: %u\n  log_level: \"%s\"\n  pci: [",
			v->file_prefix, v->in_memory ? "true" : "false",
			v->no_huge ? "true" : "false", v->mem_mb, v->log_level);
	for (i = 0; i < v->n_pci; i++)
		fprintf(f, "%s%s", i ? ", " : "", v->pci[i]);
	fprintf(f, "]\n");
	if (v->lcore_map[0] != '\0')
		fprintf(f, "  lcore_map: \"%s\"\n", v->lcore_map);
	print_tunnel(v, f);
	print_conntrack(v, f);
	print_policy(v, f);
	print_ports(c, f);
	print_endpoints(c, f);
}
