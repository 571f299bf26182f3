/* cb-record-download.h — GET /client/records/<name>: recordings over HTTP, with Range
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include "cb-engine.h"

G_BEGIN_DECLS

/* Serves finished recordings, and the one a recorder writes under that name now (up to
 * its last fragment). @engine must outlive @http. */
void cb_record_download_register (SoupServer *http,
                                  CbEngine   *engine);

G_END_DECLS
