/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_alg.c: which rte_acl classify method npvsd uses, chosen by
 * measurement at start-up or by configuration (acl_ruleset.h,
 * acl_alg_choose()).
 *
 * rte_acl's own default is the widest vector unit the CPU has, which is
 * not the fastest everywhere: on the AMD EPYC VMs we run on, AVX2
 * classifies slower than SSE. So npvsd builds one small context of the
 * shape acl_build.c emits (slice exact, protocol, port ranges, identity
 * range, address prefix), times every method this CPU and EAL accept on
 * the same keys in data-path bursts, and keeps the fastest. The result
 * goes into every acl_compile() (opts.classify_alg).
 *
 * The context uses acl_build.c's field layout (acl_rte_config).
 *
 * Thread-safety: control thread only (rte_acl_create/build/free). The
 * measurement classifies on the calling thread only.
 */
#include "acl_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>
#include <rte_common.h>
#include <rte_ip.h>

#include "acl_fields.h"
#include "acl_log.h"

#define ALG_RULES 384           /* representative context: rules */
#define ALG_SLICES 24           /* ... slices (policies x direction) */
#define ALG_KEYS 2048           /* keys timed per method and round */
#define ALG_BURST 32            /* the data path's burst */
#define ALG_ROUNDS 15           /* best of, methods interleaved */

RTE_ACL_RULE_DEF(alg_rule4, ACL_F4_NUM);

static const char *const alg_names[ACL_ALG_NUM] = {
	[RTE_ACL_CLASSIFY_DEFAULT] = "auto",
	[RTE_ACL_CLASSIFY_SCALAR] = "scalar",
	[RTE_ACL_CLASSIFY_SSE] = "sse",
	[RTE_ACL_CLASSIFY_AVX2] = "avx2",
	[RTE_ACL_CLASSIFY_NEON] = "neon",
	[RTE_ACL_CLASSIFY_ALTIVEC] = "altivec",
	[RTE_ACL_CLASSIFY_AVX512X16] = "avx512x16",
	[RTE_ACL_CLASSIFY_AVX512X32] = "avx512x32",
};

static_assert(ACL_ALG_AUTO == RTE_ACL_CLASSIFY_DEFAULT, "auto is 0");
static_assert(ACL_ALG_NUM == RTE_ACL_CLASSIFY_AVX512X32 + 1, "alg count");

static uint64_t alg_seq;        /* context names: rte_acl_create reuses */

const char *
acl_alg_name(int alg)
{
	if (alg < 0 || alg >= ACL_ALG_NUM)
		return NULL;
	return alg_names[alg];
}

int
acl_alg_from_name(const char *name, int *alg)
{
	int i;

	for (i = 0; i < ACL_ALG_NUM; i++) {
		if (strcmp(name, alg_names[i]) == 0) {
			*alg = i;
			return 0;
		}
	}
	return -EINVAL;
}

static struct rte_acl_ctx *
ctx_new(uint32_t max_rules)
{
	struct rte_acl_param prm = { 0 };
	char name[RTE_ACL_NAMESIZE];

	snprintf(name, sizeof(name), "npvs-alg-%" PRIx64, ++alg_seq);
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(ACL_F4_NUM);
	prm.max_rule_num = max_rules;
	return rte_acl_create(&prm);
}

/* Can ctx classify with alg here (CPU flags, EAL's max SIMD width)? */
static bool
alg_ok(struct rte_acl_ctx *ctx, int alg)
{
	if (alg <= RTE_ACL_CLASSIFY_DEFAULT || alg >= ACL_ALG_NUM)
		return false;
	return rte_acl_set_ctx_classify(ctx, (enum rte_acl_classify_alg)alg)
		== 0;
}

/* Rule i: one of ALG_SLICES slices; a peer prefix, an identity range and
 * a port range, like a NetworkPolicy rule's peers x ports. */
static void
rule_make(struct alg_rule4 *r, uint32_t i)
{
	uint16_t port = (uint16_t)(1000 + 7 * i);

	memset(r, 0, sizeof(*r));
	r->data.category_mask = 1;
	r->data.priority = RTE_ACL_MAX_PRIORITY - (int32_t)i;
	r->data.userdata = i + 1;
	r->field[ACL_F4_PROTO].value.u8 = i % 3 == 0 ? 17 : 6;
	r->field[ACL_F4_PROTO].mask_range.u8 = 0xff;
	r->field[ACL_F4_SLICE].value.u32 = i % ALG_SLICES + 1;
	r->field[ACL_F4_SLICE].mask_range.u32 = 32;
	r->field[ACL_F4_SPORT].mask_range.u16 = UINT16_MAX;
	r->field[ACL_F4_DPORT].value.u16 = port;
	r->field[ACL_F4_DPORT].mask_range.u16 = i % 4 == 0 ?
		(uint16_t)(port + 20) : port;
	r->field[ACL_F4_IDENTITY].value.u32 = i % 5 ? 1 + i % 50 : 0;
	r->field[ACL_F4_IDENTITY].mask_range.u32 = i % 5 ? 1 + i % 50 + i % 3 :
		UINT32_MAX;
	r->field[ACL_F4_ADDR].value.u32 = i % 5 ? 0 :
		RTE_IPV4(10, (i >> 8) & 0xff, i & 0xff, 0);
	r->field[ACL_F4_ADDR].mask_range.u32 = i % 5 ? 0 : 24;
}

