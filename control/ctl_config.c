/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_config.c: npvsd's YAML config file (ctl_config.h), with libyaml's
 * document API: the whole file is loaded into a node tree, then walked
 * with one field table per mapping. A node carries its line, so every
 * error names "file:line: path.to.field: problem". Unknown fields are
 * errors (a typo must not silently fall back to a default).
 *
 * The command-line flags live in ctl_config_args.c.
 *
 * Thread-safety: none; npvsd's main thread before vs_create().
 */
#include "ctl_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <yaml.h>

#include "acl_ruleset.h"

#define PATH_LEN 96

struct parser {
	yaml_document_t doc;
	const char *file;
	char *err;
	size_t errlen;
	struct ctl_config *c;
};

typedef int field_fn(struct parser *p, yaml_node_t *v, const char *path,
		void *obj);

struct field {
	const char *key;
	field_fn *fn;
};

static int __attribute__((format(printf, 4, 5)))
fail(struct parser *p, const yaml_node_t *n, const char *path,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%zu: %s: %s", p->file,
			n ? n->start_mark.line + 1 : 0, path, msg);
	return -EINVAL;
}

/* Field paths are for messages: a truncated one is still useful. */
static void
path_join(char *out, const char *base, const char *key)
{
	int n;

	if (base[0] == '\0')
		n = snprintf(out, PATH_LEN, "%s", key);
	else
		n = snprintf(out, PATH_LEN, "%s.%s", base, key);
	if (n < 0 || n >= PATH_LEN)
		out[PATH_LEN - 1] = '\0';
}

static void
path_index(char *out, const char *base, int i)
{
	int n = snprintf(out, PATH_LEN, "%s[%d]", base, i);

	if (n < 0 || n >= PATH_LEN)
		out[PATH_LEN - 1] = '\0';
}

/* ---- node helpers ---- */

static const char *
scalar(const yaml_node_t *v)
{
	return v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value
			: NULL;
}

static int
get_str(struct parser *p, yaml_node_t *v, const char *path, char *out,
		size_t size)
{
	const char *s = scalar(v);

	if (s == NULL)
		return fail(p, v, path, "expected a string");
	if (strlen(s) >= size)
		return fail(p, v, path, "longer than %zu characters", size - 1);
	snprintf(out, size, "%s", s);
	return 0;
}

static int
get_uint(struct parser *p, yaml_node_t *v, const char *path,
		unsigned long max, unsigned int *out)
{
	const char *s = scalar(v);
	unsigned long n;

	if (s == NULL || ctl_config_parse_uint(s, max, &n) < 0)
		return fail(p, v, path, "expected a number from 0 to %lu, not '%s'",
				max, s ? s : "(not a scalar)");
	*out = (unsigned int)n;
	return 0;
}

static int
get_bool(struct parser *p, yaml_node_t *v, const char *path, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "True", NULL };
	static const char *const no[] = { "false", "no", "off", "False", NULL };
	const char *s = scalar(v);
	int i;

	for (i = 0; s != NULL && yes[i] != NULL; i++)
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	for (i = 0; s != NULL && no[i] != NULL; i++)
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	return fail(p, v, path, "expected true or false, not '%s'",
			s ? s : "(not a scalar)");
}

static int
get_ip(struct parser *p, yaml_node_t *v, const char *path, bool v4_only,
		struct vs_ip *ip)
{
	const char *s = scalar(v);

	if (s == NULL || ctl_config_parse_ip(s, ip) < 0 ||
			(v4_only && ip->family != AF_INET))
		return fail(p, v, path, "not an IP%s address: '%s'",
				v4_only ? "v4" : "", s ? s : "(not a scalar)");
	return 0;
}

static int
get_mac(struct parser *p, yaml_node_t *v, const char *path, uint8_t mac[6])
{
	const char *s = scalar(v);

	if (s == NULL || ctl_config_parse_mac(s, mac) < 0)
		return fail(p, v, path, "not a MAC address (aa:bb:cc:dd:ee:ff): '%s'",
				s ? s : "(not a scalar)");
	if (mac[0] & 1)
		return fail(p, v, path, "must be a unicast MAC");
	return 0;
}

