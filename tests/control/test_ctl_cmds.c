/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctl_cmds.c: request parsing, validation and dispatch of the control
 * commands (control/ctl_cmds*.c), against the fake switch of
 * test_ctl_fake_vs.c (no EAL, no socket).
 *
 * The refusal table checks, for each malformed request, the error code and
 * the JSON pointer of the reply, and that the switch was not called (a
 * refused request changes nothing). The other cases check what reaches the
 * switch for good requests and what comes back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctl_cmds.h"
#include "ctl_proto.h"
#include "ctl_store.h"
#include "test_ctl_fake_vs.h"

struct fixture {
	struct vs *vs;
	struct ctl_ctx ctx;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->vs = fake_vs_create();
	assert_non_null(f->vs);
	f->ctx.vs = f->vs;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ctl_store_free(f->ctx.store);
	fake_vs_free(f->vs);
	free(f);
	return 0;
}

/* Run one request line; the reply (caller frees). */
static json_t *
run(struct fixture *f, const char *line)
{
	json_t *r = ctl_cmds_handle_line(&f->ctx, line, strlen(line));

	assert_non_null(r);
	assert_true(json_is_object(r));
	return r;
}

/* Run a request that must succeed. */
static json_t *
run_ok(struct fixture *f, const char *line)
{
	json_t *r = run(f, line);

	if (!json_is_true(json_object_get(r, "ok")))
		fail_msg("%s -> %s", line, json_dumps(r, 0));
	return r;
}

/* Run a request that must fail with code (and where, unless NULL). */
static void
run_err(struct fixture *f, const char *line, const char *code,
		const char *where)
{
	json_t *r = run(f, line);
	const char *c = json_string_value(json_object_get(r, "code"));
	const char *w = json_string_value(json_object_get(r, "where"));
	const char *m = json_string_value(json_object_get(r, "error"));

	if (json_object_get(r, "ok") != json_false() || c == NULL ||
			strcmp(c, code) != 0 || m == NULL || m[0] == '\0')
		fail_msg("%s: want %s, got %s", line, code, json_dumps(r, 0));
	if (where != NULL && strcmp(where, w ? w : "") != 0)
		fail_msg("%s: want where '%s', got %s", line, where,
				json_dumps(r, 0));
	json_decref(r);
}

/* ---- refused requests: (line, code, where), switch untouched ---- */

struct bad_case {
	const char *line;
	const char *code;
	const char *where;
};

#define P_AFP "\"cmd\":\"port_add\",\"args\":{\"type\":\"afpacket\","
#define P_VH "\"cmd\":\"port_add\",\"args\":{\"name\":\"p\",\"type\":\"vhost\","
#define EP "\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns\"," \
	"\"name\":\"a\",\"port\":\"p\","

