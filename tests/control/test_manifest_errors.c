/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_manifest_errors.c: every refusal of manifest loading, as a table.
 *
 * Each row is a manifest that the Kubernetes API server (or kubectl
 * --validate=strict) refuses, and what the error must say: where
 * (file:line:column, counted by hand from the row's text), which object,
 * which field (JSON pointer, compared exactly with err.where) and a piece
 * of the reason. Every row is loaded into a set that already holds one
 * object: a refused load must leave that set exactly as it was.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_cmds.h"
#include "manifest.h"

/* Lines 1-5 of most rows: a NetworkPolicy default/web. */
#define NP_HEAD "apiVersion: networking.k8s.io/v1\n" \
	"kind: NetworkPolicy\n" \
	"metadata:\n" \
	"  name: web\n" \
	"spec:\n"
#define NP "NetworkPolicy default/web: "

/* Lines 1-6 of the Pod rows: Pod x/p (containers from line 7). */
#define POD_HEAD "apiVersion: v1\n" \
	"kind: Pod\n" \
	"metadata:\n" \
	"  name: p\n" \
	"  namespace: x\n" \
	"spec:\n"

struct bad {
	const char *name;       /* what the row refuses */
	const char *file;       /* source name (.json sniffed by content) */
	const char *text;
	const char *loc;        /* "t.yaml:9:7: ", or NULL: not checked */
	const char *obj;        /* "NetworkPolicy default/web: ", or NULL */
	const char *where;      /* exact err.where */
	const char *msg;        /* part of the reason */
};

static const struct bad bads[] = {
	/* ---- ports ---- */
	{ "endPort below port", "t.yaml", NP_HEAD
	  "  podSelector: {}\n"
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: 80\n"
	  "      endPort: 70\n",
	  "t.yaml:10:7: ", NP, "/spec/ingress/0/ports/0/endPort",
	  "must be greater than or equal to `port` (80)" },
	{ "endPort without port", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - endPort: 90\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/endPort",
	  "may not be specified when `port` is not specified" },
	{ "endPort with a named port", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: http\n"
	  "      endPort: 90\n",
	  "t.yaml:9:7: ", NP, "/spec/ingress/0/ports/0/endPort",
	  "`port` is non-numeric" },
	{ "endPort above 65535", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - ports:\n"
	  "    - port: 80\n"
	  "      endPort: 65536\n",
	  "t.yaml:9:7: ", NP, "/spec/egress/0/ports/0/endPort",
	  "between 1 and 65535" },
	{ "port 0", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: 0\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/port",
	  "between 1 and 65535, inclusive" },
	{ "port 65536", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - protocol: UDP\n"
	  "      port: 65536\n",
	  "t.yaml:9:7: ", NP, "/spec/ingress/0/ports/0/port",
	  "between 1 and 65535, inclusive" },
	{ "protocol in lower case", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - protocol: tcp\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/protocol",
	  "unsupported value \"tcp\"" },
	{ "quoted number is a port name, and not a valid one", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: \"80\"\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/port",
	  "must contain at least one letter" },
	{ "port name with an underscore", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: http_80\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/port",
	  "must contain only alpha-numeric characters" },
	{ "port name longer than 15", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: abcdefghijklmnop\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/port",
	  "no more than 15 characters" },
	{ "port is a list", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - ports:\n"
	  "    - port: [80]\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/ports/0/port",
	  "must be an integer or a string" },

	/* ---- unknown fields and types ---- */
	{ "unknown field in spec", "t.yaml", NP_HEAD
	  "  podSelector: {}\n"
	  "  ingres: []\n",
	  "t.yaml:7:3: ", NP, "/spec/ingres", "unknown field \"ingres\"" },
	{ "unknown field deep in a selector", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - podSelector:\n"
	  "        matchLabel: {a: b}\n",
	  "t.yaml:9:9: ", NP, "/spec/ingress/0/from/0/podSelector/matchLabel",
	  "unknown field \"matchLabel\"" },
	{ "unknown field in a port", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - ports:\n"
	  "    - port: 53\n"
	  "      proto: UDP\n",
	  "t.yaml:9:7: ", NP, "/spec/egress/0/ports/0/proto",
	  "unknown field \"proto\"" },
	{ "from in an egress rule", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - from: []\n",
	  "t.yaml:7:5: ", NP, "/spec/egress/0/from", "unknown field \"from\"" },
	{ "ingress at the top level", "t.yaml", NP_HEAD
	  "  podSelector: {}\n"
	  "ingress: []\n",
	  "t.yaml:7:1: ", NP, "/ingress", "unknown field \"ingress\"" },
	{ "unknown field in metadata", "t.yaml", NP_HEAD
	  "  podSelector: {}\n"
	  "---\n"
	  "apiVersion: v1\n"
	  "kind: Pod\n"
	  "metadata:\n"
	  "  name: p\n"
	  "  app: web\n",
	  "t.yaml:12:3: ", "Pod default/p: ", "/metadata/app",
	  "unknown field \"app\"" },
	{ "podSelector is a list", "t.yaml", NP_HEAD
	  "  podSelector: []\n",
	  "t.yaml:6:3: ", NP, "/spec/podSelector",
	  "must be an object, not array" },
	{ "ingress is a mapping", "t.yaml", NP_HEAD
	  "  ingress: {}\n",
	  "t.yaml:6:3: ", NP, "/spec/ingress", "must be an array, not object" },
	{ "a label value that YAML reads as a number", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchLabels:\n"
	  "      version: 1.0\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchLabels/version",
	  "must be a string, not number" },
	{ "a label value that YAML 1.1 reads as a boolean", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchLabels:\n"
	  "      enabled: yes\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchLabels/enabled",
	  "must be a string, not boolean" },

	/* ---- peers and ipBlock ---- */
	{ "CIDR with three octets", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0/8\n",
	  "t.yaml:9:9: ", NP, "/spec/ingress/0/from/0/ipBlock/cidr",
	  "must be a valid CIDR value" },
	{ "CIDR with host bits set", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0.1/8\n",
	  "t.yaml:9:9: ", NP, "/spec/ingress/0/from/0/ipBlock/cidr",
	  "must not have bits set beyond the prefix length" },
	{ "CIDR prefix too long", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - to:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0.0/33\n",
	  "t.yaml:9:9: ", NP, "/spec/egress/0/to/0/ipBlock/cidr",
	  "must be a valid CIDR value" },
	{ "CIDR with a leading zero", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - to:\n"
	  "    - ipBlock:\n"
	  "        cidr: 010.0.0.0/8\n",
	  "t.yaml:9:9: ", NP, "/spec/egress/0/to/0/ipBlock/cidr",
	  "must be a valid CIDR value" },
	{ "ipBlock without cidr", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - to:\n"
	  "    - ipBlock:\n"
	  "        except: [10.0.0.0/16]\n",
	  "t.yaml:8:7: ", NP, "/spec/egress/0/to/0/ipBlock/cidr",
	  "required value" },
	{ "except outside its cidr", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0.0/8\n"
	  "        except: [11.0.0.0/16]\n",
	  "t.yaml:10:18: ", NP, "/spec/ingress/0/from/0/ipBlock/except/0",
	  "must be a strict subset of `cidr`" },
	{ "except equal to its cidr", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0.0/8\n"
	  "        except:\n"
	  "        - 10.1.0.0/16\n"
	  "        - 10.0.0.0/8\n",
	  "t.yaml:12:11: ", NP, "/spec/ingress/0/from/0/ipBlock/except/1",
	  "must be a strict subset of `cidr`" },
	{ "except of the other family", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0.0/8\n"
	  "        except: [\"fd00::/64\"]\n",
	  "t.yaml:10:18: ", NP, "/spec/ingress/0/from/0/ipBlock/except/0",
	  "must be a strict subset of `cidr`" },
	{ "ipBlock with a podSelector", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - ipBlock:\n"
	  "        cidr: 10.0.0.0/8\n"
	  "      podSelector: {}\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/from/0",
	  "may not specify both ipBlock and another peer" },
	{ "empty peer", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - {}\n",
	  "t.yaml:8:7: ", NP, "/spec/ingress/0/from/0", "must specify a peer" },
	{ "null peer (the zero value, an empty peer)", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    -\n",
	  "t.yaml:8:6: ", NP, "/spec/ingress/0/from/0", "must specify a peer" },
	{ "peer with only nulls", "t.yaml", NP_HEAD
	  "  egress:\n"
	  "  - to:\n"
	  "    - podSelector:\n",
	  "t.yaml:8:7: ", NP, "/spec/egress/0/to/0", "must specify a peer" },

	/* ---- selectors and labels ---- */
	{ "operator in lower case", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchExpressions:\n"
	  "    - {key: app, operator: in, values: [a]}\n",
	  "t.yaml:8:18: ", NP, "/spec/podSelector/matchExpressions/0/operator",
	  "\"in\" is not a valid selector operator" },
	{ "In with no values", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchExpressions:\n"
	  "    - {key: app, operator: In}\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchExpressions/0/values",
	  "must be specified when `operator` is 'In' or 'NotIn'" },
	{ "NotIn with an empty list", "t.yaml", NP_HEAD
	  "  ingress:\n"
	  "  - from:\n"
	  "    - namespaceSelector:\n"
	  "        matchExpressions:\n"
	  "        - key: env\n"
	  "          operator: NotIn\n"
	  "          values: []\n",
	  "t.yaml:12:11: ", NP,
	  "/spec/ingress/0/from/0/namespaceSelector/matchExpressions/0/values",
	  "must be specified when `operator` is 'In' or 'NotIn'" },
	{ "Exists with values", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchExpressions:\n"
	  "    - {key: app, operator: Exists, values: [a]}\n",
	  "t.yaml:8:36: ", NP, "/spec/podSelector/matchExpressions/0/values",
	  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" },
	{ "expression without a key", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchExpressions:\n"
	  "    - operator: Exists\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchExpressions/0/key",
	  "name part must be non-empty" },
	{ "label key starting with a dash", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchLabels:\n"
	  "      -app: web\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchLabels/-app",
	  "name part must consist of alphanumeric characters" },
	{ "label key prefix not a DNS subdomain", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchLabels:\n"
	  "      Example.com/app: web\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchLabels/Example.com~1app",
	  "prefix part a lowercase RFC 1123 subdomain" },
	{ "label key with two slashes", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchExpressions:\n"
	  "    - {key: a/b/c, operator: Exists}\n",
	  "t.yaml:8:8: ", NP, "/spec/podSelector/matchExpressions/0/key",
	  "a qualified name must consist of" },
	{ "label key name part of 64 characters", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchLabels:\n"
	  "      k8s.io/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x\n",
	  "t.yaml:8:7: ", NP, NULL, "name part must be no more than 63 characters" },
	{ "label value of 64 characters", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchLabels:\n"
	  "      app: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "t.yaml:8:7: ", NP, "/spec/podSelector/matchLabels/app",
	  "must be no more than 63 characters" },
	{ "label value with a space", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Namespace\n"
	  "metadata:\n"
	  "  name: x\n"
	  "  labels:\n"
	  "    team: a b\n",
	  "t.yaml:6:5: ", "Namespace x: ", "/metadata/labels/team",
	  "a valid label must be an empty string or consist of" },
	{ "selector value not a label value", "t.yaml", NP_HEAD
	  "  podSelector:\n"
	  "    matchExpressions:\n"
	  "    - key: app\n"
	  "      operator: In\n"
	  "      values: [ok, \"not ok\"]\n",
	  "t.yaml:10:20: ", NP, "/spec/podSelector/matchExpressions/0/values/1",
	  "invalid label value \"not ok\"" },

	/* ---- names and metadata ---- */
	{ "object name with an underscore", "t.yaml",
	  "apiVersion: networking.k8s.io/v1\n"
	  "kind: NetworkPolicy\n"
	  "metadata:\n"
	  "  name: Web_1\n"
	  "spec: {}\n",
	  "t.yaml:4:3: ", "NetworkPolicy default/Web_1: ", "/metadata/name",
	  "a lowercase RFC 1123 subdomain" },
	{ "no metadata.name", "t.yaml",
	  "apiVersion: networking.k8s.io/v1\n"
	  "kind: NetworkPolicy\n"
	  "metadata:\n"
	  "  namespace: x\n"
	  "spec: {}\n",
	  "t.yaml:3:1: ", "NetworkPolicy (no name): ", "/metadata/name",
	  "name is required" },
	{ "generateName instead of a name", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Pod\n"
	  "metadata:\n"
	  "  generateName: web-\n",
	  "t.yaml:3:1: ", "Pod (no name): ", "/metadata/name",
	  "generateName is not supported" },
	{ "no metadata at all", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Namespace\n",
	  "t.yaml:1:1: ", "Namespace (no name): ", "/metadata",
	  "metadata with a name is required" },
	{ "namespace in upper case", "t.yaml",
	  "apiVersion: networking.k8s.io/v1\n"
	  "kind: NetworkPolicy\n"
	  "metadata:\n"
	  "  name: web\n"
	  "  namespace: Prod\n",
	  "t.yaml:5:3: ", "NetworkPolicy Prod/web: ", "/metadata/namespace",
	  "a lowercase RFC 1123 label" },
	{ "Namespace name with a dot", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Namespace\n"
	  "metadata:\n"
	  "  name: a.b\n",
	  "t.yaml:4:3: ", "Namespace a.b: ", "/metadata/name",
	  "a lowercase RFC 1123 label" },
	{ "annotation key with a space", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Namespace\n"
	  "metadata:\n"
	  "  name: x\n"
	  "  annotations:\n"
	  "    bad key: v\n",
	  "t.yaml:6:5: ", "Namespace x: ", "/metadata/annotations/bad key",
	  "invalid annotation key" },
	{ "policyTypes in lower case", "t.yaml", NP_HEAD
	  "  policyTypes: [ingress]\n",
	  "t.yaml:6:17: ", NP, "/spec/policyTypes/0",
	  "unsupported value \"ingress\"" },
	{ "three policyTypes", "t.yaml", NP_HEAD
	  "  policyTypes: [Ingress, Egress, Ingress]\n",
	  "t.yaml:6:3: ", NP, "/spec/policyTypes",
	  "may not specify more than two policyTypes" },

	/* ---- kinds and documents ---- */
	{ "no kind", "t.yaml",
	  "apiVersion: v1\n"
	  "metadata: {name: a}\n",
	  "t.yaml:1:1: ", "object (no name): ", "/kind", "kind not set" },
	{ "no apiVersion", "t.yaml",
	  "kind: Namespace\n"
	  "metadata: {name: a}\n",
	  "t.yaml:1:1: ", "Namespace (no name): ", "/apiVersion",
	  "apiVersion not set" },
	{ "NetworkPolicy of a removed API version", "t.yaml",
	  "apiVersion: extensions/v1beta1\n"
	  "kind: NetworkPolicy\n"
	  "metadata: {name: a}\n",
	  "t.yaml:1:1: ", "NetworkPolicy (no name): ", "/apiVersion",
	  "no NetworkPolicy in version \"extensions/v1beta1\"" },
	{ "a document that is a list", "t.yaml",
	  "- a\n- b\n",
	  "t.yaml:1:1: ", "object (no name): ", "",
	  "an object must be a mapping, not array" },
	{ "YAML syntax error", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Namespace\n"
	  "metadata: {name: a\n",
	  "t.yaml:", NULL, "", "YAML: " },
	{ "duplicate key", "t.yaml", NP_HEAD
	  "  podSelector: {}\n"
	  "  podSelector: {}\n",
	  "t.yaml:7:3: ", NULL, "", "duplicate key \"podSelector\"" },
	{ "unknown alias", "t.yaml", NP_HEAD
	  "  podSelector: *sel\n",
	  "t.yaml:6:16: ", NULL, "", "YAML: " },
	{ "JSON syntax error", "t.json",
	  "{\"apiVersion\": \"v1\",\n \"kind\": \"Namespace\",}\n",
	  "t.json:2:", NULL, "", "JSON: " },
	{ "JSON duplicate key", "t.json",
	  "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"kind\": \"Pod\"}\n",
	  "t.json:1:", NULL, "", "duplicate" },
	{ "JSON error located", "t.json",
	  "{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicy\",\n"
	  " \"metadata\": {\"name\": \"web\"},\n"
	  " \"spec\": {\"ingress\": [{\"ports\": [{\"port\": 0}]}]}}\n",
	  "t.json:3:35: ", NP, "/spec/ingress/0/ports/0/port",
	  "between 1 and 65535" },
	{ "bad item of a List, after a good one", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: List\n"
	  "items:\n"
	  "- apiVersion: v1\n"
	  "  kind: Namespace\n"
	  "  metadata: {name: ok}\n"
	  "- apiVersion: networking.k8s.io/v1\n"
	  "  kind: NetworkPolicy\n"
	  "  metadata: {name: web}\n"
	  "  spec:\n"
	  "    ingress:\n"
	  "    - ports:\n"
	  "      - port: 99999\n",
	  "t.yaml:13:9: ", NP, "/spec/ingress/0/ports/0/port",
	  "between 1 and 65535" },
	{ "bad second document after a good one", "t.yaml",
	  "apiVersion: v1\n"
	  "kind: Namespace\n"
	  "metadata: {name: ok}\n"
	  "---\n"
	  "apiVersion: v1\n"
	  "kind: Namespace\n"
	  "metadata: {name: Bad}\n",
	  "t.yaml:7:12: ", "Namespace Bad: ", "/metadata/name",
	  "a lowercase RFC 1123 label" },
	{ "Calico kind with fields outside spec", "t.yaml",
	  "apiVersion: projectcalico.org/v3\n"
	  "kind: GlobalNetworkPolicy\n"
	  "metadata:\n"
	  "  name: g\n"
	  "spec: {}\n"
	  "selector: all()\n",
	  "t.yaml:6:1: ", "GlobalNetworkPolicy g: ", "/selector",
	  "misplaced field selector (line 6)" },

	/* ---- pods ---- */
	{ "containerPort 0", "t.yaml", POD_HEAD
	  "  containers:\n"
	  "  - name: c\n"
	  "    ports:\n"
	  "    - containerPort: 0\n",
	  "t.yaml:10:7: ", "Pod x/p: ", "/spec/containers/0/ports/0/containerPort",
	  "between 1 and 65535" },
	{ "port names not unique in a pod", "t.yaml", POD_HEAD
	  "  containers:\n"
	  "  - name: c\n"
	  "    ports:\n"
	  "    - {name: http, containerPort: 80}\n"
	  "  - name: d\n"
	  "    ports:\n"
	  "    - {name: http, containerPort: 8080}\n",
	  "t.yaml:13:8: ", "Pod x/p: ", "/spec/containers/1/ports/0/name",
	  "duplicate value \"http\"" },
	{ "no containers", "t.yaml", POD_HEAD
	  "  containers: []\n",
	  "t.yaml:7:3: ", "Pod x/p: ", "/spec/containers",
	  "at least one container" },
	{ "podIP not an address", "t.yaml", POD_HEAD
	  "  containers: [{name: c}]\n"
	  "status:\n"
	  "  podIP: 10.0.0.256\n",
	  "t.yaml:9:3: ", "Pod x/p: ", "/status/podIP",
	  "must be a valid IP address" },
	{ "two IPv4 podIPs", "t.yaml", POD_HEAD
	  "  containers: [{name: c}]\n"
	  "status:\n"
	  "  podIPs:\n"
	  "  - ip: 10.0.0.1\n"
	  "  - ip: 10.0.0.2\n",
	  "t.yaml:11:5: ", "Pod x/p: ", "/status/podIPs/1/ip",
	  "no more than one IP for each IP family" },
	{ "podIP differs from podIPs[0]", "t.yaml", POD_HEAD
	  "  containers: [{name: c}]\n"
	  "status:\n"
	  "  podIP: 10.0.0.9\n"
	  "  podIPs: [{ip: 10.0.0.1}]\n",
	  "t.yaml:9:3: ", "Pod x/p: ", "/status/podIP",
	  "must be equal to podIPs[0].ip" },
	{ "IPv4-mapped IPv6 podIP", "t.yaml", POD_HEAD
	  "  containers: [{name: c}]\n"
	  "status:\n"
	  "  podIP: \"::ffff:10.0.0.1\"\n",
	  "t.yaml:9:3: ", "Pod x/p: ", "/status/podIP",
	  "IPv4-mapped" },
};

#define N_BADS (sizeof(bads) / sizeof(bads[0]))

static const char base_ns[] =
	"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: base\n";

/* One row; returns the number of its checks that failed (printed). */
static int check_row(const struct bad *b)
{
	struct manifest_set s;
	struct ctl_err err;
	int rc, bad = 0;

	manifest_set_init(&s);
	assert_int_equal(manifest_load_buffer("base.yaml", base_ns,
			sizeof(base_ns) - 1, &s, &err), 0);
	memset(&err, 0, sizeof(err));
	rc = manifest_load_buffer(b->file, b->text, strlen(b->text), &s, &err);
#define CHECK(cond, what) do { \
		if (!(cond)) { \
			print_error("%s: %s\n  got: %s (where %s)\n", b->name, \
					what, err.msg, err.where); \
			bad++; \
		} \
	} while (0)
	CHECK(rc == -EINVAL && err.code == EINVAL, "not refused with EINVAL");
	CHECK(b->loc == NULL || strncmp(err.msg, b->loc, strlen(b->loc)) == 0,
			b->loc);
	CHECK(b->obj == NULL || strstr(err.msg, b->obj) != NULL, b->obj);
	CHECK(b->where == NULL || strcmp(err.where, b->where) == 0, b->where);
	CHECK(strstr(err.msg, b->msg) != NULL, b->msg);
	/* the set is as it was */
	CHECK(s.n_objs == 1 && strcmp(s.objs[0].name, "base") == 0 &&
			s.n_warnings == 0, "set changed");
#undef CHECK
	manifest_set_clear(&s);
	return bad;
}

static void test_refused(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < N_BADS; i++)
		bad += check_row(&bads[i]);
	assert_int_equal(bad, 0);
}

/* The message format, spelled out once in full. */
static void test_format(void **state)
{
	static const char text[] = NP_HEAD
		"  podSelector: {}\n"
		"  ingress:\n"
		"  - ports:\n"
		"    - port: 80\n"
		"      endPort: 70\n";
	struct manifest_set s;
	struct ctl_err err;

	(void)state;
	manifest_set_init(&s);
	assert_int_equal(manifest_load_buffer("policies.yaml", text,
			sizeof(text) - 1, &s, &err), -EINVAL);
	assert_string_equal(err.msg, "policies.yaml:10:7: NetworkPolicy "
			"default/web: /spec/ingress/0/ports/0/endPort: invalid value "
			"70: must be greater than or equal to `port` (80)");
	assert_int_equal(s.n_objs, 0);
	manifest_set_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("manifest_errors", tests, NULL,
			NULL);
}