/* Walk a mapping with a field table; unknown and repeated keys fail. */
static int
map_walk(struct parser *p, yaml_node_t *map, const char *path,
		const struct field *fields, void *obj)
{
	uint64_t seen = 0;
	yaml_node_pair_t *pair;
	char sub[PATH_LEN];
	int rc, i;

	if (map->type != YAML_MAPPING_NODE)
		return fail(p, map, path[0] ? path : "(top)", "expected a mapping");
	for (pair = map->data.mapping.pairs.start;
			pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pair->value);
		const char *key = scalar(k);

		if (key == NULL)
			return fail(p, k, path, "keys must be strings");
		path_join(sub, path, key);
		for (i = 0; fields[i].key != NULL; i++)
			if (strcmp(fields[i].key, key) == 0)
				break;
		if (fields[i].key == NULL)
			return fail(p, k, sub, "unknown field");
		if (seen & (UINT64_C(1) << i))
			return fail(p, k, sub, "given twice");
		seen |= UINT64_C(1) << i;
		rc = fields[i].fn(p, v, sub, obj);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Call fn on each item of a sequence (path[i]). */
static int
seq_walk(struct parser *p, yaml_node_t *seq, const char *path, field_fn *fn,
		void *obj)
{
	yaml_node_item_t *it;
	char sub[PATH_LEN];
	int rc, i = 0;

	if (seq->type != YAML_SEQUENCE_NODE)
		return fail(p, seq, path, "expected a list");
	for (it = seq->data.sequence.items.start;
			it < seq->data.sequence.items.top; it++, i++) {
		path_index(sub, path, i);
		rc = fn(p, yaml_document_get_node(&p->doc, *it), sub, obj);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
seq_len(yaml_node_t *seq)
{
	return seq->type == YAML_SEQUENCE_NODE ?
			(int)(seq->data.sequence.items.top -
					seq->data.sequence.items.start) : 0;
}

/* ---- fields: top level ---- */

#define CFG(obj) ((struct ctl_config *)(obj))

static int
f_node(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;

	return get_str(p, v, path, c->node_name, sizeof(c->node_name));
}

static int
f_pod_cidr(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;
	const char *s = scalar(v);

	if (s == NULL || ctl_config_parse_cidr(s, &c->pod_cidr,
			&c->pod_cidr_len) < 0 || c->pod_cidr.family != AF_INET)
		return fail(p, v, path, "not an IPv4 CIDR (10.244.1.0/24): '%s'",
				s ? s : "(not a scalar)");
	return 0;
}

static int
f_gateway(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_ip(p, v, path, true, &CFG(obj)->vs.gateway);
}

static int
f_mac(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_mac(p, v, path, CFG(obj)->vs.mac);
}

/* ---- tunnel: VXLAN to other nodes (docs/tunnels.md) ---- */

static int
f_tun_underlay(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;
	const char *s = scalar(v);

	if (s != NULL && strchr(s, '/') == NULL &&
			ctl_config_parse_ip(s, &c->underlay_ip) == 0 &&
			c->underlay_ip.family == AF_INET) {
		c->underlay_len = 32;
		return 0;
	}
	if (s == NULL || ctl_config_parse_cidr(s, &c->underlay_ip,
			&c->underlay_len) < 0 || c->underlay_ip.family != AF_INET)
		return fail(p, v, path, "not an IPv4 address/prefix "
				"(192.168.50.2/24): '%s'", s ? s : "(not a scalar)");
	return 0;
}

static int
f_tun_vtep_mac(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	CFG(obj)->vs.has_vtep_mac = true;
	return get_mac(p, v, path, CFG(obj)->vs.vtep_mac);
}

static int
f_tun_nh_mac(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	CFG(obj)->vs.has_nexthop_mac = true;
	return get_mac(p, v, path, CFG(obj)->vs.nexthop_mac);
}

static int
f_tun_next_hop(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_ip(p, v, path, true, &CFG(obj)->vs.underlay_gw);
}

static int
f_tun_vni(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_uint(p, v, path, 0xffffff, &CFG(obj)->vs.vni);
}

static int
f_tun_port(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	unsigned int n = 0;
	int rc = get_uint(p, v, path, 65535, &n);

	if (rc == 0 && n == 0)
		return fail(p, v, path, "port 0");
	CFG(obj)->vs.vxlan_port = (uint16_t)n;
	return rc;
}

static int
f_tun_mtu(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	unsigned int n = 0;
	int rc = get_uint(p, v, path, 9216, &n);

	if (rc == 0 && n < 68 + 50)
		return fail(p, v, path, "MTU below %d", 68 + 50);
	CFG(obj)->vs.underlay_mtu = (uint16_t)n;
	return rc;
}

static int
f_tun_csum(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &CFG(obj)->vs.vxlan_udp_csum);
}

static const struct field tunnel_fields[] = {
	{ "underlay", f_tun_underlay },
	{ "vtep_mac", f_tun_vtep_mac },
	{ "vni", f_tun_vni },
	{ "port", f_tun_port },
	{ "mtu", f_tun_mtu },
	{ "next_hop", f_tun_next_hop },
	{ "next_hop_mac", f_tun_nh_mac },
	{ "udp_csum", f_tun_csum },
	{ NULL, NULL },
};

static int
f_tunnel(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, tunnel_fields, obj);
}

static int
f_socket(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;

	return get_str(p, v, path, c->socket_path, sizeof(c->socket_path));
}

static int
f_mbufs(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_uint(p, v, path, 1u << 24, &CFG(obj)->vs.n_mbufs);
}

/* ---- lcores ---- */

static int
f_main_lcore(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_uint(p, v, path, 1023, &CFG(obj)->vs.main_lcore);
}

static int
worker_item(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;

	if (c->n_workers >= VS_WORKERS_MAX)
		return fail(p, v, path, "at most %d workers", VS_WORKERS_MAX);
	return get_uint(p, v, path, 1023, &c->workers[c->n_workers++]);
}

static int
f_workers(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;
	const char *s = scalar(v);
	int n;

	c->n_workers = 0;
	if (v->type == YAML_SEQUENCE_NODE)
		return seq_walk(p, v, path, worker_item, obj);
	n = s ? ctl_config_parse_lcores(s, c->workers, VS_WORKERS_MAX) : -EINVAL;
	if (n < 0)
		return fail(p, v, path, "not an lcore list (1,2 or 1-3): '%s'",
				s ? s : "(not a scalar)");
	c->n_workers = (unsigned int)n;
	return 0;
}

static const struct field lcore_fields[] = {
	{ "main", f_main_lcore },
	{ "workers", f_workers },
	{ NULL, NULL },
};

static int
f_lcores(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, lcore_fields, obj);
}

