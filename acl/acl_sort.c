/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_sort.c: a stable LSD radix sort of (64-bit key, 32-bit value) pairs.
 * The compile sorts tens of thousands of hashes and addresses per run;
 * qsort's comparison calls were a fifth of a 10,000-pod recompile.
 */
#include "acl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
acl_sort_kv(struct acl_kv *v, uint32_t n)
{
	uint32_t count[256], i, pass, sum, c;
	struct acl_kv *tmp, *src = v, *dst;
	uint32_t shift;

	if (n < 2)
		return 0;
	tmp = malloc((size_t)n * sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	dst = tmp;
	for (pass = 0; pass < 8; pass++) {
		shift = pass * 8;
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i].k >> shift) & 0xff]++;
		if (count[(src[0].k >> shift) & 0xff] == n)
			continue;       /* every key has this byte: nothing to do */
		for (i = 0, sum = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].k >> shift) & 0xff]++] = src[i];
		dst = src;
		src = src == v ? tmp : v;
	}
	if (src != v)
		memcpy(v, src, (size_t)n * sizeof(*v));
	free(tmp);
	return 0;
}
