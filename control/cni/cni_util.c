/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_util.c: what every part of npvs-cni uses: error filling, the log
 * (stderr or logFile; stdout is reserved for the one JSON result) and the
 * CNI spec versions the plugin speaks.
 */
#include "cni.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const cni_versions[] = { "0.4.0", "1.0.0", "1.1.0" };

int
cni_errf(struct cni_err *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err->code == 0) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return errnum > 0 ? -errnum : -EIO;
}

void
cni_err_details(struct cni_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->details[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(err->details, sizeof(err->details), fmt, ap);
	va_end(ap);
}

/* ---- log ---- */

static FILE *log_fp;
static char log_ctx[160];

void
cni_log_open(const char *path)
{
	FILE *fp;

	if (path == NULL || path[0] == '\0')
		return;
	fp = fopen(path, "ae");
	if (fp == NULL) {
		fprintf(stderr, "npvs-cni: cannot open log file %s: %s\n",
			path, strerror(errno));
		return;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = fp;
}

void
cni_log_set_context(const char *cmd, const char *container_id,
		const char *ifname)
{
	snprintf(log_ctx, sizeof(log_ctx), "%s %.64s/%s", cmd,
		 container_id != NULL ? container_id : "-",
		 ifname != NULL && ifname[0] != '\0' ? ifname : "-");
}

void
cni_log(const char *level, const char *fmt, ...)
{
	FILE *fp = log_fp != NULL ? log_fp : stderr;
	char when[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S",
		 localtime_r(&now, &tm));
	fprintf(fp, "%s npvs-cni[%d] %s %s: ", when, (int)getpid(), level,
		log_ctx);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fflush(fp);
}

/* ---- versions ---- */

bool
cni_version_supported(const char *v)
{
	size_t i;

	if (v == NULL)
		return false;
	for (i = 0; i < sizeof(cni_versions) / sizeof(cni_versions[0]); i++)
		if (strcmp(v, cni_versions[i]) == 0)
			return true;
	return false;
}

json_t *
cni_versions_json(void)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sizeof(cni_versions) / sizeof(cni_versions[0]); i++)
		json_array_append_new(a, json_string(cni_versions[i]));
	return a;
}

static int
version_split(const char *v, long out[3])
{
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		if (v == NULL || *v < '0' || *v > '9')
			return -EINVAL;
		out[i] = strtol(v, &end, 10);
		if (i < 2 && *end != '.')
			return -EINVAL;
		v = end + (i < 2);
	}
	return *end == '\0' ? 0 : -EINVAL;
}

int
cni_version_cmp(const char *a, const char *b)
{
	long va[3], vb[3];
	bool ok_a = version_split(a, va) == 0;
	bool ok_b = version_split(b, vb) == 0;
	int i;

	if (!ok_a || !ok_b)
		return (int)ok_a - (int)ok_b;
	for (i = 0; i < 3; i++)
		if (va[i] != vb[i])
			return va[i] < vb[i] ? -1 : 1;
	return 0;
}
