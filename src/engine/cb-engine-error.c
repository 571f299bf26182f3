/* cb-engine-error.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-engine-error.h"

G_DEFINE_QUARK (cb-engine-error-quark, cb_engine_error)
G_DEFINE_QUARK (cb-capture-error-quark, cb_capture_error)
G_DEFINE_QUARK (cb-source-error-quark, cb_source_error)