static const struct bad_case bad_cases[] = {
	/* not JSON, or not one object */
	{ "", "EBADMSG", "" },
	{ "{", "EBADMSG", "" },
	{ "{\"cmd\":\"version\"} x", "EBADMSG", "" },
	{ "{\"cmd\":\"version\",\"cmd\":\"stats\"}", "EBADMSG", "" },
	{ "{\"cmd\":\"\xff\"}", "EBADMSG", "" },        /* not UTF-8 */
	{ "[]", "EINVAL", "" },
	{ "42", "EINVAL", "" },
	{ "null", "EINVAL", "" },
	{ "\"version\"", "EINVAL", "" },
	/* the envelope */
	{ "{}", "EINVAL", "/cmd" },
	{ "{\"cmd\":5}", "EINVAL", "/cmd" },
	{ "{\"cmd\":null}", "EINVAL", "/cmd" },
	{ "{\"cmd\":\"nope\"}", "ENOSYS", "/cmd" },
	{ "{\"cmd\":\"\\u00e9\\n\"}", "ENOSYS", "/cmd" },
	{ "{\"cmd\":\"version\",\"args\":[]}", "EINVAL", "/args" },
	{ "{\"cmd\":\"version\",\"args\":\"x\"}", "EINVAL", "/args" },
	{ "{\"cmd\":\"version\",\"extra\":1}", "EINVAL", "" },
	{ "{\"cmd\":\"version\",\"args\":{\"x\":1}}", "EINVAL", "/args/x" },
	{ "{\"cmd\":\"port_list\",\"args\":{\"a b\":1}}", "EINVAL", "/args" },
	/* port_add: name */
	{ "{\"cmd\":\"port_add\",\"args\":{\"type\":\"afpacket\","
	  "\"iface\":\"v\"}}", "EINVAL", "/args/name" },
	{ "{" P_AFP "\"name\":7,\"iface\":\"v\"}}", "EINVAL", "/args/name" },
	{ "{" P_AFP "\"name\":\"\",\"iface\":\"v\"}}", "EINVAL", "/args/name" },
	{ "{" P_AFP "\"name\":\"a b\",\"iface\":\"v\"}}", "EINVAL",
	  "/args/name" },
	{ "{" P_AFP "\"name\":\"-p\",\"iface\":\"v\"}}", "EINVAL",
	  "/args/name" },
	{ "{" P_AFP "\"name\":\"p\\u0000q\",\"iface\":\"v\"}}", "EBADMSG",
	  "" },
	{ "{" P_AFP "\"name\":\"0123456789012345678901234567890123\","
	  "\"iface\":\"v\"}}", "EINVAL", "/args/name" },
	/* port_add: type and its args */
	{ "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\"}}", "EINVAL",
	  "/args/type" },
	{ "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\",\"type\":\"tap\"}}",
	  "EINVAL", "/args/type" },
	{ "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\",\"type\":1}}",
	  "EINVAL", "/args/type" },
	{ "{" P_AFP "\"name\":\"p\"}}", "EINVAL", "/args/iface" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v,x=1\"}}", "EINVAL",
	  "/args/iface" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"0123456789abcdef\"}}",
	  "EINVAL", "/args/iface" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"path\":\"/x\"}}",
	  "EINVAL", "/args/path" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"uplink\":\"yes\"}}",
	  "EINVAL", "/args/uplink" },
	/* max_frame: afpacket only, an integer in 1514..64432 */
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"max_frame\":1513}}",
	  "EINVAL", "/args/max_frame" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"max_frame\":64433}}",
	  "EINVAL", "/args/max_frame" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"max_frame\":-9014}}",
	  "EINVAL", "/args/max_frame" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"max_frame\":\"9014\"}}",
	  "EINVAL", "/args/max_frame" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"max_frame\":9014.5}}",
	  "EINVAL", "/args/max_frame" },
	{ "{" P_VH "\"path\":\"/tmp/x\",\"max_frame\":9014}}", "EINVAL",
	  "/args/max_frame" },
	/* mtu: vhost only, an integer in 576..9698 */
	{ "{" P_VH "\"path\":\"/tmp/x\",\"mtu\":575}}", "EINVAL", "/args/mtu" },
	{ "{" P_VH "\"path\":\"/tmp/x\",\"mtu\":9699}}", "EINVAL", "/args/mtu" },
	{ "{" P_VH "\"path\":\"/tmp/x\",\"mtu\":-1500}}", "EINVAL", "/args/mtu" },
	{ "{" P_VH "\"path\":\"/tmp/x\",\"mtu\":\"9000\"}}", "EINVAL",
	  "/args/mtu" },
	{ "{" P_AFP "\"name\":\"p\",\"iface\":\"v\",\"mtu\":1500}}",
	  "EINVAL", "/args/mtu" },
	{ "{" P_VH "\"path\":\"rel.sock\"}}", "EINVAL", "/args/path" },
	{ "{" P_VH "\"path\":\"/a,b.sock\"}}", "EINVAL", "/args/path" },
	{ "{" P_VH "\"path\":\"/tmp/x\",\"mode\":\"both\"}}", "EINVAL",
	  "/args/mode" },
	{ "{" P_VH "\"path\":\"/tmp/x\",\"mode\":true}}", "EINVAL",
	  "/args/mode" },
	{ "{" P_VH "\"iface\":\"v\"}}", "EINVAL", "/args/iface" },
	{ "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\",\"type\":\"devargs\","
	  "\"devargs\":\"net_null0, no-rx=1\"}}", "EINVAL", "/args/devargs" },
	{ "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\",\"type\":\"devargs\""
	  "}}", "EINVAL", "/args/devargs" },
	/* port_del */
	{ "{\"cmd\":\"port_del\"}", "EINVAL", "/args/name" },
	{ "{\"cmd\":\"port_del\",\"args\":{\"name\":[]}}", "EINVAL",
	  "/args/name" },
	{ "{\"cmd\":\"port_del\",\"args\":{\"name\":\"nope\"}}", "ENOENT",
	  "/args/name" },
	/* endpoint_add */
	{ "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"Default\","
	  "\"name\":\"a\",\"port\":\"p\",\"ips\":[\"10.0.0.1\"]}}", "EINVAL",
	  "/args/namespace" },
	{ "{\"cmd\":\"endpoint_add\",\"args\":{\"name\":\"a\",\"port\":\"p\","
	  "\"ips\":[\"10.0.0.1\"]}}", "EINVAL", "/args/namespace" },
	{ "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns-\","
	  "\"name\":\"a\",\"port\":\"p\",\"ips\":[\"10.0.0.1\"]}}", "EINVAL",
	  "/args/namespace" },
	{ "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns\","
	  "\"name\":\"a_b\",\"port\":\"p\",\"ips\":[\"10.0.0.1\"]}}", "EINVAL",
	  "/args/name" },
	{ "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns\","
	  "\"name\":\"a\",\"ips\":[\"10.0.0.1\"]}}", "EINVAL", "/args/port" },
	{ "{" EP "\"ips\":\"10.0.0.1\"}}", "EINVAL", "/args/ips" },
	{ "{" EP "\"ips\":[]}}", "EINVAL", "/args/ips" },
	{ "{" EP "\"x\":1,\"ips\":[\"10.0.0.1\"]}}", "EINVAL", "/args/x" },
	{ "{" EP "\"ips\":[\"1.1.1.1\",\"1.1.1.2\",\"1.1.1.3\",\"1.1.1.4\","
	  "\"1.1.1.5\"]}}", "EINVAL", "/args/ips" },
	{ "{" EP "\"ips\":[\"10.0.0.256\"]}}", "EINVAL", "/args/ips/0" },
	{ "{" EP "\"ips\":[\"10.0.0.1\",7]}}", "EINVAL", "/args/ips/1" },
	{ "{" EP "\"ips\":[\"10.0.0.1/24\"]}}", "EINVAL", "/args/ips/0" },
	{ "{" EP "\"ips\":[\"fd00::1\",\"FD00::1\"]}}", "EINVAL",
	  "/args/ips/1" },
	{ "{" EP "\"ips\":[\"10.0.0.1\"],\"mac\":\"zz:00:00:00:00:01\"}}",
	  "EINVAL", "/args/mac" },
	{ "{" EP "\"ips\":[\"10.0.0.1\"],\"mac\":\"02:00:00:00:00:1\"}}",
	  "EINVAL", "/args/mac" },
	{ "{" EP "\"ips\":[\"10.0.0.1\"],\"mac\":\"02-00-00-00-00-01\"}}",
	  "EINVAL", "/args/mac" },
	{ "{" EP "\"ips\":[\"10.0.0.1\"],\"mac\":\"01:00:5e:00:00:01\"}}",
	  "EINVAL", "/args/mac" },
	{ "{" EP "\"ips\":[\"10.0.0.1\"],\"mac\":\"00:00:00:00:00:00\"}}",
	  "EINVAL", "/args/mac" },
	{ "{" EP "\"ips\":[\"10.0.0.1\"],\"mac\":1}}", "EINVAL", "/args/mac" },
	/* endpoint_del */
	{ "{\"cmd\":\"endpoint_del\",\"args\":{\"namespace\":\"ns\"}}",
	  "EINVAL", "/args/name" },
	{ "{\"cmd\":\"endpoint_del\",\"args\":{\"namespace\":\"ns\","
	  "\"name\":\"nope\"}}", "ENOENT", "/args/name" },
};

