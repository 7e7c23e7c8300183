/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_reach.c: `npvsctl reach` (ctl_reach.h): options, loading, the
 * private EAL, compiling, the list of endpoints and ports, and one
 * acl_classify() per side of every (port, from, to).
 *
 * A connection from A to B on port P is allowed when A's egress allows it
 * (A is an outside host, or A's egress group classifies the key
 * {group, identity of B, proto, B's address, P} as UNISOLATED or as an
 * allow) AND B's ingress does (same with A as the peer). Why each side
 * said what it said is taken from acl_ruleset_origin(); only the list of
 * policies that isolate a pod, printed with a denial, is worked out here
 * from the model (it explains a verdict, it never makes one).
 *
 * Thread-safety: one call per process (rte_eal_init).
 */
#include "ctl_reach.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "acl_fields.h"
#include "acl_ruleset.h"
#include "ctl_cmds.h"
#include "manifest.h"
#include "manifest_priv.h"

#define CTL_REACH_SPORT 40000       /* source port of the synthetic packets */
#define CTL_REACH_MAX 64            /* -f, --port and --peer, each */

/** What the command line asked for. */
struct ctl_reach_opts {
	const char *files[CTL_REACH_MAX];
	uint32_t n_files;
	struct ctl_reach_port ports[CTL_REACH_MAX];
	uint32_t n_ports;
	const char *peers[CTL_REACH_MAX];
	uint32_t n_peers;
	bool json;
};

/** One run. */
struct ctl_reach_ctx {
	struct ctl_reach_opts o;
	struct manifest_set set;
	struct acl_model model;
	struct acl_ruleset *rs;
	struct ctl_reach_result r;
};

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "npvsctl reach: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: npvsctl reach -f PATH [-f PATH ...] "
		"[--port PORT[/PROTO] ...]\n"
		"                     [--peer IP ...] [-o table|json]\n\n"
		"Who may reach whom under the policies of some manifests, worked "
		"out offline\n(no npvsd) by classifying one packet per pair and "
		"port with the compiled\nrules. Default ports: every port a policy "
		"names, and one it does not, over\nTCP, UDP and SCTP.\n");
}

/* ---- options ---- */

static int parse_port(const char *s, struct ctl_reach_port *p)
{
	char *end, proto[8] = "TCP";
	const char *slash = strchr(s, '/');
	unsigned long n = strtoul(s, &end, 10);
	size_t i;

	if (end == s || (*end != '\0' && end != slash) || n < 1 || n > 65535)
		return -EINVAL;
	if (slash != NULL) {
		if (strlen(slash + 1) >= sizeof(proto))
			return -EINVAL;
		for (i = 0; slash[1 + i] != '\0'; i++)
			proto[i] = (char)toupper((unsigned char)slash[1 + i]);
		proto[i] = '\0';
	}
	p->port = (uint16_t)n;
	p->proto = manifest_proto(proto);
	return p->proto == 0 ? -EINVAL : 0;
}

static int parse_opts(int argc, char **argv, struct ctl_reach_opts *o)
{
	static const struct option longopts[] = {
		{ "filename", required_argument, NULL, 'f' },
		{ "port", required_argument, NULL, 'p' },
		{ "peer", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "f:p:o:h", longopts, NULL)) != -1) {
		if ((c == 'f' && o->n_files == CTL_REACH_MAX) ||
				(c == 'p' && o->n_ports == CTL_REACH_MAX) ||
				(c == 'P' && o->n_peers == CTL_REACH_MAX))
			return fail("at most %s of each of -f, --port and --peer",
					"64") + 1;
		if (c == 'f')
			o->files[o->n_files++] = optarg;
		else if (c == 'p' && parse_port(optarg, &o->ports[o->n_ports++]) < 0)
			return fail("bad --port '%s': use PORT or PORT/TCP|UDP|SCTP",
					optarg) + 1;
		else if (c == 'P')
			o->peers[o->n_peers++] = optarg;
		else if (c == 'o' && strcmp(optarg, "json") != 0 &&
				strcmp(optarg, "table") != 0)
			return fail("-o '%s': use table or json", optarg) + 1;
		else if (c == 'o')
			o->json = strcmp(optarg, "json") == 0;
		else if (c == 'h')
			return usage(stdout), -1;
		else if (c == '?')
			return usage(stderr), 2;
	}
	if (optind < argc)
		return fail("unexpected argument '%s'", argv[optind]) + 1;
	if (o->n_files == 0)
		return fail("%sgive manifests with -f PATH", "") + 1;
	return 0;
}

