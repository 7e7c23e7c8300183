/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cni_unit.c: npvs-cni's parts without a network namespace or npvsd:
 * environment and CNI_ARGS, config parsing and its error codes, versions,
 * derived names, addressing plans, result documents per spec version,
 * IPAM result parsing and the state files. Tables first, one row per case.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "cni.h"
#include "cni_cmd.h"

/* ---- environment ---- */

static const char *const *test_env;     /* "NAME=value", NULL-terminated */

static const char *
fake_getenv(const char *name)
{
	size_t n = strlen(name);
	const char *const *e;

	for (e = test_env; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

#define FULL "CNI_CONTAINERID=c1", "CNI_NETNS=/run/netns/x", \
	"CNI_IFNAME=eth0", "CNI_PATH=/usr/lib/cni"

static const struct {
	const char *what;
	const char *env[10];
	int code;                       /* 0: accepted */
} env_cases[] = {
	{ "no CNI_COMMAND", { FULL, NULL }, CNI_ERR_INVALID_ENV },
	{ "unknown command", { "CNI_COMMAND=FOO", FULL, NULL },
	  CNI_ERR_INVALID_ENV },
	{ "lower-case command", { "CNI_COMMAND=add", FULL, NULL },
	  CNI_ERR_INVALID_ENV },
	{ "ADD complete", { "CNI_COMMAND=ADD", FULL, NULL }, 0 },
	{ "ADD without netns", { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1",
	  "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL }, CNI_ERR_INVALID_ENV },
	{ "ADD without container", { "CNI_COMMAND=ADD", "CNI_NETNS=/n",
	  "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL }, CNI_ERR_INVALID_ENV },
	{ "ADD bad container id", { "CNI_COMMAND=ADD", "CNI_CONTAINERID=-x",
	  "CNI_NETNS=/n", "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL },
	  CNI_ERR_INVALID_ENV },
	{ "ADD ifname too long", { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c",
	  "CNI_NETNS=/n", "CNI_IFNAME=abcdefghijklmnop", "CNI_PATH=/x", NULL },
	  CNI_ERR_INVALID_ENV },
	{ "ADD ifname with slash", { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c",
	  "CNI_NETNS=/n", "CNI_IFNAME=a/b", "CNI_PATH=/x", NULL },
	  CNI_ERR_INVALID_ENV },
	{ "ADD without CNI_PATH", { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c",
	  "CNI_NETNS=/n", "CNI_IFNAME=eth0", NULL }, CNI_ERR_INVALID_ENV },
	{ "DEL with empty netns", { "CNI_COMMAND=DEL", "CNI_CONTAINERID=c1",
	  "CNI_NETNS=", "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL }, 0 },
	{ "CHECK without netns", { "CNI_COMMAND=CHECK", "CNI_CONTAINERID=c1",
	  "CNI_IFNAME=eth0", "CNI_PATH=/x", NULL }, CNI_ERR_INVALID_ENV },
	{ "VERSION with dummies", { "CNI_COMMAND=VERSION",
	  "CNI_CONTAINERID=dummy", "CNI_NETNS=dummy", "CNI_IFNAME=dummy",
	  "CNI_PATH=dummy", NULL }, 0 },
	{ "VERSION alone", { "CNI_COMMAND=VERSION", NULL }, 0 },
	{ "STATUS alone", { "CNI_COMMAND=STATUS", NULL }, 0 },
	{ "GC without CNI_PATH", { "CNI_COMMAND=GC", NULL },
	  CNI_ERR_INVALID_ENV },
	{ "bad CNI_ARGS pair", { "CNI_COMMAND=ADD", FULL,
	  "CNI_ARGS=K8S_POD_NAME=a;garbage", NULL }, CNI_ERR_INVALID_ENV },
	{ "bad interface type in CNI_ARGS", { "CNI_COMMAND=ADD", FULL,
	  "CNI_ARGS=NPVS_INTERFACE_TYPE=tap", NULL }, CNI_ERR_INVALID_ENV },
};

static void
test_env_table(void **state)
{
	struct cni_env env;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		struct cni_err err = { 0 };
		int rc;

		test_env = env_cases[i].env;
		rc = cni_env_load(&env, fake_getenv, &err);
		if ((rc == 0) != (env_cases[i].code == 0) ||
		    err.code != env_cases[i].code)
			fail_msg("%s: rc %d code %d (%s), want code %d",
				 env_cases[i].what, rc, err.code, err.msg,
				 env_cases[i].code);
	}
}

static void
test_cni_args(void **state)
{
	struct cni_env env;
	struct cni_err err = { 0 };

	(void)state;
	memset(&env, 0, sizeof(env));
	/* any order, unknown keys, values with '=' in them */
	assert_int_equal(cni_args_parse(&env,
		"IgnoreUnknown=1;K8S_POD_INFRA_CONTAINER_ID=abc;"
		"K8S_POD_NAME=web-0;FOO=a=b;K8S_POD_NAMESPACE=prod;"
		"NPVS_INTERFACE_TYPE=vhost-user;NPVS_VHOST_MODE=server", &err), 0);
	assert_string_equal(env.k8s_pod, "web-0");
	assert_string_equal(env.k8s_ns, "prod");
	assert_int_equal(env.iftype, CNI_IFTYPE_VHOST);
	assert_int_equal(env.vhost_mode, CNI_VHOST_SERVER);
	assert_int_equal(cni_args_parse(&env, "", &err), 0);
	assert_int_equal(cni_args_parse(&env, "=x", &err), -EINVAL);
	assert_int_equal(err.code, CNI_ERR_INVALID_ENV);
}

static void
test_names_valid(void **state)
{
	(void)state;
	assert_true(cni_ifname_valid("eth0"));
	assert_true(cni_ifname_valid("abcdefghijklmno"));       /* 15 */
	assert_false(cni_ifname_valid("abcdefghijklmnop"));     /* 16 */
	assert_false(cni_ifname_valid(""));
	assert_false(cni_ifname_valid("."));
	assert_false(cni_ifname_valid(".."));
	assert_false(cni_ifname_valid("a:b"));
	assert_false(cni_ifname_valid("a b"));
	assert_true(cni_container_id_valid("a1_b.c-d"));
	assert_false(cni_container_id_valid("_a"));
	assert_false(cni_container_id_valid("a/b"));
	assert_false(cni_container_id_valid(""));
}

/* ---- configuration ---- */

#define IPAM ",\"ipam\":{\"type\":\"host-local\"}"

static const struct {
	const char *what;
	enum cni_cmd cmd;
	const char *json;
	int code;
} conf_cases[] = {
	{ "not JSON", CNI_CMD_ADD, "{\"cniVersion\":", CNI_ERR_DECODE },
	{ "not an object", CNI_CMD_ADD, "[1,2]", CNI_ERR_DECODE },
	{ "empty", CNI_CMD_ADD, "", CNI_ERR_DECODE },
	{ "duplicate key", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"name\":\"b\"" IPAM "}",
	  CNI_ERR_DECODE },
	{ "no cniVersion", CNI_CMD_ADD, "{\"name\":\"n\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "old version", CNI_CMD_ADD,
	  "{\"cniVersion\":\"0.3.1\",\"name\":\"n\"" IPAM "}",
	  CNI_ERR_INCOMPATIBLE_VERSION },
	{ "future version", CNI_CMD_ADD,
	  "{\"cniVersion\":\"2.0.0\",\"name\":\"n\"" IPAM "}",
	  CNI_ERR_INCOMPATIBLE_VERSION },
	{ "no name", CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "name with slash", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "no ipam", CNI_CMD_ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}",
	  CNI_ERR_INVALID_CONFIG },
	{ "ipam without type", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{}}",
	  CNI_ERR_INVALID_CONFIG },
	{ "ipam type with path", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"../x\"}}",
	  CNI_ERR_INVALID_CONFIG },
	{ "mtu a string", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":\"1500\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "mtu too small", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":20" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "maxFrame too small", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"maxFrame\":1500" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "maxFrame too big", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"maxFrame\":65549" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "maxFrame a string", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"maxFrame\":\"9014\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "maxFrame", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"maxFrame\":9014" IPAM "}",
	  0 },
	{ "bad addressing", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"addressing\":\"l2\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "bad interfaceType", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"interfaceType\":\"tap\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "relative socket", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"socket\":\"x.sock\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "ipMasq", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipMasq\":true" IPAM "}",
	  CNI_ERR_UNSUPPORTED_FIELD },
	{ "CHECK without prevResult", CNI_CMD_CHECK,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "GC on 1.0.0", CNI_CMD_GC,
	  "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":[]"
	  IPAM "}", CNI_ERR_INCOMPATIBLE_VERSION },
	{ "GC without attachments", CNI_CMD_GC,
	  "{\"cniVersion\":\"1.1.0\",\"name\":\"n\"" IPAM "}",
	  CNI_ERR_INVALID_CONFIG },
	{ "STATUS on 0.4.0", CNI_CMD_STATUS,
	  "{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}",
	  CNI_ERR_INCOMPATIBLE_VERSION },
	{ "good 0.4.0", CNI_CMD_ADD,
	  "{\"cniVersion\":\"0.4.0\",\"name\":\"n\"" IPAM "}", 0 },
	{ "good 1.1.0, unknown fields", CNI_CMD_ADD,
	  "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"npvs-cni\","
	  "\"someday\":{\"x\":1}" IPAM "}", 0 },
	{ "good GC (old name of the list)", CNI_CMD_GC,
	  "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/attachments\":[]"
	  IPAM "}", 0 },
	{ "VERSION with nothing", CNI_CMD_VERSION, "", 0 },
	{ "STATUS without ipam", CNI_CMD_STATUS,
	  "{\"cniVersion\":\"1.1.0\",\"name\":\"n\"}", 0 },
};

static void
test_conf_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
		struct cni_conf conf;
		struct cni_err err = { 0 };
		int rc;

		rc = cni_conf_parse(&conf, conf_cases[i].json,
				    strlen(conf_cases[i].json), conf_cases[i].cmd,
				    &err);
		if ((rc == 0) != (conf_cases[i].code == 0) ||
		    err.code != conf_cases[i].code)
			fail_msg("%s: rc %d code %d (%s), want code %d",
				 conf_cases[i].what, rc, err.code, err.msg,
				 conf_cases[i].code);
		cni_conf_free(&conf);
	}
}

static void
test_conf_defaults(void **state)
{
	const char *j = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s\"" IPAM "}";
	struct cni_conf conf;
	struct cni_err err = { 0 };
	struct cni_env env;

	(void)state;
	memset(&env, 0, sizeof(env));
	assert_int_equal(cni_conf_parse(&conf, j, strlen(j), CNI_CMD_ADD, &err), 0);
	assert_int_equal(cni_conf_resolve(&conf, &env, &err), 0);
	assert_string_equal(conf.socket, "/run/npvs/npvsd.sock");
	assert_int_equal(conf.mtu, 1450);
	assert_int_equal(conf.max_frame, 0);
	assert_int_equal(conf.addressing, CNI_ADDR_CALICO);
	assert_int_equal(conf.iftype, CNI_IFTYPE_VETH);
	assert_int_equal(conf.vhost_mode, CNI_VHOST_CLIENT);
	assert_string_equal(conf.vhost_dir, "/run/npvs/vhost");
	assert_string_equal(conf.state_dir, "/var/lib/cni/npvs");
	assert_string_equal(conf.ipam_type, "host-local");
	cni_conf_free(&conf);
}

/* config < CNI_ARGS < args.cni < runtimeConfig */
static const struct {
	const char *what;
	const char *json;
	enum cni_iftype env_type;
	enum cni_iftype want;
} resolve_cases[] = {
	{ "config", "{\"interfaceType\":\"vhost-user\"}", CNI_IFTYPE_UNSET,
	  CNI_IFTYPE_VHOST },
	{ "CNI_ARGS over config", "{\"interfaceType\":\"veth\"}",
	  CNI_IFTYPE_VHOST, CNI_IFTYPE_VHOST },
	{ "args.cni over CNI_ARGS",
	  "{\"args\":{\"cni\":{\"interfaceType\":\"veth\"}}}", CNI_IFTYPE_VHOST,
	  CNI_IFTYPE_VETH },
	{ "runtimeConfig over args.cni",
	  "{\"args\":{\"cni\":{\"interfaceType\":\"veth\"}},"
	  "\"runtimeConfig\":{\"interfaceType\":\"vhost-user\"}}",
	  CNI_IFTYPE_UNSET, CNI_IFTYPE_VHOST },
	{ "default", "{}", CNI_IFTYPE_UNSET, CNI_IFTYPE_VETH },
};

static void
test_conf_resolve(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		struct cni_conf conf;
		struct cni_err err = { 0 };
		struct cni_env env;

		memset(&conf, 0, sizeof(conf));
		memset(&env, 0, sizeof(env));
		conf.root = json_loads(resolve_cases[i].json, 0, NULL);
		assert_non_null(conf.root);
		if (json_object_get(conf.root, "interfaceType") != NULL)
			cni_iftype_parse(json_string_value(json_object_get(
				conf.root, "interfaceType")), &conf.iftype);
		env.iftype = resolve_cases[i].env_type;
		assert_int_equal(cni_conf_resolve(&conf, &env, &err), 0);
		if (conf.iftype != resolve_cases[i].want)
			fail_msg("%s: type %d, want %d", resolve_cases[i].what,
				 conf.iftype, resolve_cases[i].want);
		cni_conf_free(&conf);
	}
}

/* ---- versions and names ---- */

static void
test_versions(void **state)
{
	json_t *v = cni_result_version("1.0.0");
	json_t *sv = json_object_get(v, "supportedVersions");

	(void)state;
	assert_true(cni_version_supported("0.4.0"));
	assert_true(cni_version_supported("1.0.0"));
	assert_true(cni_version_supported("1.1.0"));
	assert_false(cni_version_supported("0.3.1"));
	assert_false(cni_version_supported("1.1"));
	assert_true(cni_version_cmp("1.0.0", "1.1.0") < 0);
	assert_true(cni_version_cmp("0.10.0", "0.4.0") > 0);
	assert_int_equal(cni_version_cmp("1.1.0", "1.1.0"), 0);
	assert_true(cni_version_cmp("junk", "0.1.0") < 0);
	assert_string_equal(json_string_value(json_object_get(v, "cniVersion")),
			    "1.0.0");
	assert_int_equal(json_array_size(sv), 3);
	json_decref(v);
	/* an unknown input version gets the latest */
	v = cni_result_version("9.9.9");
	assert_string_equal(json_string_value(json_object_get(v, "cniVersion")),
			    CNI_VERSION_LATEST);
	json_decref(v);
}

static void
test_host_ifname(void **state)
{
	char a[CNI_IFNAME_MAX], b[CNI_IFNAME_MAX], c[CNI_IFNAME_MAX];
	char d[CNI_IFNAME_MAX];
	char longid[200];

	(void)state;
	memset(longid, 'f', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	cni_host_ifname("npv", "abc", "eth0", a);
	cni_host_ifname("npv", "abc", "eth0", b);
	cni_host_ifname("npv", "abc", "net1", c);
	cni_host_ifname("npv", longid, "eth0", d);
	assert_string_equal(a, b);                       /* deterministic */
	assert_string_not_equal(a, c);                   /* ifname counts */
	assert_int_equal(strlen(a), 15);
	assert_int_equal(strlen(d), 15);
	assert_memory_equal(a, "npv", 3);
	assert_true(cni_ifname_valid(a));
	/* the separator keeps ("a@b","c") and ("a","b@c") apart */
	cni_host_ifname("npv", "ab", "c", a);
	cni_host_ifname("npv", "a", "bc", b);
	assert_string_not_equal(a, b);
}

/* the endpoint's name: the pod's, else the container ID made DNS-safe */
static const struct {
	const char *cid, *pod, *want;
} ep_cases[] = {
	{ "abc123", "web-0", "web-0" },
	{ "abc123", "", "abc123" },
	{ "ABC_12.x-", "", "abc-12-x0" },
};

static void
test_endpoint_name(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ep_cases) / sizeof(ep_cases[0]); i++) {
		struct cni_env env;
		struct cni_attach a;

		memset(&env, 0, sizeof(env));
		strcpy(env.container_id, ep_cases[i].cid);
		strcpy(env.ifname, "eth0");
		strcpy(env.k8s_pod, ep_cases[i].pod);
		cni_attach_names(&env, CNI_IFTYPE_VETH, &a);
		assert_string_equal(a.ep_name, ep_cases[i].want);
		assert_string_equal(a.ep_ns, "default");
		assert_string_equal(a.port, a.host_if);
	}
}

static const struct {
	const char *s;
	int ok, family, len;
} cidr_cases[] = {
	{ "10.1.2.3/24", 1, AF_INET, 24 },
	{ "10.1.2.3/32", 1, AF_INET, 32 },
	{ "fd00::1/64", 1, AF_INET6, 64 },
	{ "10.1.2.3/33", 0, 0, 0 },
	{ "10.1.2.3", 0, 0, 0 },
	{ "10.1.2.3/", 0, 0, 0 },
	{ "10.1.2/24", 0, 0, 0 },
	{ "fd00::1/129", 0, 0, 0 },
	{ "10.1.2.3/2x", 0, 0, 0 },
};

static void
test_cidr(void **state)
{
	uint8_t addr[16], len;
	size_t i;
	int fam;

	(void)state;
	for (i = 0; i < sizeof(cidr_cases) / sizeof(cidr_cases[0]); i++) {
		int rc = cni_cidr_parse(cidr_cases[i].s, &fam, addr, &len);

		if ((rc == 0) != cidr_cases[i].ok ||
		    (rc == 0 && (fam != cidr_cases[i].family ||
				 len != cidr_cases[i].len)))
			fail_msg("%s: rc %d fam %d len %u", cidr_cases[i].s, rc,
				 fam, len);
	}
}

/* ---- IPAM results and addressing ---- */

static const char *const host_local_result =
	"{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.244.1.5/24\","
	"\"gateway\":\"10.244.1.1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"},"
	"{\"dst\":\"10.96.0.0/12\",\"gw\":\"10.244.1.254\"}],"
	"\"dns\":{\"nameservers\":[\"10.96.0.10\"]}}";

static void
parse_ipam(const char *text, struct cni_ipam_result *r)
{
	struct cni_err err = { 0 };
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	assert_int_equal(cni_ipam_result_parse(j, r, &err), 0);
	json_decref(j);
}

static void
test_ipam_result(void **state)
{
	static const char *const bad[] = {
		"{\"ips\":[]}",
		"{\"ips\":[{\"address\":\"10.0.0.1\"}]}",
		"{\"ips\":[{\"address\":\"10.0.0.1/24\",\"gateway\":\"fd00::1\"}]}",
		"{\"ips\":[{\"address\":\"10.0.0.1/24\"}],\"routes\":[{\"gw\":\"1.1.1.1\"}]}",
		"{\"ips\":[{\"address\":\"10.0.0.1/24\"}],\"routes\":{}}",
	};
	struct cni_ipam_result r;
	size_t i;

	(void)state;
	parse_ipam(host_local_result, &r);
	assert_int_equal(r.n_ips, 1);
	assert_int_equal(r.ips[0].prefix, 24);
	assert_true(r.ips[0].has_gw);
	assert_int_equal(r.n_routes, 2);
	assert_false(r.routes[0].has_gw);
	assert_true(r.routes[1].has_gw);
	assert_non_null(r.dns);
	cni_ipam_result_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cni_err err = { 0 };
		json_t *j = json_loads(bad[i], 0, NULL);

		assert_non_null(j);
		if (cni_ipam_result_parse(j, &r, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_int_not_equal(err.code, 0);
		cni_ipam_result_free(&r);
		json_decref(j);
	}
}

/* One route of a plan, as text: "dst/len via gw" or "dst/len link". */
static void
route_str(const struct cni_route *r, char *buf, size_t size)
{
	char d[64], g[64];

	snprintf(buf, size, "%s/%u %s%s", cni_ip_str(r->family, r->dst, d,
		 sizeof(d)), r->dst_len, r->has_gw ? "via " : "link",
		 r->has_gw ? cni_ip_str(r->family, r->gw, g, sizeof(g)) : "");
}

static const struct {
	const char *what;
	enum cni_addressing mode;
	unsigned int prefix;
	const char *gw;
	const char *routes[4];
} plan_cases[] = {
	{ "calico", CNI_ADDR_CALICO, 32, "169.254.1.1",
	  { "169.254.1.1/32 link", "0.0.0.0/0 via 169.254.1.1",
	    "10.96.0.0/12 via 10.244.1.254", NULL } },
	{ "subnet", CNI_ADDR_SUBNET, 24, "10.244.1.1",
	  { "0.0.0.0/0 via 10.244.1.1", "10.96.0.0/12 via 10.244.1.254",
	    NULL } },
};

static void
test_plan(void **state)
{
	struct cni_ipam_result ipam;
	size_t i, k;

	(void)state;
	parse_ipam(host_local_result, &ipam);
	for (i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++) {
		struct cni_conf conf = { .addressing = plan_cases[i].mode };
		struct cni_attach a;
		struct cni_err err = { 0 };
		char buf[128];

		memset(&a, 0, sizeof(a));
		assert_int_equal(cni_attach_plan(&conf, &ipam, &a, &err), 0);
		assert_int_equal(a.n_ips, 1);
		assert_int_equal(a.ips[0].prefix, plan_cases[i].prefix);
		assert_string_equal(cni_ip_str(AF_INET, a.ips[0].gw, buf,
					       sizeof(buf)), plan_cases[i].gw);
		for (k = 0; plan_cases[i].routes[k] != NULL; k++) {
			assert_true(k < a.n_routes);
			route_str(&a.routes[k], buf, sizeof(buf));
			if (strcmp(buf, plan_cases[i].routes[k]) != 0)
				fail_msg("%s: route %zu is \"%s\", want \"%s\"",
					 plan_cases[i].what, k, buf,
					 plan_cases[i].routes[k]);
		}
		assert_int_equal(a.n_routes, k);
	}
	cni_ipam_result_free(&ipam);
}

/* ---- results ---- */

static json_t *
build_result(const char *version, enum cni_iftype type)
{
	struct cni_ipam_result ipam;
	struct cni_ctx ctx;
	struct cni_attach a;
	struct cni_err err = { 0 };
	json_t *res;

	memset(&ctx, 0, sizeof(ctx));
	memset(&a, 0, sizeof(a));
	snprintf(ctx.conf.version, sizeof(ctx.conf.version), "%s", version);
	ctx.conf.mtu = 1400;
	strcpy(ctx.env.container_id, "c1");
	strcpy(ctx.env.ifname, "eth0");
	strcpy(ctx.env.netns, "/run/netns/p1");
	parse_ipam(host_local_result, &ipam);
	cni_attach_names(&ctx.env, type, &a);
	strcpy(a.socket_path, "/run/npvs/vhost/c1-eth0/vhu.sock");
	assert_int_equal(cni_attach_plan(&ctx.conf, &ipam, &a, &err), 0);
	res = cni_result_build(&ctx, &a);
	cni_ipam_result_free(&ipam);
	return res;
}

static const struct {
	const char *version;
	enum cni_iftype type;
	int n_ifs, podif;
	bool ip_version, mtu, socket;
} result_cases[] = {
	{ "0.4.0", CNI_IFTYPE_VETH, 2, 1, true, false, false },
	{ "1.0.0", CNI_IFTYPE_VETH, 2, 1, false, false, false },
	{ "1.1.0", CNI_IFTYPE_VETH, 2, 1, false, true, false },
	{ "1.1.0", CNI_IFTYPE_VHOST, 1, 0, false, true, true },
	{ "1.0.0", CNI_IFTYPE_VHOST, 1, 0, false, false, true },
};

static void
test_result(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(result_cases) / sizeof(result_cases[0]); i++) {
		json_t *res = build_result(result_cases[i].version,
					   result_cases[i].type);
		json_t *ifs = json_object_get(res, "interfaces");
		json_t *ip = json_array_get(json_object_get(res, "ips"), 0);
		json_t *pod = json_array_get(ifs, (size_t)result_cases[i].podif);

		assert_string_equal(json_string_value(json_object_get(res,
				    "cniVersion")), result_cases[i].version);
		assert_int_equal(json_array_size(ifs), result_cases[i].n_ifs);
		/* containerd: ips[].interface -> the CNI_IFNAME in a sandbox */
		assert_int_equal(json_integer_value(json_object_get(ip,
				 "interface")), result_cases[i].podif);
		assert_string_equal(json_string_value(json_object_get(pod,
				    "name")), "eth0");
		assert_string_equal(json_string_value(json_object_get(pod,
				    "sandbox")), "/run/netns/p1");
		assert_int_equal(json_object_get(ip, "version") != NULL,
				 result_cases[i].ip_version);
		assert_int_equal(json_object_get(pod, "mtu") != NULL,
				 result_cases[i].mtu);
		assert_int_equal(json_object_get(pod, "socketPath") != NULL,
				 result_cases[i].socket);
		assert_string_equal(json_string_value(json_object_get(ip,
				    "address")), "10.244.1.5/32");
		assert_non_null(json_object_get(json_object_get(res, "dns"),
						"nameservers"));
		json_decref(res);
	}
}

static void
test_error_doc(void **state)
{
	struct cni_err err = { 0 };
	json_t *doc;

	(void)state;
	assert_int_equal(cni_errf(&err, CNI_ERR_TRY_AGAIN, ECONNREFUSED,
				  "npvsd %s", "down"), -ECONNREFUSED);
	/* the first error is kept */
	cni_errf(&err, CNI_ERR_IO, EIO, "later");
	doc = cni_result_error("0.4.0", &err);
	assert_int_equal(json_integer_value(json_object_get(doc, "code")), 11);
	assert_string_equal(json_string_value(json_object_get(doc, "msg")),
			    "npvsd down");
	assert_string_equal(json_string_value(json_object_get(doc,
			    "cniVersion")), "0.4.0");
	assert_null(json_object_get(doc, "details"));
	json_decref(doc);
}

/* ---- state files ---- */

static int
count_state(const char *path, json_t *state, void *arg)
{
	(void)path;
	if (json_object_get(state, "containerID") != NULL)
		(*(int *)arg)++;
	return 0;
}

static void
test_state(void **state)
{
	char dir[] = "/tmp/test_cni_stateXXXXXX", path[512], cmd[600];
	json_t *s, *back;
	int n = 0, fd, fd2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(cni_state_path(dir, "net", "c1", "eth0", path,
					sizeof(path)), 0);
	assert_null(cni_state_read(path));
	s = json_pack("{s:s, s:s}", "containerID", "c1", "ifname", "eth0");
	assert_int_equal(cni_state_write(path, s), 0);
	back = cni_state_read(path);
	assert_true(json_equal(s, back));
	json_decref(back);
	assert_int_equal(cni_state_path(dir, "net", "c2", "net1", path,
					sizeof(path)), 0);
	assert_int_equal(cni_state_write(path, s), 0);
	assert_int_equal(cni_state_foreach(dir, "net", count_state, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cni_state_remove(path), 0);
	assert_int_equal(cni_state_remove(path), 0);    /* idempotent */
	n = 0;
	cni_state_foreach(dir, "net", count_state, &n);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(cni_state_foreach(dir, "other", count_state, &n), 0);
	assert_int_equal(n, 0);
	/* two shared holders at once */
	fd = cni_state_lock(dir, false);
	fd2 = cni_state_lock(dir, false);
	assert_true(fd >= 0 && fd2 >= 0);
	cni_state_unlock(fd);
	cni_state_unlock(fd2);
	json_decref(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_find_plugin(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(cni_find_plugin("/nonexistent:/bin", "sh", out,
					 sizeof(out)), 0);
	assert_string_equal(out, "/bin/sh");
	assert_int_equal(cni_find_plugin("/bin", "no-such-plugin", out,
					 sizeof(out)), -ENOENT);
	assert_int_equal(cni_find_plugin("/", "bin/sh", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(cni_find_plugin("", "sh", out, sizeof(out)), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_table),
		cmocka_unit_test(test_cni_args),
		cmocka_unit_test(test_names_valid),
		cmocka_unit_test(test_conf_table),
		cmocka_unit_test(test_conf_defaults),
		cmocka_unit_test(test_conf_resolve),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_host_ifname),
		cmocka_unit_test(test_endpoint_name),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_ipam_result),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_error_doc),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_find_plugin),
	};

	return cmocka_run_group_tests_name("cni", tests, NULL, NULL);
}