static void
test_refused(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		unsigned int calls = f->vs->calls;
		const struct bad_case *c = &bad_cases[i];
		int only_lookup = strcmp(c->code, "ENOENT") == 0;

		run_err(f, c->line, c->code, c->where);
		/* del of a missing object reaches the switch; nothing else */
		assert_int_equal(f->vs->calls, calls + (only_lookup ? 1 : 0));
	}
	assert_int_equal(f->vs->n_ports, 0);
	assert_int_equal(f->vs->n_eps, 0);
}

/* Nesting, size and NUL bytes the parser must survive. */
static void
test_hostile_json(void **state)
{
	struct fixture *f = *state;
	size_t n = 100000, i;
	char *deep = malloc(2 * n + 1);
	static const char nul[] = "{\"cmd\":\"version\"}\0garbage";
	json_t *r;

	assert_non_null(deep);
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	deep[2 * n] = '\0';
	run_err(f, deep, "EBADMSG", "");
	free(deep);

	r = ctl_cmds_handle_line(&f->ctx, nul, sizeof(nul) - 1);
	assert_string_equal(json_string_value(json_object_get(r, "code")),
			"EBADMSG");
	json_decref(r);
}

/* ---- good requests ---- */

static void
test_version_and_id(void **state)
{
	struct fixture *f = *state;
	json_t *r;

	r = run_ok(f, "{\"cmd\":\"version\"}");
	assert_string_equal(json_string_value(json_object_get(r, "version")),
			NPVS_VERSION);
	assert_string_equal(json_string_value(json_object_get(r, "node")),
			"node-test");
	assert_null(json_object_get(r, "id"));
	json_decref(r);

	r = run_ok(f, "{\"cmd\":\"version\",\"args\":{},\"id\":[1,\"a\"]}");
	assert_int_equal(json_integer_value(json_array_get(
			json_object_get(r, "id"), 0)), 1);
	json_decref(r);

	/* an error reply carries the id too */
	r = run(f, "{\"cmd\":\"nope\",\"id\":42}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 42);
	json_decref(r);
}

/* What port_add passes to the switch, per type. */
static void
test_port_add_specs(void **state)
{
	struct fixture *f = *state;
	const struct vs_port_spec *s = &f->vs->last_port;
	static const uint32_t mtus[] = { 9000, VS_VHOST_MTU_MIN,
		VS_VHOST_MTU_MAX };
	char req[256];
	json_t *r, *p;
	size_t i;

	r = run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"pod-a.1\","
			"\"type\":\"afpacket\",\"iface\":\"veth_a@1\"}}");
	assert_int_equal(s->type, VS_PORT_AFPACKET);
	assert_string_equal(s->name, "pod-a.1");
	assert_string_equal(s->iface, "veth_a@1");
	assert_false(s->uplink);
	assert_int_equal(s->max_frame, 0);
	p = json_object_get(r, "port");
	assert_string_equal(json_string_value(json_object_get(p, "name")),
			"pod-a.1");
	assert_string_equal(json_string_value(json_object_get(p, "type")),
			"afpacket");
	assert_string_equal(json_string_value(json_object_get(p, "detail")),
			"veth_a@1");
	json_decref(r);

	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"j\","
			"\"type\":\"afpacket\",\"iface\":\"veth-j\","
			"\"max_frame\":9014}}"));
	assert_int_equal(s->max_frame, 9014);
	json_decref(run_ok(f, "{\"cmd\":\"port_del\",\"args\":{\"name\":\"j\"}}"));

	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"v1\","
			"\"type\":\"vhost\",\"path\":\"/run/npvs/v1.sock\"}}"));
	assert_int_equal(s->type, VS_PORT_VHOST);
	assert_string_equal(s->path, "/run/npvs/v1.sock");
	assert_false(s->vhost_client);
	assert_int_equal(s->mtu, 0);

	/* mtu: within the bounds, both included */
	for (i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
		snprintf(req, sizeof(req), "{\"cmd\":\"port_add\",\"args\":"
				"{\"name\":\"vj\",\"type\":\"vhost\","
				"\"path\":\"/tmp/vj\",\"mtu\":%u}}", mtus[i]);
		json_decref(run_ok(f, req));
		assert_int_equal(s->mtu, mtus[i]);
		json_decref(run_ok(f, "{\"cmd\":\"port_del\",\"args\":"
				"{\"name\":\"vj\"}}"));
	}

	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"v2\","
			"\"type\":\"vhost\",\"path\":\"/tmp/v2\","
			"\"mode\":\"client\"}}"));
	assert_true(s->vhost_client);

	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"up\","
			"\"type\":\"devargs\",\"devargs\":\"net_null0,no-rx=1\","
			"\"uplink\":true}}"));
	assert_int_equal(s->type, VS_PORT_DEVARGS);
	assert_string_equal(s->devargs, "net_null0,no-rx=1");
	assert_true(s->uplink);
	assert_int_equal(f->vs->n_ports, 4);

	/* a second port of a name: the switch's EEXIST, at /args/name */
	run_err(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"v1\","
			"\"type\":\"vhost\",\"path\":\"/tmp/v3\"}}", "EEXIST",
			"/args/name");
	assert_int_equal(f->vs->n_ports, 4);
}