/* ---- loading and compiling ---- */

static int load(struct ctl_reach_ctx *x)
{
	struct manifest_model_opts mo = { .all_local = true };
	struct ctl_err err;

	for (uint32_t i = 0; i < x->o.n_files; i++) {
		memset(&err, 0, sizeof(err));
		if (manifest_load_path(x->o.files[i], &x->set, &err) < 0)
			return fail("refused: %s", err.msg);
	}
	for (uint32_t i = 0; i < x->set.n_warnings; i++)
		fprintf(stderr, "npvsctl reach: warning: %s\n", x->set.warnings[i]);
	if (manifest_set_model(&x->set, &mo, &x->model, &err) < 0)
		return fail("%s", err.msg);
	return 0;
}

static int eal_start(void)
{
	/*
	 * --in-memory would be the natural choice, but 22.11 refuses it with
	 * --no-huge (which implies legacy memory); --no-shconf keeps the
	 * run-time files away instead.
	 */
	char a[12][64] = { "npvsctl-reach", "-l", "0", "--no-huge", "--no-pci",
		"--no-shconf", "--no-telemetry", "-m", "256", "--log-level=error",
		"", "" };
	char *argv[12];
	int n = 11;
	cpu_set_t cpus;

	/* one lcore: the first CPU we may run on (taskset, cgroups) */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &cpus)) {
				snprintf(a[2], sizeof(a[2]), "%d", c);
				break;
			}
	snprintf(a[10], sizeof(a[10]), "--file-prefix=manifest-reach-%d",
			(int)getpid());
	for (int i = 0; i < n; i++)
		argv[i] = a[i];
	argv[n] = NULL;
	if (rte_eal_init(n, argv) < 0) {
		fail("cannot start EAL: %s", rte_strerror(rte_errno));
		if (strstr(rte_eal_get_runtime_dir(), "manifest-reach-") != NULL)
			rmdir(rte_eal_get_runtime_dir());
		return 1;
	}
	return 0;
}

static int compile(struct ctl_reach_ctx *x)
{
	struct acl_compile_opts co = {
		.name = "reach", .socket_id = SOCKET_ID_ANY, .all_local = true,
	};
	struct acl_err err;

	memset(&err, 0, sizeof(err));
	x->rs = acl_compile(&x->model, &co, &err);
	if (x->rs == NULL)
		return fail("cannot compile the policies: %s", err.msg);
	return 0;
}

/* ---- endpoints and ports ---- */

static int ep_cmp(const void *a, const void *b)
{
	const struct ctl_reach_ep *x = a, *y = b;
	int c;

	if (x->outside != y->outside)
		return x->outside ? 1 : -1;
	if (x->outside)
		return 0;
	c = strcmp(x->name, y->name);
	return c != 0 ? c : (int)x->addr.family - (int)y->addr.family;
}

static int add_peers(struct ctl_reach_ctx *x, uint32_t *n)
{
	for (uint32_t i = 0; i < x->o.n_peers; i++) {
		struct ctl_reach_ep *e = &x->r.eps[(*n)++];
		const struct acl_endpoint *known;

		if (manifest_parse_ip(x->o.peers[i], &e->addr) != NULL)
			return fail("bad --peer '%s': give an IPv4 or IPv6 address",
					x->o.peers[i]);
		known = acl_ruleset_lookup(x->rs, &e->addr);
		if (known != NULL)
			return fail("--peer %s is the address of a pod in the " \
					"manifests", x->o.peers[i]);
		e->outside = true;
		snprintf(e->name, sizeof(e->name), "%s", x->o.peers[i]);
	}
	return 0;
}

