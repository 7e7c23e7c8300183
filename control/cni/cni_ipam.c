/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cni_ipam.c: the delegated IPAM plugin, called the standard way (SPEC.md
 * "Delegated plugins"): the executable named by ipam.type, found in
 * CNI_PATH, run with the caller's environment (CNI_ARGS unchanged),
 * CNI_COMMAND set to the operation and the network configuration on
 * stdin. Also: address parsing and the IPAM result type.
 *
 * Versions: Debian's host-local (plugins 1.1.1) speaks up to 1.0.0. For a
 * 1.1.0 config the plugin is asked VERSION first and given the highest
 * version both speak (the 1.0.0 and 1.1.0 results differ only in fields
 * IPAM does not emit). GC goes to the IPAM plugin only when it speaks
 * 1.1.0; otherwise the caller releases each stale attachment with DEL.
 */
#include "cni.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- addresses ---- */

int
cni_ip_parse(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int
cni_cidr_parse(const char *s, int *family, uint8_t addr[16], uint8_t *len)
{
	char buf[64], *slash, *end;
	long n;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL || slash[1] == '\0')
		return -EINVAL;
	*slash = '\0';
	if (cni_ip_parse(buf, family, addr) < 0)
		return -EINVAL;
	n = strtol(slash + 1, &end, 10);
	if (*end != '\0' || n < 0 || n > (*family == AF_INET ? 32 : 128))
		return -EINVAL;
	*len = (uint8_t)n;
	return 0;
}

