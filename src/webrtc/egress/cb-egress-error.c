/* cb-egress-error.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cb-egress-error.h"

G_DEFINE_QUARK (cb-egress-error-quark, cb_egress_error)
