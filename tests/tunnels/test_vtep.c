/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_vtep.c: the VTEP table (create, add, lookup by node / IP / slot,
 * replace, conflicts, delete, full, clone) and the annotation helpers
 * (MAC, IP and CIDR parse/format), invalid input first.
 */
#include "tun_test.h"

#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "vtep.h"

static struct vtep_table *t;

static int
setup(void **state)
{
	(void)state;
	t = vtep_table_create("tt_vtep", 4, SOCKET_ID_ANY);
	return t != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	vtep_table_free(t);
	t = NULL;
	return 0;
}

/* An entry: node name, public IP, pod subnet /24 (host order), MAC tail. */
static struct vtep_entry
entry(const char *node, uint32_t ip, uint32_t subnet, uint8_t mac_last)
{
	struct vtep_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.node, sizeof(e.node), "%s", node);
	e.dst.ip = rte_cpu_to_be_32(ip);
	e.dst.vni = 1;
	e.dst.vtep_mac = (struct rte_ether_addr){{ 0x0a, 0, 0, 0, 0, mac_last }};
	e.subnet = rte_cpu_to_be_32(subnet);
	e.subnet_len = 24;
	return e;
}

#define N2 RTE_IPV4(192, 168, 50, 2)
#define N3 RTE_IPV4(192, 168, 50, 3)
#define N4 RTE_IPV4(192, 168, 50, 4)
#define S2 RTE_IPV4(10, 244, 2, 0)
#define S3 RTE_IPV4(10, 244, 3, 0)
#define S4 RTE_IPV4(10, 244, 4, 0)

