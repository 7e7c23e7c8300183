/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_selector.c: Kubernetes label selectors (metav1.LabelSelector) over
 * the label sets of acl_model.h, and the small byte-string helpers the
 * compiler uses for canonical keys.
 *
 * Semantics, as in k8s.io/apimachinery/pkg/labels:
 *  - matchLabels k=v: the label k is present with value v;
 *  - In: k present and its value in the list;
 *  - NotIn: k absent, or its value not in the list (a pod without the key
 *    matches NotIn; the e2e netpol tests rely on it);
 *  - Exists / DoesNotExist: k present / absent;
 *  - all terms ANDed; no terms ({}) matches everything.
 * Namespaces carry kubernetes.io/metadata.name=<name> whatever their
 * declared labels say (the API server sets it and keeps it).
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
acl_grow(void **arr, uint32_t *cap, size_t elt_size)
{
	uint32_t ncap = *cap ? *cap * 2 : 8;
	void *p;

	if (ncap < *cap)
		return -ENOMEM;
	p = realloc(*arr, (size_t)ncap * elt_size);
	if (p == NULL)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

void
acl_kbuf_put(struct acl_kbuf *b, const void *data, uint32_t len)
{
	uint32_t ncap;
	uint8_t *p;

	if (b->err != 0)
		return;
	if (b->len + len > b->cap) {
		ncap = b->cap ? b->cap : 64;
		while (ncap < b->len + len)
			ncap *= 2;
		p = realloc(b->p, ncap);
		if (p == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
acl_kbuf_put_u32(struct acl_kbuf *b, uint32_t v)
{
	acl_kbuf_put(b, &v, sizeof(v));
}

/* Length-prefixed, so that no byte value inside s can fake a boundary. */
void
acl_kbuf_put_str(struct acl_kbuf *b, const char *s)
{
	uint32_t len = (uint32_t)strlen(s);

	acl_kbuf_put_u32(b, len);
	acl_kbuf_put(b, s, len);
}

int
acl_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A word-at-a-time multiplicative hash: keys here are short strings and
 * id arrays, and the compile hashes every pod on every run. Equality is
 * always checked after a hash match, so speed matters more than quality.
 */
uint64_t
acl_hash64(uint64_t h, const void *data, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	const uint8_t *p = data;
	uint64_t w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	w = (uint64_t)len << 56;
	if (len > 0) {
		uint64_t t = 0;

		memcpy(&t, p, len);
		w ^= t;
	}
	h = (h ^ w) * k;
	return h ^ (h >> 29);
}

int
acl_hkey_cmp(uint64_t ha, const uint8_t *a, uint32_t alen, uint64_t hb,
		const uint8_t *b, uint32_t blen)
{
	if (ha != hb)
		return ha < hb ? -1 : 1;
	return acl_key_cmp(a, alen, b, blen);
}

int
acl_key_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

const char *
acl_label_get(const struct acl_labels *l, const char *ns_name,
		const char *key)
{
	uint32_t i;

	if (ns_name != NULL && strcmp(key, ACL_NS_NAME_LABEL) == 0)
		return ns_name;
	if (l == NULL)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

static bool
value_in(const struct acl_sel_expr *e, const char *v)
{
	uint32_t i;

	for (i = 0; i < e->n_values; i++)
		if (strcmp(e->values[i], v) == 0)
			return true;
	return false;
}

static bool
expr_match(const struct acl_sel_expr *e, const char *v)
{
	switch (e->op) {
	case ACL_SEL_IN:
		return v != NULL && value_in(e, v);
	case ACL_SEL_NOT_IN:
		return v == NULL || !value_in(e, v);
	case ACL_SEL_EXISTS:
		return v != NULL;
	case ACL_SEL_DOES_NOT_EXIST:
		return v == NULL;
	}
	return false;
}

bool
acl_selector_match(const struct acl_selector *s, const struct acl_labels *l,
		const char *ns_name)
{
	const char *v;
	uint32_t i;

	for (i = 0; i < s->match_labels.n; i++) {
		v = acl_label_get(l, ns_name, s->match_labels.v[i].key);
		if (v == NULL || strcmp(v, s->match_labels.v[i].value) != 0)
			return false;
	}
	for (i = 0; i < s->n_exprs; i++) {
		v = acl_label_get(l, ns_name, s->exprs[i].key);
		if (!expr_match(&s->exprs[i], v))
			return false;
	}
	return true;
}