/* ---- idle_backoff ---- */

static int
f_idle_enabled(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &CFG(obj)->vs.idle_backoff);
}

static int
f_idle_polls(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_uint(p, v, path, 100000000, &CFG(obj)->vs.idle_polls);
}

static int
f_idle_sleep(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_uint(p, v, path, 100000, &CFG(obj)->vs.idle_sleep_max_us);
}

static const struct field idle_fields[] = {
	{ "enabled", f_idle_enabled },
	{ "polls", f_idle_polls },
	{ "sleep_max_us", f_idle_sleep },
	{ NULL, NULL },
};

static int
f_idle(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, idle_fields, obj);
}

/* ---- eal ---- */

static int
f_prefix(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;
	int rc = get_str(p, v, path, c->file_prefix, sizeof(c->file_prefix));

	if (rc == 0 && (c->file_prefix[0] == '\0' ||
			strchr(c->file_prefix, '/') != NULL))
		return fail(p, v, path, "must be a non-empty name without '/'");
	return rc;
}

static int
f_in_memory(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &CFG(obj)->vs.in_memory);
}

static int
f_no_huge(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &CFG(obj)->vs.no_huge);
}

static int
f_memory(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_uint(p, v, path, 1u << 20, &CFG(obj)->vs.mem_mb);
}