/* A failure of the switch comes back with its errno and message. */
static void
test_switch_errors(void **state)
{
	struct fixture *f = *state;
	json_t *r;

	f->vs->fail_next = -ENODEV;
	r = run(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\","
			"\"type\":\"afpacket\",\"iface\":\"nosuch\"}}");
	assert_string_equal(json_string_value(json_object_get(r, "code")),
			"ENODEV");
	assert_non_null(strstr(json_string_value(json_object_get(r, "error")),
			"fake failure"));
	json_decref(r);
	assert_int_equal(f->vs->n_ports, 0);

	f->vs->fail_next = -ENOSPC;
	run_err(f, "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns\","
			"\"name\":\"a\",\"port\":\"p\",\"ips\":[\"10.0.0.1\"]}}",
			"ENOSPC", NULL);
}

static void
test_port_del_and_list(void **state)
{
	struct fixture *f = *state;
	json_t *r, *ports, *p;

	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"a\","
			"\"type\":\"afpacket\",\"iface\":\"va\"}}"));
	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"b\","
			"\"type\":\"afpacket\",\"iface\":\"vb\"}}"));
	json_decref(run_ok(f, "{\"cmd\":\"port_del\",\"args\":{\"name\":\"a\"}}"));
	run_err(f, "{\"cmd\":\"port_del\",\"args\":{\"name\":\"a\"}}", "ENOENT",
			"/args/name");

	r = run_ok(f, "{\"cmd\":\"port_list\"}");
	ports = json_object_get(r, "ports");
	assert_int_equal(json_array_size(ports), 1);
	p = json_array_get(ports, 0);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "b");
	assert_int_equal(json_integer_value(json_object_get(p, "port_id")),
			f->vs->ports[0].port_id);
	assert_int_equal(json_integer_value(json_object_get(p, "rx_packets")),
			f->vs->ports[0].stats.rx_packets);
	/* counters above 32 bits survive */
	assert_true((uint64_t)json_integer_value(json_object_get(p,
			"tx_bytes")) == f->vs->ports[0].stats.tx_bytes);
	assert_true(json_is_false(json_object_get(p, "link_up")));
	json_decref(r);
}