const char *
cni_ip_str(int family, const uint8_t addr[16], char *buf, size_t size)
{
	if (inet_ntop(family, addr, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

/* ---- results ---- */

static int
result_ip(json_t *o, struct cni_ip *ip, struct cni_err *err)
{
	json_t *a = json_object_get(o, "address");
	json_t *g = json_object_get(o, "gateway");
	int fam;

	if (!json_is_string(a) ||
	    cni_cidr_parse(json_string_value(a), &ip->family, ip->addr,
			   &ip->prefix) < 0)
		return cni_errf(err, CNI_ERR_DECODE, EINVAL,
				"IPAM result: bad ips[].address");
	if (g != NULL) {
		if (!json_is_string(g) ||
		    cni_ip_parse(json_string_value(g), &fam, ip->gw) < 0 ||
		    fam != ip->family)
			return cni_errf(err, CNI_ERR_DECODE, EINVAL,
					"IPAM result: bad ips[].gateway");
		ip->has_gw = true;
	}
	return 0;
}

static int
result_route(json_t *o, struct cni_route *r, struct cni_err *err)
{
	json_t *d = json_object_get(o, "dst");
	json_t *g = json_object_get(o, "gw");
	int fam;

	if (!json_is_string(d) ||
	    cni_cidr_parse(json_string_value(d), &r->family, r->dst,
			   &r->dst_len) < 0)
		return cni_errf(err, CNI_ERR_DECODE, EINVAL,
				"IPAM result: bad routes[].dst");
	if (g != NULL) {
		if (!json_is_string(g) ||
		    cni_ip_parse(json_string_value(g), &fam, r->gw) < 0 ||
		    fam != r->family)
			return cni_errf(err, CNI_ERR_DECODE, EINVAL,
					"IPAM result: bad routes[].gw");
		r->has_gw = true;
	}
	return 0;
}

int
cni_ipam_result_parse(json_t *res, struct cni_ipam_result *out,
		struct cni_err *err)
{
	json_t *ips = json_object_get(res, "ips");
	json_t *routes = json_object_get(res, "routes");
	json_t *v;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(ips) || json_array_size(ips) == 0)
		return cni_errf(err, CNI_ERR_DECODE, EINVAL,
				"IPAM result has no IP address");
	if (json_array_size(ips) > CNI_IPS_MAX)
		return cni_errf(err, CNI_ERR_UNSUPPORTED_FIELD, EINVAL,
				"IPAM result has more than %d addresses",
				CNI_IPS_MAX);
	json_array_foreach(ips, i, v) {
		rc = result_ip(v, &out->ips[out->n_ips++], err);
		if (rc < 0)
			return rc;
	}
	if (routes != NULL && !json_is_array(routes))
		return cni_errf(err, CNI_ERR_DECODE, EINVAL,
				"IPAM result: routes must be an array");
	if (json_array_size(routes) > CNI_ROUTES_MAX)
		return cni_errf(err, CNI_ERR_UNSUPPORTED_FIELD, EINVAL,
				"IPAM result has more than %d routes",
				CNI_ROUTES_MAX);
	json_array_foreach(routes, i, v) {
		rc = result_route(v, &out->routes[out->n_routes++], err);
		if (rc < 0)
			return rc;
	}
	v = json_object_get(res, "dns");
	if (json_is_object(v))
		out->dns = json_incref(v);
	return 0;
}

void
cni_ipam_result_free(struct cni_ipam_result *r)
{
	json_decref(r->dns);
	r->dns = NULL;
}

/* ---- running a plugin ---- */

int
cni_find_plugin(const char *dirs, const char *type, char *out, size_t size)
{
	const char *p = dirs, *colon;
	struct stat st;
	size_t n;

	if (type[0] == '\0' || strchr(type, '/') != NULL)
		return -EINVAL;
	while (p != NULL && *p != '\0') {
		colon = strchr(p, ':');
		n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (n > 0 && (size_t)snprintf(out, size, "%.*s/%s", (int)n, p,
					      type) < size &&
		    stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return 0;
		p = colon != NULL ? colon + 1 : NULL;
	}
	return -ENOENT;
}

/* Both ends of a plugin's stdin and stdout, as run_io() moves them. */
struct run_pipes {
	int infd, outfd;                /* -1 once closed */
	const char *input;
	size_t in_len, in_off;
	char *buf;                      /* stdout so far */
	size_t cap, len;
};

static void
run_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Write what the pipe takes of the input; close it when all is in. */
static void
run_feed(struct run_pipes *p)
{
	ssize_t n = write(p->infd, p->input + p->in_off, p->in_len - p->in_off);

	if (n > 0)
		p->in_off += (size_t)n;
	if ((n < 0 && errno != EINTR && errno != EAGAIN) ||
	    p->in_off == p->in_len)
		run_close(&p->infd);
}

/* Read what stdout has; close it at EOF. @return 0 or -ENOMEM. */
static int
run_drain(struct run_pipes *p)
{
	ssize_t n;
	char *nb;

	if (p->len + 1 >= p->cap) {
		nb = realloc(p->buf, p->cap * 2);
		if (nb == NULL)
			return -ENOMEM;
		p->buf = nb;
		p->cap *= 2;
	}
	n = read(p->outfd, p->buf + p->len, p->cap - p->len - 1);
	if (n > 0)
		p->len += (size_t)n;
	else if (n == 0 || errno != EINTR)
		run_close(&p->outfd);
	return 0;
}

/* Feed input to infd and gather outfd until stdout closes. */
static int
run_io(int infd, int outfd, const char *input, char **out)
{
	struct run_pipes p = {
		.infd = infd, .outfd = outfd, .input = input,
		.in_len = input != NULL ? strlen(input) : 0,
		.cap = 4096, .buf = malloc(4096),
	};
	struct pollfd pfd[2];
	int rc = p.buf != NULL ? 0 : -ENOMEM;

	if (p.in_len == 0)
		run_close(&p.infd);
	while (rc == 0 && p.outfd >= 0) {
		pfd[0] = (struct pollfd){ .fd = p.infd, .events = POLLOUT };
		pfd[1] = (struct pollfd){ .fd = p.outfd, .events = POLLIN };
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (p.infd >= 0 && (pfd[0].revents & (POLLOUT | POLLERR | POLLHUP)))
			run_feed(&p);
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			rc = run_drain(&p);
	}
	run_close(&p.infd);
	run_close(&p.outfd);
	if (rc < 0) {
		free(p.buf);
		return rc;
	}
	p.buf[p.len] = '\0';
	*out = p.buf;
	return 0;
}

int
cni_run(const char *path, char *const envp[], const char *input, char **out,
		int *status)
{
	int in[2], outp[2], rc;
	pid_t pid;

	*out = NULL;
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(in[0]);
		close(in[1]);
		return rc;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		return rc;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		execve(path, (char *const[]){ (char *)path, NULL }, envp);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	/* a plugin that exits before reading stdin must not kill us */
	signal(SIGPIPE, SIG_IGN);
	rc = run_io(in[1], outp[0], input, out);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return rc;
}

/* The environment for the plugin: ours, with CNI_COMMAND replaced. */
static char **
plugin_env(const char *command)
{
	size_t n = 0, i, j = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (envp == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) != 0)
			envp[j++] = environ[i];
	if (asprintf(&envp[j], "CNI_COMMAND=%s", command) < 0) {
		free(envp);
		return NULL;
	}
	return envp;
}

static void
plugin_env_free(char **envp)
{
	size_t i;

	if (envp == NULL)
		return;
	for (i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], "CNI_COMMAND=", 12) == 0)
			free(envp[i]);
	free(envp);
}