static int
pci_item(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;

	if (c->n_pci >= VS_PCI_MAX)
		return fail(p, v, path, "at most %d PCI devices", VS_PCI_MAX);
	return get_str(p, v, path, c->pci[c->n_pci++], sizeof(c->pci[0]));
}

static int
f_pci(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	CFG(obj)->vs.n_pci = 0;
	return seq_walk(p, v, path, pci_item, obj);
}

static int
f_log_level(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;

	return get_str(p, v, path, c->log_level, sizeof(c->log_level));
}

static int
f_lcore_map(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_config *c = &CFG(obj)->vs;
	const char *s;
	int rc = get_str(p, v, path, c->lcore_map, sizeof(c->lcore_map));

	for (s = c->lcore_map; rc == 0 && *s != '\0'; s++)
		if (strchr("0123456789@,-()", *s) == NULL)
			return fail(p, v, path, "not an EAL --lcores map "
					"(e.g. \"0@0,1@1,2@1\")");
	return rc;
}

static const struct field eal_fields[] = {
	{ "file_prefix", f_prefix },
	{ "in_memory", f_in_memory },
	{ "no_huge", f_no_huge },
	{ "memory_mb", f_memory },
	{ "pci", f_pci },
	{ "log_level", f_log_level },
	{ "lcore_map", f_lcore_map },
	{ NULL, NULL },
};

static int
f_eal(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, eal_fields, obj);
}

/* ---- ports ---- */

struct port_obj {
	struct vs_port_spec s;
	bool has_type, has_mode;
};
#define PORT(obj) ((struct port_obj *)(obj))

static int
f_port_name(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_port_spec *s = &PORT(obj)->s;

	return get_str(p, v, path, s->name, sizeof(s->name));
}

static int
f_port_type(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	const char *t = scalar(v);

	PORT(obj)->has_type = true;
	if (t != NULL && strcmp(t, "afpacket") == 0)
		PORT(obj)->s.type = VS_PORT_AFPACKET;
	else if (t != NULL && strcmp(t, "vhost") == 0)
		PORT(obj)->s.type = VS_PORT_VHOST;
	else if (t != NULL && strcmp(t, "devargs") == 0)
		PORT(obj)->s.type = VS_PORT_DEVARGS;
	else
		return fail(p, v, path, "expected afpacket, vhost or devargs, "
				"not '%s'", t ? t : "(not a scalar)");
	return 0;
}

static int
f_port_iface(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_port_spec *s = &PORT(obj)->s;

	return get_str(p, v, path, s->iface, sizeof(s->iface));
}

static int
f_port_path(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_port_spec *s = &PORT(obj)->s;

	return get_str(p, v, path, s->path, sizeof(s->path));
}

static int
f_port_mode(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	const char *m = scalar(v);

	PORT(obj)->has_mode = true;
	if (m != NULL && (strcmp(m, "client") == 0 || strcmp(m, "server") == 0)) {
		PORT(obj)->s.vhost_client = strcmp(m, "client") == 0;
		return 0;
	}
	return fail(p, v, path, "expected client or server, not '%s'",
			m ? m : "(not a scalar)");
}

static int
f_port_devargs(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_port_spec *s = &PORT(obj)->s;

	return get_str(p, v, path, s->devargs, sizeof(s->devargs));
}

static int
f_port_uplink(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &PORT(obj)->s.uplink);
}

/* A port's number option in [min, max]; what: its unit, for the error. */
static int
get_port_uint(struct parser *p, yaml_node_t *v, const char *path,
		uint32_t min, uint32_t max, const char *what, uint32_t *out)
{
	int rc = get_uint(p, v, path, UINT32_MAX, out);

	if (rc == 0 && (*out < min || *out > max))
		return fail(p, v, path, "expected %u to %u %s, not %u", min,
				max, what, *out);
	return rc;
}

static int
f_port_max_frame(struct parser *p, yaml_node_t *v, const char *path,
		void *obj)
{
	return get_port_uint(p, v, path, VS_MAX_FRAME_MIN, VS_MAX_FRAME_MAX,
			"bytes (the largest datagram + 14)",
			&PORT(obj)->s.max_frame);
}

