/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_eal.c: the EAL command line npvsd runs with, built from its config.
 *
 * Kept apart from vs_main.c so that tests check the arguments without
 * starting an EAL. Rules (docs/operations.md, DPDK-HOWTO.md):
 *  - -l <main>,<workers...> and --main-lcore <main>;
 *  - --file-prefix always;
 *  - --no-pci unless the config names PCI devices, then -a for each;
 *  - --in-memory when asked, except with --no-huge (the two exclude each
 *    other in 22.11); --no-huge adds --no-shconf so nothing is left in
 *    /var/run/dpdk, and -m 512 unless mem_mb says otherwise (the LPM
 *    alone takes 64 MiB per generation);
 *  - --log-level when given.
 *
 * Thread-safety: pure function.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vs_priv.h"

#define VS_NO_HUGE_DEFAULT_MB 512

struct builder {
	struct vs_eal_args *a;
	size_t used;
	bool overflow;
};

/* Append one argument, formatted, to the argument vector. */
static void __attribute__((format(printf, 2, 3)))
arg_add(struct builder *b, const char *fmt, ...)
{
	struct vs_eal_args *a = b->a;
	size_t room = sizeof(a->buf) - b->used;
	va_list ap;
	int n;

	if (b->overflow || a->argc >= VS_EAL_ARGV_MAX) {
		b->overflow = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(a->buf + b->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->overflow = true;
		return;
	}
	a->argv[a->argc++] = a->buf + b->used;
	a->argv[a->argc] = NULL;
	b->used += (size_t)n + 1;
}

/* "-l" value: main lcore first, then the workers. */
static int
lcore_list(const struct vs_config *c, char *out, size_t size)
{
	size_t used;
	unsigned int i;
	int n;

	n = snprintf(out, size, "%u", c->main_lcore);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	used = (size_t)n;
	for (i = 0; i < c->n_workers; i++) {
		n = snprintf(out + used, size - used, ",%u", c->workers[i]);
		if (n < 0 || (size_t)n >= size - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return 0;
}

static void
mem_args(struct builder *b, const struct vs_config *c)
{
	if (c->no_huge) {
		arg_add(b, "--no-huge");
		arg_add(b, "--no-shconf");
		arg_add(b, "-m");
		arg_add(b, "%u", c->mem_mb ? c->mem_mb : VS_NO_HUGE_DEFAULT_MB);
		return;
	}
	if (c->in_memory)
		arg_add(b, "--in-memory");
	if (c->mem_mb) {
		arg_add(b, "-m");
		arg_add(b, "%u", c->mem_mb);
	}
}

int
vs_eal_args_build(const struct vs_config *c, const char *argv0,
		struct vs_eal_args *a, char *err, size_t errlen)
{
	struct builder b = { .a = a };
	char lcores[16 * (VS_WORKERS_MAX + 1)];
	unsigned int i;

	memset(a, 0, sizeof(*a));
	if (c->file_prefix[0] == '\0') {
		snprintf(err, errlen, "file_prefix must not be empty");
		return -EINVAL;
	}
	if (lcore_list(c, lcores, sizeof(lcores)) < 0) {
		snprintf(err, errlen, "lcore list too long");
		return -EINVAL;
	}

	arg_add(&b, "%s", argv0 ? argv0 : "npvsd");
	if (c->lcore_map[0] != '\0') {
		/* lcores placed on CPUs by the config (e.g. two workers
		 * sharing one CPU); it must enable main_lcore and workers */
		arg_add(&b, "--lcores");
		arg_add(&b, "%s", c->lcore_map);
	} else {
		arg_add(&b, "-l");
		arg_add(&b, "%s", lcores);
	}
	arg_add(&b, "--main-lcore");
	arg_add(&b, "%u", c->main_lcore);
	arg_add(&b, "--file-prefix");
	arg_add(&b, "%s", c->file_prefix);
	mem_args(&b, c);
	if (c->n_pci == 0)
		arg_add(&b, "--no-pci");
	for (i = 0; i < c->n_pci && i < VS_PCI_MAX; i++) {
		arg_add(&b, "-a");
		arg_add(&b, "%s", c->pci[i]);
	}
	if (c->log_level[0] != '\0')
		arg_add(&b, "--log-level=%s", c->log_level);

	if (b.overflow) {
		snprintf(err, errlen, "EAL arguments too long");
		return -ENOSPC;
	}
	return 0;
}