static int make_eps(struct ctl_reach_ctx *x)
{
	uint32_t n = 0, max = x->o.n_peers;

	for (uint32_t i = 0; i < x->model.n_pods; i++)
		max += x->model.pods[i].n_ips;
	x->r.eps = calloc(max + 1, sizeof(*x->r.eps));
	if (x->r.eps == NULL)
		return fail("%sout of memory", "");
	for (uint32_t i = 0; i < x->model.n_pods; i++) {
		const struct acl_pod *p = &x->model.pods[i];

		for (uint32_t j = 0; j < p->n_ips; j++) {
			struct ctl_reach_ep *e = &x->r.eps[n++];

			snprintf(e->name, sizeof(e->name), "%s/%s", p->ns, p->name);
			e->addr = p->ips[j];
			e->dual = p->n_ips > 1;
			e->pod = i;
		}
	}
	if (add_peers(x, &n) != 0)
		return 1;
	qsort(x->r.eps, n, sizeof(*x->r.eps), ep_cmp);
	x->r.n_eps = n;
	return 0;
}

/* Call fn on every port entry of every rule of every policy. */
static void each_port(const struct acl_model *m,
		void (*fn)(const struct acl_model *, const struct acl_port *, void *),
		void *arg)
{
	for (uint32_t i = 0; i < m->n_policies; i++) {
		const struct acl_netpol *np = &m->policies[i];

		for (uint32_t r = 0; r < np->n_ingress; r++)
			for (uint32_t k = 0; k < np->ingress[r].n_ports; k++)
				fn(m, &np->ingress[r].ports[k], arg);
		for (uint32_t r = 0; r < np->n_egress; r++)
			for (uint32_t k = 0; k < np->egress[r].n_ports; k++)
				fn(m, &np->egress[r].ports[k], arg);
	}
}

/* Mark the numbers a port entry names: port, range end, named ports. */
static void mark_port(const struct acl_model *m, const struct acl_port *pt,
		void *arg)
{
	uint8_t *named = arg;

	if (!pt->has_port)
		return;
	if (pt->named_port == NULL) {
		named[pt->port] = 1;
		named[pt->end_port] |= pt->end_port != 0;
		return;
	}
	for (uint32_t q = 0; q < m->n_pods; q++)
		for (uint32_t c = 0; c < m->pods[q].n_ports; c++)
			if (strcmp(m->pods[q].ports[c].name, pt->named_port) == 0)
				named[m->pods[q].ports[c].port] = 1;
}

struct cover {
	uint32_t port;
	bool hit;
};

/* Is cover->port inside a numeric port (range) of this entry? */
static void cover_port(const struct acl_model *m, const struct acl_port *pt,
		void *arg)
{
	struct cover *cv = arg;
	uint32_t end = pt->end_port ? pt->end_port : pt->port;

	(void)m;
	if (pt->has_port && pt->named_port == NULL && cv->port >= pt->port &&
			cv->port <= end)
		cv->hit = true;
}

static bool port_covered(const struct acl_model *m, uint32_t p)
{
	struct cover cv = { .port = p, .hit = false };

	each_port(m, cover_port, &cv);
	return cv.hit;
}

/* Every named port, plus one none names, each over TCP, UDP and SCTP. */
static int default_ports(struct ctl_reach_ctx *x)
{
	static const uint8_t protos[] = { ACL_PROTO_TCP, ACL_PROTO_UDP,
		ACL_PROTO_SCTP };
	uint8_t *named = calloc(65536, 1);
	uint32_t n = 0, top = 0, other = 0;

	if (named == NULL)
		return fail("%sout of memory", "");
	each_port(&x->model, mark_port, named);
	for (uint32_t p = 1; p < 65536; p++)
		if (named[p])
			top = p, n++;
	/* the port after the highest named one, or the first free one */
	for (uint32_t p = top + 1; p < 65536 && other == 0; p++)
		if (!port_covered(&x->model, p) && !named[p])
			other = p;
	for (uint32_t p = 1; p < 65536 && other == 0; p++)
		if (!port_covered(&x->model, p) && !named[p])
			other = p;
	if (top == 0)
		other = 80;
	named[other] = 1;
	n++;
	x->r.ports = calloc((size_t)n * 3, sizeof(*x->r.ports));
	for (uint32_t p = 1; x->r.ports != NULL && p < 65536; p++)
		for (uint32_t k = 0; named[p] && k < 3; k++)
			x->r.ports[x->r.n_ports++] = (struct ctl_reach_port){
				(uint16_t)p, protos[k] };
	free(named);
	return x->r.ports == NULL ? fail("%sout of memory", "") : 0;
}