static void
test_endpoints(void **state)
{
	struct fixture *f = *state;
	const struct vs_endpoint_spec *s = &f->vs->last_ep;
	uint8_t v6[16];
	json_t *r, *e;

	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\","
			"\"type\":\"afpacket\",\"iface\":\"va\"}}"));
	r = run_ok(f, "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns\","
			"\"name\":\"web-0.x\",\"port\":\"p\",\"ips\":[\"10.244.1.5\","
			"\"fd00::5\"],\"mac\":\"02:AB:cd:00:00:05\"}}");
	assert_string_equal(s->ns, "ns");
	assert_string_equal(s->name, "web-0.x");
	assert_string_equal(s->port, "p");
	assert_int_equal(s->n_ips, 2);
	assert_int_equal(s->ips[0].family, AF_INET);
	assert_memory_equal(s->ips[0].addr, "\x0a\xf4\x01\x05", 4);
	assert_int_equal(s->ips[1].family, AF_INET6);
	inet_pton(AF_INET6, "fd00::5", v6);
	assert_memory_equal(s->ips[1].addr, v6, 16);
	assert_true(s->has_mac);
	assert_memory_equal(s->mac, "\x02\xab\xcd\x00\x00\x05", 6);

	e = json_object_get(r, "endpoint");
	assert_string_equal(json_string_value(json_object_get(e, "mac")),
			"02:ab:cd:00:00:05");
	assert_string_equal(json_string_value(json_array_get(
			json_object_get(e, "ips"), 1)), "fd00::5");
	assert_true(json_is_true(json_object_get(e, "port_present")));
	json_decref(r);

	/* without a MAC: has_mac false, "mac": null */
	r = run_ok(f, "{\"cmd\":\"endpoint_add\",\"args\":{\"namespace\":\"ns\","
			"\"name\":\"b\",\"port\":\"gone\",\"ips\":[\"10.244.1.6\"]}}");
	assert_false(s->has_mac);
	e = json_object_get(r, "endpoint");
	assert_true(json_is_null(json_object_get(e, "mac")));
	assert_true(json_is_false(json_object_get(e, "port_present")));
	json_decref(r);

	json_decref(run_ok(f, "{\"cmd\":\"endpoint_del\",\"args\":{"
			"\"namespace\":\"ns\",\"name\":\"b\"}}"));
	assert_int_equal(f->vs->n_eps, 1);
}

