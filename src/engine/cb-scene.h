/* cb-scene.h — scenes: sources composed into the picture and the mix a stream carries
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CbSceneSourceKind:
 *
 * Video kinds belong to a scene; audio kinds (tone, mic, desktop) to the mixer, which
 * every scene shares.
 */
typedef enum {
  CB_SCENE_SOURCE_PATTERN,   /* location: a videotestsrc pattern name, "" for smpte */
  CB_SCENE_SOURCE_IMAGE,     /* location: a file */
  CB_SCENE_SOURCE_TEXT,      /* text, font, color */
  CB_SCENE_SOURCE_MEDIA,     /* location: a file; its picture, and its sound in the mix */
  CB_SCENE_SOURCE_CAMERA,    /* location: a device id, "" for the first camera */
  CB_SCENE_SOURCE_SCREEN,    /* the whole screen (X11); in a Wayland session the
                              * portal's, as CB_SCENE_SOURCE_PORTAL, location its token */
  CB_SCENE_SOURCE_TONE,
  CB_SCENE_SOURCE_MIC,       /* location: a device id, "" for the default microphone */
  CB_SCENE_SOURCE_DESKTOP,   /* the monitor of the output device */
  CB_SCENE_SOURCE_WINDOW,    /* location: the window's title, window_class its WM_CLASS
                              * (X11): what finds it again after a restart */
  CB_SCENE_SOURCE_PORTAL,    /* a screen or window the desktop portal lets us capture;
                              * location: the portal's restore token, "" before the
                              * first answer */
  CB_SCENE_SOURCE_APP_AUDIO, /* what one application plays (PipeWire); location: its name
                              * (CbAppAudio's), which finds it again after a restart */
  CB_SCENE_SOURCE_N_KINDS
} CbSceneSourceKind;

/* The most a crop takes off one edge, in source pixels (an 8K picture's width). */
#define CB_SCENE_MAX_CROP 7680

typedef struct {
  guint              id;        /* unique in its collection, stable across runs */
  CbSceneSourceKind  kind;
  char              *name;
  char              *location;
  char              *text;
  char              *font;      /* Pango font description */
  guint32            color;     /* 0xAARRGGBB */
  char              *window_class;  /* CB_SCENE_SOURCE_WINDOW */
  gboolean           cursor;    /* screen, window, portal: the pointer is drawn in */
  /* The box, in fractions of the output picture: the layout survives a size change. */
  double             x, y, width, height;
  /* Cut off each edge before scaling, in the source's own pixels. */
  guint              crop_left, crop_top, crop_right, crop_bottom;
  gboolean           visible;
  /* A media file: from its beginning again at its end, the stream going on; without, its
   * last frame stays. */
  gboolean           loop;
  /* Audio kinds. */
  double             volume;    /* 0 … 2, 1 as captured */
  gboolean           muted;
  gboolean           monitor;
} CbSceneSource;

typedef struct {
  char      *name;
  GPtrArray *sources;   /* CbSceneSource, bottom first */
} CbScene;

typedef struct {
  GPtrArray *scenes;    /* CbScene */
  GPtrArray *audio;     /* CbSceneSource of the audio kinds */
  guint      active;    /* index in scenes */
  guint      next_id;
} CbSceneCollection;

const char        *cb_scene_source_kind_to_string (CbSceneSourceKind kind);
gboolean           cb_scene_source_kind_from_string (const char        *text,
                                                     CbSceneSourceKind *kind);
gboolean           cb_scene_source_kind_is_audio  (CbSceneSourceKind  kind);
/* Screen, window and portal: what captures the desktop (the pointer setting). */
gboolean           cb_scene_source_kind_is_capture (CbSceneSourceKind kind);

CbSceneSource     *cb_scene_source_new       (CbSceneCollection *collection,
                                              CbSceneSourceKind  kind,
                                              const char        *name,
                                              const char        *location);
CbSceneSource     *cb_scene_source_copy      (const CbSceneSource *source);
void               cb_scene_source_free      (CbSceneSource     *source);

CbScene           *cb_scene_new              (const char        *name);
void               cb_scene_free             (CbScene           *scene);
CbSceneSource     *cb_scene_find_source      (CbScene           *scene,
                                              guint              id);

/* One scene with the test pattern, and the test tone: what a first run shows. */
CbSceneCollection *cb_scene_collection_new_default (void);
CbSceneCollection *cb_scene_collection_new   (void);
CbSceneCollection *cb_scene_collection_copy  (const CbSceneCollection *collection);
void               cb_scene_collection_free  (CbSceneCollection *collection);
CbScene           *cb_scene_collection_get_active (CbSceneCollection *collection);
/* A source of any scene or of the mixer. */
CbSceneSource     *cb_scene_collection_find_source (CbSceneCollection *collection,
                                                    guint              id);

/* JSON, as kept in the user's configuration folder (scenes.json). Loading checks every
 * value: a damaged file gives CB_ENGINE_ERROR_INVALID, never a crash. */
char              *cb_scene_collection_to_json   (const CbSceneCollection *collection);
CbSceneCollection *cb_scene_collection_from_json (const char        *json,
                                                  gssize             length,
                                                  GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbSceneCollection, cb_scene_collection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbScene, cb_scene_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbSceneSource, cb_scene_source_free)

G_END_DECLS
