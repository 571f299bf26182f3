/* cb-rtmp-error.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-rtmp-error.h"

G_DEFINE_QUARK (cb-rtmp-error-quark, cb_rtmp_error)