static void
test_create_invalid(void **state)
{
	(void)state;
	assert_null(vtep_table_create(NULL, 4, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(vtep_table_create("zero", 0, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EINVAL);
	assert_null(vtep_table_create("a_name_that_is_much_too_long_for_it",
			4, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, ENAMETOOLONG);
	/* Same name as a live table: its hashes exist. */
	assert_null(vtep_table_create("tt_vtep", 4, SOCKET_ID_ANY));
	assert_int_equal(rte_errno, EEXIST);
	vtep_table_free(NULL);
}

static void
test_add_invalid(void **state)
{
	struct vtep_entry e;
	char longname[VTEP_NODE_MAX + 1];

	(void)state;
	e = entry("", N2, S2, 2);                       /* no name */
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[VTEP_NODE_MAX] = '\0';
	e = entry("x", N2, S2, 2);
	memcpy(e.node, longname, sizeof(e.node));       /* not terminated */
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	e = entry("n2", 0, S2, 2);                      /* no IP */
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	e = entry("n2", N2, S2, 2);
	e.dst.vni = 1u << 24;                           /* VNI too big */
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	e = entry("n2", N2, S2, 2);
	e.dst.vtep_mac.addr_bytes[0] = 0x0b;            /* multicast MAC */
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	e = entry("n2", N2, S2 | 1, 2);                 /* host bits */
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	e = entry("n2", N2, S2, 2);
	e.subnet_len = 33;
	assert_int_equal(vtep_add(t, &e, NULL), -EINVAL);
	assert_int_equal(vtep_add(NULL, &e, NULL), -EINVAL);
	assert_int_equal(vtep_count(t), 0);
}

static void
test_add_lookup(void **state)
{
	struct vtep_entry a = entry("node-2", N2, S2, 2);
	struct vtep_entry b = entry("node-3", N3, S3, 3);
	const struct vtep_entry *got;
	uint32_t sa, sb;

	(void)state;
	assert_int_equal(vtep_add(t, &a, &sa), 0);
	assert_int_equal(vtep_add(t, &b, &sb), 0);
	assert_int_not_equal(sa, sb);
	assert_int_equal(vtep_count(t), 2);
	assert_int_equal(vtep_capacity(t), 4);

	got = vtep_lookup_node(t, "node-3");
	assert_non_null(got);
	assert_int_equal(got->dst.ip, rte_cpu_to_be_32(N3));
	assert_memory_equal(&got->dst.vtep_mac, &b.dst.vtep_mac, 6);
	assert_int_equal(got->subnet, rte_cpu_to_be_32(S3));
	assert_ptr_equal(vtep_lookup_ip(t, rte_cpu_to_be_32(N2)),
			vtep_lookup_node(t, "node-2"));
	assert_ptr_equal(vtep_get(t, sb), got);
	assert_null(vtep_lookup_node(t, "node-4"));
	assert_null(vtep_lookup_node(t, ""));
	assert_null(vtep_lookup_ip(t, rte_cpu_to_be_32(N4)));
	assert_null(vtep_get(t, 4));                    /* out of range */
}

static void
test_replace(void **state)
{
	struct vtep_entry a = entry("node-2", N2, S2, 2);
	struct vtep_entry a2 = entry("node-2", N4, S4, 4);
	uint32_t s1, s2;

	(void)state;
	assert_int_equal(vtep_add(t, &a, &s1), 0);
	/* Same node, new IP, subnet, MAC: replaced in its slot. */
	assert_int_equal(vtep_add(t, &a2, &s2), 0);
	assert_int_equal(s1, s2);
	assert_int_equal(vtep_count(t), 1);
	assert_null(vtep_lookup_ip(t, rte_cpu_to_be_32(N2)));
	assert_ptr_equal(vtep_lookup_ip(t, rte_cpu_to_be_32(N4)),
			vtep_get(t, s1));
	assert_int_equal(vtep_get(t, s1)->subnet, rte_cpu_to_be_32(S4));
	assert_int_equal(vtep_get(t, s1)->dst.vtep_mac.addr_bytes[5], 4);
	/* Replacing with the same IP is fine too. */
	a2.dst.vni = 7;
	assert_int_equal(vtep_add(t, &a2, NULL), 0);
	assert_int_equal(vtep_lookup_node(t, "node-2")->dst.vni, 7);
}

static void
test_conflicts(void **state)
{
	struct vtep_entry a = entry("node-2", N2, S2, 2);
	struct vtep_entry same_ip = entry("node-3", N2, S3, 3);
	struct vtep_entry same_net = entry("node-3", N3, S2, 3);
	struct vtep_entry inside = entry("node-3", N3, S2 | 0x80, 3);
	struct vtep_entry around = entry("node-3", N3, RTE_IPV4(10, 244, 0, 0), 3);

	(void)state;
	inside.subnet_len = 25;
	around.subnet_len = 16;
	assert_int_equal(vtep_add(t, &a, NULL), 0);
	assert_int_equal(vtep_add(t, &same_ip, NULL), -EEXIST);
	assert_int_equal(vtep_add(t, &same_net, NULL), -EEXIST);
	assert_int_equal(vtep_add(t, &inside, NULL), -EEXIST);
	assert_int_equal(vtep_add(t, &around, NULL), -EEXIST);
	/* The table is unchanged. */
	assert_int_equal(vtep_count(t), 1);
	assert_null(vtep_lookup_node(t, "node-3"));
	assert_int_equal(vtep_lookup_ip(t, rte_cpu_to_be_32(N2))->subnet,
			rte_cpu_to_be_32(S2));
}

static void
test_del_full(void **state)
{
	char name[16];
	struct vtep_entry e;
	uint32_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		e = entry(name, N2 + i, S2 + (i << 8), (uint8_t)(i + 2));
		assert_int_equal(vtep_add(t, &e, NULL), 0);
	}
	e = entry("n9", N2 + 9, S2 + (9 << 8), 9);
	assert_int_equal(vtep_add(t, &e, NULL), -ENOSPC);
	assert_int_equal(vtep_del(t, "n1"), 0);
	assert_int_equal(vtep_del(t, "n1"), -ENOENT);
	assert_null(vtep_lookup_ip(t, rte_cpu_to_be_32(N2 + 1)));
	assert_int_equal(vtep_count(t), 3);
	/* The freed slot is reused. */
	assert_int_equal(vtep_add(t, &e, NULL), 0);
	assert_int_equal(vtep_count(t), 4);
}

static void
test_clone(void **state)
{
	struct vtep_entry a = entry("node-2", N2, S2, 2);
	struct vtep_entry b = entry("node-3", N3, S3, 3);
	struct vtep_table *c;
	uint32_t sb;

	(void)state;
	assert_int_equal(vtep_add(t, &a, NULL), 0);
	assert_int_equal(vtep_add(t, &b, &sb), 0);
	c = vtep_table_clone("tt_vtep_g2", t);
	assert_non_null(c);
	assert_int_equal(vtep_count(c), 2);
	assert_string_equal(vtep_get(c, sb)->node, "node-3");
	/* The copy changes alone. */
	assert_int_equal(vtep_del(c, "node-2"), 0);
	assert_non_null(vtep_lookup_node(t, "node-2"));
	assert_null(vtep_lookup_node(c, "node-2"));
	vtep_table_free(c);
}

/* ---- annotation helpers ---- */

static void
test_mac_parse(void **state)
{
	static const char *const bad[] = {
		"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aabb:ccdd:eeff",
		"aa-bb-cc-dd-ee-ff", "gg:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:f",
		"aa:bb:cc:dd:ee:fff", " a:bb:cc:dd:ee:ff",
	};
	struct rte_ether_addr m;
	char buf[VTEP_MAC_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++)
		if (vtep_mac_parse(bad[i], &m) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(vtep_mac_parse(NULL, &m), -EINVAL);
	assert_int_equal(vtep_mac_parse("8e:02:1A:b3:ff:00", &m), 0);
	assert_int_equal(m.addr_bytes[0], 0x8e);
	assert_int_equal(m.addr_bytes[2], 0x1a);
	assert_int_equal(m.addr_bytes[5], 0x00);
	/* Printed as Flannel prints it: lowercase. */
	assert_int_equal(vtep_mac_format(buf, sizeof(buf), &m), 0);
	assert_string_equal(buf, "8e:02:1a:b3:ff:00");
	assert_int_equal(vtep_mac_format(buf, 17, &m), -ENOSPC);
}

static void
test_ip_cidr(void **state)
{
	static const char *const bad_cidr[] = {
		"10.244.1.0", "10.244.1.0/", "10.244.1.0/33", "10.244.1.1/24",
		"10.244.1.0/2a", "10.244.1.0/-1", "10.244.1/24", "/24",
		"10.244.1.0/024",
	};
	rte_be32_t ip;
	uint8_t len;
	char buf[32];
	size_t i;

	(void)state;
	assert_int_equal(vtep_ip_parse("192.168.50.300", &ip), -EINVAL);
	assert_int_equal(vtep_ip_parse("192.168.50", &ip), -EINVAL);
	assert_int_equal(vtep_ip_parse(NULL, &ip), -EINVAL);
	assert_int_equal(vtep_ip_parse("192.168.50.2", &ip), 0);
	assert_int_equal(ip, rte_cpu_to_be_32(N2));
	assert_int_equal(vtep_ip_format(buf, sizeof(buf), ip), 0);
	assert_string_equal(buf, "192.168.50.2");
	assert_int_equal(vtep_ip_format(buf, 8, ip), -ENOSPC);

	for (i = 0; i < RTE_DIM(bad_cidr); i++)
		if (vtep_cidr_parse(bad_cidr[i], &ip, &len) != -EINVAL)
			fail_msg("accepted \"%s\"", bad_cidr[i]);
	assert_int_equal(vtep_cidr_parse("10.244.2.0/24", &ip, &len), 0);
	assert_int_equal(ip, rte_cpu_to_be_32(S2));
	assert_int_equal(len, 24);
	assert_int_equal(vtep_cidr_parse("0.0.0.0/0", &ip, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(vtep_cidr_parse("10.0.0.7/32", &ip, &len), 0);
	assert_int_equal(vtep_cidr_format(buf, sizeof(buf), rte_cpu_to_be_32(S2),
			24), 0);
	assert_string_equal(buf, "10.244.2.0/24");
}

static void
test_annotation_keys(void **state)
{
	(void)state;
	/* The keys as flanneld (pkg/subnet/kube/annotations.go) spells them. */
	assert_string_equal(VTEP_ANN_BACKEND_TYPE,
			"flannel.alpha.coreos.com/backend-type");
	assert_string_equal(VTEP_ANN_BACKEND_DATA,
			"flannel.alpha.coreos.com/backend-data");
	assert_string_equal(VTEP_ANN_PUBLIC_IP,
			"flannel.alpha.coreos.com/public-ip");
	assert_string_equal(VTEP_ANN_KUBE_SUBNET_MANAGER,
			"flannel.alpha.coreos.com/kube-subnet-manager");
}

int
tt_run_vtep(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone, setup, teardown),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_ip_cidr),
		cmocka_unit_test(test_annotation_keys),
	};

	return cmocka_run_group_tests_name("vtep", tests, NULL, NULL);
}