static int
f_port_mtu(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_port_uint(p, v, path, VS_VHOST_MTU_MIN, VS_VHOST_MTU_MAX,
			"bytes (the DPDK pod's MTU)", &PORT(obj)->s.mtu);
}

static const struct field port_fields[] = {
	{ "name", f_port_name },
	{ "type", f_port_type },
	{ "iface", f_port_iface },
	{ "path", f_port_path },
	{ "mode", f_port_mode },
	{ "devargs", f_port_devargs },
	{ "uplink", f_port_uplink },
	{ "max_frame", f_port_max_frame },
	{ "mtu", f_port_mtu },
	{ NULL, NULL },
};

/* The fields a port's type needs, and none of another type's. */
static int
port_check(struct parser *p, yaml_node_t *v, const char *path,
		const struct port_obj *o)
{
	const struct vs_port_spec *s = &o->s;
	bool af = s->type == VS_PORT_AFPACKET, vh = s->type == VS_PORT_VHOST;
	bool da = s->type == VS_PORT_DEVARGS;
	char sub[PATH_LEN];

	if (s->name[0] == '\0') {
		path_join(sub, path, "name");
		return fail(p, v, sub, "required");
	}
	path_join(sub, path, "type");
	if (!o->has_type)
		return fail(p, v, sub, "required (afpacket, vhost or devargs)");
	if ((af && s->iface[0] == '\0') || (!af && s->iface[0] != '\0'))
		return fail(p, v, path, "iface is %s", af ? "required" :
				"only for afpacket ports");
	if (!af && s->max_frame != 0) {
		path_join(sub, path, "max_frame");
		return fail(p, v, sub, "only for afpacket ports");
	}
	if (!vh && s->mtu != 0) {
		path_join(sub, path, "mtu");
		return fail(p, v, sub, "only for vhost ports");
	}
	if ((vh && s->path[0] == '\0') || (!vh && (s->path[0] || o->has_mode)))
		return fail(p, v, path, "%s", vh ? "path is required" :
				"path and mode are only for vhost ports");
	if ((da && s->devargs[0] == '\0') || (!da && s->devargs[0] != '\0'))
		return fail(p, v, path, "devargs is %s", da ? "required" :
				"only for devargs ports");
	return 0;
}

static int
port_item(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct ctl_config *c = CFG(obj);
	struct port_obj o;
	uint32_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = map_walk(p, v, path, port_fields, &o);
	if (rc == 0)
		rc = port_check(p, v, path, &o);
	if (rc < 0)
		return rc;
	for (i = 0; i < c->n_ports; i++)
		if (strcmp(c->ports[i].name, o.s.name) == 0)
			return fail(p, v, path, "port name '%s' used twice",
					o.s.name);
	if (c->n_ports >= CTL_CONFIG_PORTS_MAX)
		return fail(p, v, path, "at most %d ports", CTL_CONFIG_PORTS_MAX);
	c->ports[c->n_ports++] = o.s;
	return 0;
}

static int
f_ports(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct ctl_config *c = CFG(obj);

	free(c->ports);
	c->n_ports = 0;
	c->ports = calloc(CTL_CONFIG_PORTS_MAX, sizeof(*c->ports));
	if (c->ports == NULL)
		return -ENOMEM;
	return seq_walk(p, v, path, port_item, obj);
}

/* ---- endpoints ---- */

#define EP(obj) ((struct vs_endpoint_spec *)(obj))

static int
f_ep_ns(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_str(p, v, path, EP(obj)->ns, sizeof(EP(obj)->ns));
}

static int
f_ep_name(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_str(p, v, path, EP(obj)->name, sizeof(EP(obj)->name));
}

static int
f_ep_port(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_str(p, v, path, EP(obj)->port, sizeof(EP(obj)->port));
}

static int
ip_item(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct vs_endpoint_spec *e = EP(obj);

	if (e->n_ips >= VS_EP_IPS_MAX)
		return fail(p, v, path, "at most %d IPs", VS_EP_IPS_MAX);
	return get_ip(p, v, path, false, &e->ips[e->n_ips++]);
}