static struct rte_acl_ctx *
ctx_representative(void)
{
	struct alg_rule4 *rules;
	struct rte_acl_ctx *ctx;
	uint32_t i;
	int rc;

	ctx = ctx_new(ALG_RULES);
	rules = calloc(ALG_RULES, sizeof(*rules));
	if (ctx == NULL || rules == NULL)
		goto err;
	for (i = 0; i < ALG_RULES; i++)
		rule_make(&rules[i], i);
	rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)rules,
		ALG_RULES);
	if (rc == 0)
		rc = rte_acl_build(ctx, acl_rte_config(ACL_FAM_4));
	if (rc != 0)
		goto err;
	free(rules);
	return ctx;
err:
	free(rules);
	rte_acl_free(ctx);
	return NULL;
}

/* Keys that hit and miss: every slice, ports around the rules' ones. */
static void
keys_make(struct acl_key4 *k, const uint8_t **kp, uint32_t n)
{
	uint32_t i, x = 12345;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		acl_key4_fill(&k[i], x % ALG_SLICES + 1, (x >> 8) % 60,
			(x >> 4) % 3 == 0 ? 17 : 6,
			rte_cpu_to_be_32(RTE_IPV4(10, 0, (x >> 12) & 0xff, 9)),
			rte_cpu_to_be_16(40000), rte_cpu_to_be_16(
				(uint16_t)(1000 + (x >> 16) % (7 * ALG_RULES))));
		kp[i] = (const uint8_t *)&k[i];
	}
}

/* ns per key of one pass over all keys, in bursts. */
static double
time_alg(const struct rte_acl_ctx *ctx, int alg, const uint8_t **kp,
		uint32_t *res, uint32_t n)
{
	uint64_t t0 = acl_now_ns();
	uint32_t i, b;

	for (i = 0; i < n; i += b) {
		b = RTE_MIN((uint32_t)ALG_BURST, n - i);
		if (rte_acl_classify_alg(ctx, kp + i, res + i, b, 1,
				(enum rte_acl_classify_alg)alg) != 0)
			return -1;
	}
	return (double)(acl_now_ns() - t0) / n;
}

/* Best of ALG_ROUNDS per supported method, methods interleaved so that a
 * burst of load from other processes hits them alike. */
static int
measure(struct rte_acl_ctx *ctx, struct acl_alg_report *r)
{
	struct acl_key4 *keys = calloc(ALG_KEYS, sizeof(*keys));
	const uint8_t **kp = calloc(ALG_KEYS, sizeof(*kp));
	uint32_t *res = calloc(ALG_KEYS, sizeof(*res));
	int a, round, rc = -ENOMEM;
	double t;

	if (keys == NULL || kp == NULL || res == NULL)
		goto out;
	keys_make(keys, kp, ALG_KEYS);
	rc = 0;
	for (round = 0; round <= ALG_ROUNDS && rc == 0; round++) {
		for (a = 1; a < ACL_ALG_NUM; a++) {
			if (!r->supported[a])
				continue;
			t = time_alg(ctx, a, kp, res, ALG_KEYS);
			if (t < 0) {
				rc = -EIO;
				break;
			}
			/* round 0 warms caches and the trie */
			if (round > 0 && (r->ns_per_key[a] == 0 ||
					t < r->ns_per_key[a]))
				r->ns_per_key[a] = t;
		}
	}
out:
	free(keys);
	free(kp);
	free(res);
	return rc;
}

static void
report_log(const struct acl_alg_report *r)
{
	char line[256];
	int a, len = 0;

	for (a = 1; a < ACL_ALG_NUM; a++)
		if (r->supported[a] && len < (int)sizeof(line))
			len += snprintf(line + len, sizeof(line) - len,
				" %s %.1f", alg_names[a], r->ns_per_key[a]);
	ACL_LOG(INFO, "classify method %s (%s); ns/key:%s",
		alg_names[r->chosen], r->measured ? "fastest measured" :
		"configured", len ? line : " not measured");
}

int
acl_alg_choose(int want, struct acl_alg_report *r)
{
	struct rte_acl_ctx *ctx;
	int a, rc;

	memset(r, 0, sizeof(*r));
	r->wanted = want;
	if (want < 0 || want >= ACL_ALG_NUM)
		return -EINVAL;
	ctx = want == ACL_ALG_AUTO ? ctx_representative() : ctx_new(1);
	if (ctx == NULL)
		return -ENOMEM;
	for (a = 1; a < ACL_ALG_NUM; a++)
		r->supported[a] = alg_ok(ctx, a);
	if (want != ACL_ALG_AUTO) {
		rte_acl_free(ctx);
		if (!r->supported[want])
			return -ENOTSUP;
		r->chosen = want;
		report_log(r);
		return 0;
	}
	rc = measure(ctx, r);
	rte_acl_free(ctx);
	if (rc != 0)
		return rc;
	for (a = 1; a < ACL_ALG_NUM; a++)
		if (r->supported[a] && (r->chosen == 0 ||
				r->ns_per_key[a] < r->ns_per_key[r->chosen]))
			r->chosen = a;
	if (r->chosen == 0)
		return -ENOTSUP;
	r->measured = true;
	report_log(r);
	return 0;
}