/* More endpoints than the first list buffer holds. */
static void
test_long_list(void **state)
{
	struct fixture *f = *state;
	char line[256];
	json_t *r;
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "{\"cmd\":\"endpoint_add\",\"args\":"
				"{\"namespace\":\"ns\",\"name\":\"pod-%d\","
				"\"port\":\"p\",\"ips\":[\"10.1.0.%d\"]}}", i,
				i + 1);
		json_decref(run_ok(f, line));
	}
	r = run_ok(f, "{\"cmd\":\"endpoint_list\"}");
	assert_int_equal(json_array_size(json_object_get(r, "endpoints")), 40);
	json_decref(r);
}

static void
test_stats(void **state)
{
	struct fixture *f = *state;
	json_t *r, *d;

	f->vs->drops[VS_DROP_NO_ROUTE] = 7;
	f->vs->drops[VS_DROP_MAX - 1] = 9;
	json_decref(run_ok(f, "{\"cmd\":\"port_add\",\"args\":{\"name\":\"p\","
			"\"type\":\"afpacket\",\"iface\":\"va\"}}"));
	r = run_ok(f, "{\"cmd\":\"stats\"}");
	assert_int_equal(json_array_size(json_object_get(r, "ports")), 1);
	d = json_object_get(r, "drops");
	assert_int_equal(json_object_size(d), VS_DROP_MAX);
	assert_int_equal(json_integer_value(json_object_get(d,
			vs_drop_name(VS_DROP_NO_ROUTE))), 7);
	assert_int_equal(json_integer_value(json_object_get(d,
			vs_drop_name(VS_DROP_MAX - 1))), 9);
	json_decref(r);
}

/* Every row of the table has a name, a handler and help; names unique. */
static void
test_table(void **state)
{
	const struct ctl_cmd *t;
	size_t n, i, j;

	(void)state;
	t = ctl_cmds_table(&n);
	assert_true(n >= 8);
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].fn);
		assert_true(strlen(t[i].help) > 0);
		assert_ptr_equal(ctl_cmd_lookup(t[i].name), &t[i]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(t[i].name, t[j].name);
	}
	assert_null(ctl_cmd_lookup("nope"));
}

static void
test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(ctl_errno_name(-EEXIST), "EEXIST");
	assert_string_equal(ctl_errno_name(EMSGSIZE), "EMSGSIZE");
	assert_string_equal(ctl_errno_name(99999), "EIO");
	assert_int_equal(ctl_errno_from_name("ENODEV"), ENODEV);
	assert_int_equal(ctl_errno_from_name("nonsense"), EIO);
	assert_int_equal(ctl_errno_from_name(NULL), EIO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_json, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_version_and_id, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_port_add_specs, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_switch_errors, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_port_del_and_list, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_endpoints, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_long_list, setup,
				teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_errno_names),
	};

	return cmocka_run_group_tests_name("ctl_cmds", tests, NULL, NULL);
}