static int
f_ep_ips(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	EP(obj)->n_ips = 0;
	if (v->type == YAML_SCALAR_NODE)
		return ip_item(p, v, path, obj);
	if (seq_len(v) == 0)
		return fail(p, v, path, "expected a list of 1 to %d IPs",
				VS_EP_IPS_MAX);
	return seq_walk(p, v, path, ip_item, obj);
}

static int
f_ep_mac(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	EP(obj)->has_mac = true;
	return get_mac(p, v, path, EP(obj)->mac);
}

static const struct field ep_fields[] = {
	{ "namespace", f_ep_ns },
	{ "name", f_ep_name },
	{ "port", f_ep_port },
	{ "ips", f_ep_ips },
	{ "mac", f_ep_mac },
	{ NULL, NULL },
};

static int
ep_item(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct ctl_config *c = CFG(obj);
	struct vs_endpoint_spec e;
	const char *missing = NULL;
	char sub[PATH_LEN];
	int rc;

	memset(&e, 0, sizeof(e));
	snprintf(e.ns, sizeof(e.ns), "default");
	rc = map_walk(p, v, path, ep_fields, &e);
	if (rc < 0)
		return rc;
	if (e.name[0] == '\0')
		missing = "name";
	else if (e.port[0] == '\0')
		missing = "port";
	else if (e.n_ips == 0)
		missing = "ips";
	if (missing != NULL) {
		path_join(sub, path, missing);
		return fail(p, v, sub, "required");
	}
	if (c->n_endpoints >= CTL_CONFIG_ENDPOINTS_MAX)
		return fail(p, v, path, "at most %d endpoints",
				CTL_CONFIG_ENDPOINTS_MAX);
	c->endpoints[c->n_endpoints++] = e;
	return 0;
}

static int
f_endpoints(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	struct ctl_config *c = CFG(obj);

	free(c->endpoints);
	c->n_endpoints = 0;
	c->endpoints = calloc(CTL_CONFIG_ENDPOINTS_MAX, sizeof(*c->endpoints));
	if (c->endpoints == NULL)
		return -ENOMEM;
	return seq_walk(p, v, path, ep_item, obj);
}

/* ---- conntrack (docs/operations.md, "conntrack") ---- */

#define CT_UINT(name, field, max) \
static int \
f_ct_##name(struct parser *p, yaml_node_t *v, const char *path, void *obj) \
{ \
	return get_uint(p, v, path, max, &CFG(obj)->vs.ct.field); \
}

CT_UINT(max, max, 1u << 26)
CT_UINT(fragments, frag_max, 1u << 20)
CT_UINT(log_rate, log_rate, 1000000)
CT_UINT(log_buffer, log_buffer, 1u << 20)
CT_UINT(to_tcp_syn, tcp_syn, 86400)
CT_UINT(to_tcp_established, tcp_established, 30 * 86400)
CT_UINT(to_tcp_fin, tcp_fin, 86400)
CT_UINT(to_tcp_closed, tcp_closed, 86400)
CT_UINT(to_udp, udp, 86400)
CT_UINT(to_sctp, sctp, 30 * 86400)
CT_UINT(to_icmp, icmp, 86400)
CT_UINT(to_fragment, frag_timeout, 3600)

static int
f_ct_recheck(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &CFG(obj)->vs.ct.recheck_flows);
}

static int
f_ct_loose(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return get_bool(p, v, path, &CFG(obj)->vs.ct.tcp_loose);
}

static const struct field ct_timeout_fields[] = {
	{ "tcp_syn", f_ct_to_tcp_syn },
	{ "tcp_established", f_ct_to_tcp_established },
	{ "tcp_fin", f_ct_to_tcp_fin },
	{ "tcp_closed", f_ct_to_tcp_closed },
	{ "udp", f_ct_to_udp },
	{ "sctp", f_ct_to_sctp },
	{ "icmp", f_ct_to_icmp },
	{ "fragment", f_ct_to_fragment },
	{ NULL, NULL },
};

static int
f_ct_timeouts(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, ct_timeout_fields, obj);
}