/* Turn a failed plugin run into err: its own CNI error if it printed one. */
static int
plugin_error(const char *type, const char *command, const char *output,
		int status, struct cni_err *err)
{
	json_t *res = json_loads(output, 0, NULL);
	json_t *code = json_object_get(res, "code");
	json_t *msg = json_object_get(res, "msg");
	json_t *details = json_object_get(res, "details");

	if (json_is_integer(code) && json_is_string(msg)) {
		cni_errf(err, (int)json_integer_value(code), EIO,
			 "IPAM plugin %s %s: %s", type, command,
			 json_string_value(msg));
		if (json_is_string(details))
			cni_err_details(err, "%s", json_string_value(details));
	} else {
		cni_errf(err, CNI_ERR_IO, EIO,
			 "IPAM plugin %s %s failed (exit status %d)", type,
			 command, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	json_decref(res);
	return -EIO;
}

/*
 * Run the IPAM plugin once: command, config text on stdin.
 * @return 0 with the output in *output (caller frees), or -errno.
 */
static int
plugin_call(const struct cni_conf *conf, const struct cni_env *env,
		const char *command, const char *input, char **output,
		struct cni_err *err)
{
	char path[CNI_PATH_MAX + 80];
	char **envp;
	int status = 0, rc;

	*output = NULL;
	if (cni_find_plugin(env->path, conf->ipam_type, path, sizeof(path)) < 0)
		return cni_errf(err, CNI_ERR_INVALID_CONFIG, ENOENT,
				"IPAM plugin \"%s\" not found in CNI_PATH %s",
				conf->ipam_type, env->path);
	envp = plugin_env(command);
	if (envp == NULL)
		return cni_errf(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rc = cni_run(path, envp, input, output, &status);
	plugin_env_free(envp);
	if (rc < 0)
		return cni_errf(err, CNI_ERR_IO, -rc, "cannot run %s: %s", path,
				strerror(-rc));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = plugin_error(conf->ipam_type, command, *output, status, err);
		free(*output);
		*output = NULL;
		return rc;
	}
	return 0;
}

int
cni_ipam_version(const struct cni_conf *conf, const struct cni_env *env,
		char *out, size_t size, struct cni_err *err)
{
	char *output = NULL, input[64];
	json_t *res, *sv, *v;
	size_t i;
	int rc;

	snprintf(out, size, "%s", conf->version);
	if (cni_version_cmp(conf->version, "1.1.0") < 0)
		return 0;       /* every IPAM plugin in use speaks these */
	snprintf(input, sizeof(input), "{\"cniVersion\":\"%s\"}", conf->version);
	rc = plugin_call(conf, env, "VERSION", input, &output, err);
	if (rc < 0)
		return rc;
	res = json_loads(output, 0, NULL);
	free(output);
	sv = json_object_get(res, "supportedVersions");
	out[0] = '\0';
	json_array_foreach(sv, i, v) {
		const char *s = json_string_value(v);

		if (s != NULL && cni_version_cmp(s, conf->version) <= 0 &&
		    cni_version_supported(s) &&
		    (out[0] == '\0' || cni_version_cmp(s, out) > 0))
			snprintf(out, size, "%s", s);
	}
	json_decref(res);
	if (out[0] == '\0')
		return cni_errf(err, CNI_ERR_INCOMPATIBLE_VERSION, ENOTSUP,
				"IPAM plugin %s speaks no version npvs-cni speaks",
				conf->ipam_type);
	return 0;
}

/* The config text for the plugin, with cniVersion set to version. */
static char *
plugin_input(const struct cni_conf *conf, const char *version)
{
	json_t *copy = json_copy(conf->root);
	char *s;

	if (copy == NULL)
		return NULL;
	json_object_set_new(copy, "cniVersion", json_string(version));
	s = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	return s;
}

static int
ipam_parse_output(const char *output, struct cni_ipam_result *out,
		struct cni_err *err)
{
	json_error_t jerr;
	json_t *res = json_loads(output, 0, &jerr);
	int rc;

	if (res == NULL) {
		cni_errf(err, CNI_ERR_DECODE, EINVAL,
			 "IPAM plugin printed no valid JSON result");
		cni_err_details(err, "%s", jerr.text);
		return -EINVAL;
	}
	rc = cni_ipam_result_parse(res, out, err);
	json_decref(res);
	return rc;
}

int
cni_ipam_exec(const struct cni_conf *conf, const struct cni_env *env,
		const char *command, struct cni_ipam_result *out,
		struct cni_err *err)
{
	char version[16], *input, *output = NULL;
	int rc;

	rc = cni_ipam_version(conf, env, version, sizeof(version), err);
	if (rc < 0)
		return rc;
	input = plugin_input(conf, version);
	if (input == NULL)
		return cni_errf(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rc = plugin_call(conf, env, command, input, &output, err);
	free(input);
	if (rc == 0 && out != NULL)
		rc = ipam_parse_output(output, out, err);
	free(output);
	return rc;
}

int
cni_ipam_exec_v11(const struct cni_conf *conf, const struct cni_env *env,
		const char *command, struct cni_err *err)
{
	char version[16], *input, *output = NULL;
	int rc;

	rc = cni_ipam_version(conf, env, version, sizeof(version), err);
	if (rc < 0)
		return rc;
	if (cni_version_cmp(version, "1.1.0") < 0)
		return 1;
	input = plugin_input(conf, version);
	if (input == NULL)
		return cni_errf(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	rc = plugin_call(conf, env, command, input, &output, err);
	free(input);
	free(output);
	return rc;
}
