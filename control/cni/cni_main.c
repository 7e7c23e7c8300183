/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_main.c: npvs-cni's entry point. Reads the network configuration
 * from stdin and the CNI_* environment, runs the command, and prints
 * exactly one JSON document on stdout: the result (ADD, VERSION), nothing
 * (DEL, CHECK, STATUS, GC succeeded) or the error, with exit status 0 on
 * success and 1 on error. Logs go to stderr or the config's logFile.
 */
#include "cni_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CNI_STDIN_MAX (16u * 1024u * 1024u)

/* All of stdin. @return 0 or -errno (-E2BIG past CNI_STDIN_MAX). */
static int
read_stdin(char **text, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), *nb;
	ssize_t r;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap >= CNI_STDIN_MAX) {
				free(buf);
				return -E2BIG;
			}
			nb = realloc(buf, cap * 2 + 1);
			if (nb == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(0, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EBADF) {
			free(buf);
			return -errno;
		}
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* cniVersion of the input, if it has one, for the error document. */
static void
peek_version(const char *text, size_t len, char *out, size_t size)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	const char *v = json_string_value(json_object_get(root, "cniVersion"));

	snprintf(out, size, "%s", v != NULL ? v : CNI_VERSION_LATEST);
	json_decref(root);
}

static void
print_json(json_t *doc)
{
	if (doc == NULL)
		return;
	json_dumpf(doc, stdout, JSON_INDENT(4));
	fputc('\n', stdout);
	fflush(stdout);
}

static int
run(struct cni_ctx *ctx, const char *text, size_t len)
{
	int rc;

	rc = cni_env_load(&ctx->env, NULL, &ctx->err);
	if (rc < 0)
		return rc;
	cni_log_set_context(ctx->env.command, ctx->env.container_id,
			    ctx->env.ifname);
	rc = cni_conf_parse(&ctx->conf, text, len, ctx->env.cmd, &ctx->err);
	if (rc < 0)
		return rc;
	cni_log_open(ctx->conf.log_file);
	switch (ctx->env.cmd) {
	case CNI_CMD_VERSION:
		ctx->result = cni_result_version(ctx->conf.version);
		return 0;
	case CNI_CMD_ADD:
		return cni_cmd_add(ctx);
	case CNI_CMD_DEL:
		return cni_cmd_del(ctx);
	case CNI_CMD_CHECK:
		return cni_cmd_check(ctx);
	case CNI_CMD_STATUS:
		return cni_cmd_status(ctx);
	case CNI_CMD_GC:
		return cni_cmd_gc(ctx);
	}
	return cni_errf(&ctx->err, CNI_ERR_INVALID_ENV, EINVAL, "bad command");
}

int
main(void)
{
	struct cni_ctx ctx = { .lock_fd = -1 };
	char version[16], *text = NULL;
	size_t len = 0;
	int rc;

	cni_log_set_context(getenv("CNI_COMMAND") != NULL ?
			    getenv("CNI_COMMAND") : "-", NULL, NULL);
	rc = read_stdin(&text, &len);
	if (rc < 0) {
		cni_errf(&ctx.err, CNI_ERR_IO, -rc, "cannot read stdin: %s",
			 strerror(-rc));
		snprintf(version, sizeof(version), "%s", CNI_VERSION_LATEST);
	} else {
		peek_version(text, len, version, sizeof(version));
		rc = run(&ctx, text, len);
	}
	if (rc < 0) {
		json_t *doc = cni_result_error(version, &ctx.err);

		CNI_LOG(ERR, "code %d: %s%s%s", ctx.err.code, ctx.err.msg,
			ctx.err.details[0] != '\0' ? ": " : "", ctx.err.details);
		print_json(doc);
		json_decref(doc);
	} else {
		print_json(ctx.result);
	}
	json_decref(ctx.result);
	cni_npvsd_close(&ctx.npvsd);
	cni_state_unlock(ctx.lock_fd);
	cni_conf_free(&ctx.conf);
	free(text);
	return rc < 0 ? 1 : 0;
}
