/* cb-level-meter.h — a small peak and RMS meter (mixer strips, the header bar)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CB_TYPE_LEVEL_METER (cb_level_meter_get_type ())
G_DECLARE_FINAL_TYPE (CbLevelMeter, cb_level_meter, CB, LEVEL_METER, GtkWidget)

GtkWidget *cb_level_meter_new          (void);
/* Levels in dBFS (as GStreamer's level element reports them; below -60 reads as silence). */
void       cb_level_meter_set_levels   (CbLevelMeter *self,
                                        double        peak_db,
                                        double        rms_db);
double     cb_level_meter_get_peak     (CbLevelMeter *self);
/* Whether the clipping mark shows: from an update whose peak reached full scale (-0.5 dBFS)
 * until the first update two seconds after the last such. */
gboolean   cb_level_meter_get_clipping (CbLevelMeter *self);

G_END_DECLS