static int make_ports(struct ctl_reach_ctx *x)
{
	if (x->o.n_ports == 0)
		return default_ports(x);
	x->r.ports = calloc(x->o.n_ports, sizeof(*x->r.ports));
	if (x->r.ports == NULL)
		return fail("%sout of memory", "");
	memcpy(x->r.ports, x->o.ports, x->o.n_ports * sizeof(*x->r.ports));
	x->r.n_ports = x->o.n_ports;
	return 0;
}

/* ---- deciding ---- */

static void why_denied(const struct ctl_reach_ctx *x, enum acl_dir dir,
		const struct acl_pod *pod, char *why, size_t size)
{
	size_t used = (size_t)snprintf(why, size, "isolated by");
	const char *sep = " ";

	for (uint32_t i = 0; i < x->model.n_policies && used < size; i++) {
		const struct acl_netpol *np = &x->model.policies[i];
		bool typed = dir == ACL_DIR_INGRESS ? np->type_ingress :
			np->type_egress;

		if (!typed || strcmp(np->ns, pod->ns) != 0 ||
				!acl_selector_match(&np->pod_sel, &pod->labels, NULL))
			continue;
		used += (size_t)snprintf(why + used, size - used, "%s%s/%s", sep,
				np->ns, np->name);
		sep = ", ";
	}
	if (used < size)
		snprintf(why + used, size - used, "; no rule allows");
}

static void why_allowed(const struct acl_origin *o, char *why, size_t size)
{
	char peer[16] = "*", port[16] = "*";

	if (o->peer != UINT32_MAX)
		snprintf(peer, sizeof(peer), "%u", o->peer);
	if (o->port != UINT32_MAX)
		snprintf(port, sizeof(port), "%u", o->port);
	snprintf(why, size, "%s/%s %s[%u] peer[%s] port[%s]", o->policy_ns,
			o->policy_name, o->dir == ACL_DIR_INGRESS ? "ingress" : "egress",
			o->rule, peer, port);
}

/* One side: local's rules in direction dir, for a packet with peer. */
static int side(const struct ctl_reach_ctx *x, enum acl_dir dir,
		const struct ctl_reach_ep *local, const struct ctl_reach_ep *peer,
		const struct ctl_reach_port *p, bool *allowed, char *why, size_t size)
{
	const struct acl_endpoint *le, *pe;
	const struct acl_origin *o;
	union { struct acl_key4 k4; struct acl_key6 k6; } key;
	const uint8_t *keyp = (const uint8_t *)&key;
	uint32_t group, ident, verdict;
	int rc;

	if (local->outside) {
		*allowed = true;
		snprintf(why, size, "outside host");
		return 0;
	}
	le = acl_ruleset_lookup(x->rs, &local->addr);
	pe = acl_ruleset_lookup(x->rs, &peer->addr);
	group = le != NULL ? le->group[dir] : ACL_GROUP_NONE;
	ident = pe != NULL ? pe->identity : ACL_IDENTITY_WORLD;
	if (local->addr.family == ACL_AF_INET) {
		rte_be32_t a;

		memcpy(&a, peer->addr.addr, 4);
		acl_key4_fill(&key.k4, group, ident, p->proto, a,
				rte_cpu_to_be_16(CTL_REACH_SPORT), rte_cpu_to_be_16(p->port));
	} else {
		acl_key6_fill(&key.k6, group, ident, p->proto, peer->addr.addr,
				rte_cpu_to_be_16(CTL_REACH_SPORT), rte_cpu_to_be_16(p->port));
	}
	rc = acl_classify(x->rs, dir, local->addr.family, group, &keyp,
			&verdict, 1);
	if (rc < 0)
		return fail("acl_classify failed: %s", strerror(-rc));
	*allowed = verdict != ACL_VERDICT_DENY;
	if (verdict == ACL_VERDICT_UNISOLATED)
		snprintf(why, size, "not isolated");
	else if (verdict == ACL_VERDICT_DENY)
		why_denied(x, dir, &x->model.pods[local->pod], why, size);
	else if ((o = acl_ruleset_origin(x->rs, verdict)) != NULL)
		why_allowed(o, why, size);
	else
		snprintf(why, size, "allowed (verdict %u has no origin)", verdict);
	return 0;
}

