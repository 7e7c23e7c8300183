/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_config.h: npvsd's configuration: a YAML file plus command-line flags
 * that override it (docs/operations.md has the reference).
 *
 * The file sets struct vs_config (vs_api.h) and may list static ports and
 * endpoints that npvsd creates at start (tests and benchmarks use them
 * before, or instead of, the control socket). Every error names the file,
 * the line and the field, e.g.
 *   npvsd.yaml:7: lcores.workers[1]: not an lcore number: 'x'
 * and nothing is half-applied: a failed load leaves the caller to exit.
 *
 * Thread-safety: none needed; npvsd's main thread, before vs_create().
 */
#ifndef NPVS_CTL_CONFIG_H
#define NPVS_CTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vs_api.h"

#define CTL_CONFIG_PORTS_MAX 64
#define CTL_CONFIG_ENDPOINTS_MAX 1024

struct ctl_config {
	struct vs_config vs;
	char file[256];                 /**< the file loaded, "" if none */
	struct vs_port_spec *ports;     /**< static ports, in file order */
	uint32_t n_ports;
	struct vs_endpoint_spec *endpoints;
	uint32_t n_endpoints;
	bool check_only;                /**< --check: validate, print, exit */
};

/** Defaults (vs_config_defaults, node name = host name). */
void ctl_config_init(struct ctl_config *c);

/** Free the static port and endpoint arrays. */
void ctl_config_uninit(struct ctl_config *c);

/**
 * Load a YAML config file over the current values.
 * @return 0, or a negative errno with err naming file, line and field.
 */
int ctl_config_load_file(struct ctl_config *c, const char *path,
		char *err, size_t errlen);

/** The same from memory; name stands for the file name in messages. */
int ctl_config_load_string(struct ctl_config *c, const char *name,
		const char *text, size_t len, char *err, size_t errlen);

/**
 * Apply npvsd's command line: --config FILE first (loaded with
 * ctl_config_load_file), then every other flag over it, then
 * ctl_config_validate().
 * @return 0 to run, 1 when --help or --version was printed (exit 0), or a
 * negative errno with err filled.
 */
int ctl_config_from_args(struct ctl_config *c, int argc, char **argv,
		char *err, size_t errlen);

/** Cross-field checks (lcores, pod_cidr, endpoints' ports...). */
int ctl_config_validate(const struct ctl_config *c, char *err, size_t errlen);

/** Print the effective configuration as YAML (npvsd --check). */
void ctl_config_print(const struct ctl_config *c, FILE *f);

/** npvsd --help. */
void ctl_config_usage(FILE *f, const char *argv0);

/* Parsers shared with the flags (exported for tests). */
int ctl_config_parse_ip(const char *s, struct vs_ip *ip);
int ctl_config_parse_cidr(const char *s, struct vs_ip *ip, uint8_t *len);
int ctl_config_parse_mac(const char *s, uint8_t mac[6]);
/** A decimal number up to max. */
int ctl_config_parse_uint(const char *s, unsigned long max,
		unsigned long *out);
/** "1,2,4-6" -> out[]; @return the count or a negative errno. */
int ctl_config_parse_lcores(const char *s, unsigned int *out,
		unsigned int max);

#endif /* NPVS_CTL_CONFIG_H */