static const struct field ct_fields[] = {
	{ "max", f_ct_max },
	{ "recheck_flows", f_ct_recheck },
	{ "tcp_loose", f_ct_loose },
	{ "timeouts", f_ct_timeouts },
	{ "fragments", f_ct_fragments },
	{ "log_rate", f_ct_log_rate },
	{ "log_buffer", f_ct_log_buffer },
	{ NULL, NULL },
};

static int
f_conntrack(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, ct_fields, obj);
}

/* ---- policy (docs/operations.md, "policy") ---- */

static int
f_pol_classify(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	char name[32];
	int rc = get_str(p, v, path, name, sizeof(name));

	if (rc == 0 && acl_alg_from_name(name, &CFG(obj)->vs.classify_alg) < 0)
		return fail(p, v, path, "'%s' is not one of auto, scalar, sse, "
				"avx2, avx512x16, avx512x32, neon, altivec",
				name);
	return rc;
}

static const struct field policy_fields[] = {
	{ "classify", f_pol_classify },
	{ NULL, NULL },
};

static int
f_policy(struct parser *p, yaml_node_t *v, const char *path, void *obj)
{
	return map_walk(p, v, path, policy_fields, obj);
}

static const struct field top_fields[] = {
	{ "node", f_node },
	{ "pod_cidr", f_pod_cidr },
	{ "gateway", f_gateway },
	{ "tunnel", f_tunnel },
	{ "mac", f_mac },
	{ "socket", f_socket },
	{ "lcores", f_lcores },
	{ "idle_backoff", f_idle },
	{ "mbufs", f_mbufs },
	{ "conntrack", f_conntrack },
	{ "policy", f_policy },
	{ "eal", f_eal },
	{ "ports", f_ports },
	{ "endpoints", f_endpoints },
	{ NULL, NULL },
};

static int
doc_load(struct parser *p, const char *text, size_t len)
{
	yaml_parser_t yp;
	int rc = 0;

	if (!yaml_parser_initialize(&yp))
		return -ENOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &p->doc)) {
		snprintf(p->err, p->errlen, "%s:%zu: YAML error: %s%s%s", p->file,
				yp.problem_mark.line + 1,
				yp.problem ? yp.problem : "unknown",
				yp.context ? " " : "", yp.context ? yp.context : "");
		rc = -EINVAL;
	}
	yaml_parser_delete(&yp);
	return rc;
}

int
ctl_config_load_string(struct ctl_config *c, const char *name,
		const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { .file = name, .err = err, .errlen = errlen, .c = c };
	yaml_node_t *root;
	int rc;

	rc = doc_load(&p, text, len);
	if (rc < 0)
		return rc;
	root = yaml_document_get_root_node(&p.doc);
	if (root == NULL)
		rc = 0;         /* an empty file: all defaults */
	else
		rc = map_walk(&p, root, "", top_fields, c);
	yaml_document_delete(&p.doc);
	return rc;
}

int
ctl_config_load_file(struct ctl_config *c, const char *path, char *err,
		size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	int rc;

	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	text = malloc(1 << 20);
	if (text == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	size = fread(text, 1, (1 << 20) - 1, f);
	if (ferror(f) || !feof(f)) {
		snprintf(err, errlen, "%s: unreadable or larger than 1 MiB", path);
		free(text);
		fclose(f);
		return -EFBIG;
	}
	fclose(f);
	snprintf(c->file, sizeof(c->file), "%s", path);
	rc = ctl_config_load_string(c, path, text, size, err, errlen);
	free(text);
	return rc;
}

void
ctl_config_init(struct ctl_config *c)
{
	memset(c, 0, sizeof(*c));
	vs_config_defaults(&c->vs);
	if (gethostname(c->vs.node_name, sizeof(c->vs.node_name) - 1) != 0)
		snprintf(c->vs.node_name, sizeof(c->vs.node_name), "node");
}

void
ctl_config_uninit(struct ctl_config *c)
{
	free(c->ports);
	free(c->endpoints);
	c->ports = NULL;
	c->endpoints = NULL;
	c->n_ports = 0;
	c->n_endpoints = 0;
}
