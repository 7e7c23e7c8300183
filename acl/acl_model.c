/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_model.c: freeing an acl_model (acl_model.h). Everything a model
 * points to is malloc'ed and owned by it; this file is the one place that
 * knows the whole ownership tree. It copes with half-built models (a NULL
 * array with a count), as a loader that failed midway leaves them.
 */
#include "acl_model.h"

#include <stdlib.h>
#include <string.h>

static void
labels_clear(struct acl_labels *l)
{
	uint32_t i;

	for (i = 0; l->v != NULL && i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
selector_clear(struct acl_selector *s)
{
	uint32_t i, j;

	labels_clear(&s->match_labels);
	for (i = 0; s->exprs != NULL && i < s->n_exprs; i++) {
		free(s->exprs[i].key);
		for (j = 0; s->exprs[i].values != NULL &&
				j < s->exprs[i].n_values; j++)
			free(s->exprs[i].values[j]);
		free(s->exprs[i].values);
	}
	free(s->exprs);
	s->exprs = NULL;
	s->n_exprs = 0;
}

static void
peer_clear(struct acl_peer *p)
{
	selector_clear(&p->pod_sel);
	selector_clear(&p->ns_sel);
	free(p->ipblock.except);
	memset(p, 0, sizeof(*p));
}

static void
rules_free(struct acl_rule *r, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; r != NULL && i < n; i++) {
		for (j = 0; r[i].peers != NULL && j < r[i].n_peers; j++)
			peer_clear(&r[i].peers[j]);
		free(r[i].peers);
		for (j = 0; r[i].ports != NULL && j < r[i].n_ports; j++)
			free(r[i].ports[j].named_port);
		free(r[i].ports);
	}
	free(r);
}

static void
netpol_clear(struct acl_netpol *p)
{
	free(p->ns);
	free(p->name);
	selector_clear(&p->pod_sel);
	rules_free(p->ingress, p->n_ingress);
	rules_free(p->egress, p->n_egress);
	memset(p, 0, sizeof(*p));
}

static void
pod_clear(struct acl_pod *p)
{
	uint32_t i;

	free(p->ns);
	free(p->name);
	labels_clear(&p->labels);
	for (i = 0; p->ports != NULL && i < p->n_ports; i++)
		free(p->ports[i].name);
	free(p->ports);
	free(p->ips);
	memset(p, 0, sizeof(*p));
}

void
acl_model_clear(struct acl_model *m)
{
	uint32_t i;

	if (m == NULL)
		return;
	for (i = 0; m->namespaces != NULL && i < m->n_namespaces; i++) {
		free(m->namespaces[i].name);
		labels_clear(&m->namespaces[i].labels);
	}
	free(m->namespaces);
	for (i = 0; m->pods != NULL && i < m->n_pods; i++)
		pod_clear(&m->pods[i]);
	free(m->pods);
	for (i = 0; m->policies != NULL && i < m->n_policies; i++)
		netpol_clear(&m->policies[i]);
	free(m->policies);
	memset(m, 0, sizeof(*m));
}

void
acl_model_free(struct acl_model *m)
{
	acl_model_clear(m);
	free(m);
}