static int decide(struct ctl_reach_ctx *x)
{
	struct ctl_reach_result *r = &x->r;
	bool eg, in;

	r->v = calloc((size_t)r->n_ports * r->n_eps * r->n_eps + 1,
			sizeof(*r->v));
	if (r->v == NULL)
		return fail("%sout of memory", "");
	for (uint32_t p = 0; p < r->n_ports; p++)
		for (uint32_t f = 0; f < r->n_eps; f++)
			for (uint32_t t = 0; t < r->n_eps; t++) {
				struct ctl_reach_verdict *v = ctl_reach_at(r, p, f, t);
				const struct ctl_reach_ep *src = &r->eps[f], *dst = &r->eps[t];

				if (src->addr.family != dst->addr.family ||
						(src->outside && dst->outside))
					continue;
				if (!src->outside && !dst->outside && src->pod == dst->pod) {
					/* A pod cannot block access to itself (docs/policy.md). */
					snprintf(v->egress, sizeof(v->egress), "self");
					snprintf(v->ingress, sizeof(v->ingress), "self");
					v->valid = v->allowed = true;
					continue;
				}
				if (side(x, ACL_DIR_EGRESS, src, dst, &r->ports[p], &eg,
						v->egress, sizeof(v->egress)) ||
						side(x, ACL_DIR_INGRESS, dst, src, &r->ports[p],
						&in, v->ingress, sizeof(v->ingress)))
					return 1;
				v->valid = true;
				v->allowed = eg && in;
			}
	return 0;
}

/* ---- the command ---- */

/* EAL leaves its (empty) run-time directory behind: remove it too. */
static void eal_stop(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (strstr(dir, "manifest-reach-") != NULL)
		rmdir(dir);
}

static void ctx_free(struct ctl_reach_ctx *x, bool eal)
{
	acl_ruleset_free(x->rs);
	acl_model_clear(&x->model);
	manifest_set_clear(&x->set);
	free(x->r.eps);
	free(x->r.ports);
	free(x->r.v);
	if (eal)
		eal_stop();
}

static int run(struct ctl_reach_ctx *x)
{
	bool eal = false;
	int rc = load(x);

	if (rc == 0 && (rc = eal_start()) == 0)
		eal = true;
	if (rc == 0)
		rc = compile(x);
	if (rc == 0)
		rc = make_eps(x);
	if (rc == 0)
		rc = make_ports(x);
	if (rc == 0)
		rc = decide(x);
	if (rc == 0 && x->o.json)
		rc = ctl_reach_print_json(&x->r, stdout) < 0 ? 1 : 0;
	else if (rc == 0)
		ctl_reach_print_table(&x->r, stdout);
	ctx_free(x, eal);
	return rc;
}

int ctl_reach_main_fmt(int argc, char **argv, bool json)
{
	struct ctl_reach_ctx *x = calloc(1, sizeof(*x));
	int rc;

	if (x == NULL)
		return fail("%sout of memory", "");
	x->o.json = json;
	manifest_set_init(&x->set);
	rc = parse_opts(argc, argv, &x->o);
	if (rc == 0)
		rc = run(x);
	else
		rc = rc < 0 ? 0 : rc;
	free(x);
	return rc;
}

int ctl_reach_main(int argc, char **argv)
{
	return ctl_reach_main_fmt(argc, argv, false);
}
