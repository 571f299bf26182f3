/* cb-openapi.h — the OpenAPI document of the REST API (data/openapi.yaml, as JSON)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Generated at build time by build-aux/openapi-to-c.py; NUL-terminated. */
extern const unsigned char cb_openapi_json[];
extern const gsize         cb_openapi_json_length;

G_END_DECLS
