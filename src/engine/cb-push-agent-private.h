/* cb-push-agent-private.h — for cb-engine.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cb-engine.h"
#include "cb-push-agent.h"

G_BEGIN_DECLS

CbPushAgent *cb_push_agent_new         (CbEngine            *engine,
                                        const CbPushRequest *request,
                                        GError             **error);
void         cb_push_agent_start       (CbPushAgent         *self);
void         cb_push_agent_stop        (CbPushAgent         *self,
                                        const char          *reason);
void         cb_push_agent_set_muted   (CbPushAgent         *self,
                                        gboolean             muted);
gboolean     cb_push_agent_sound_on    (CbPushAgent         *self,
                                        const char          *path,
                                        gboolean             loop,
                                        gboolean             replace,
                                        GError             **error);
void         cb_push_agent_sound_off   (CbPushAgent         *self);
void         cb_push_agent_retry_now   (CbPushAgent         *self);

G_END_DECLS
