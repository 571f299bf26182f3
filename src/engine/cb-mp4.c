/* cb-mp4.c — a small, safe ISO-BMFF (MP4) box reader for the recorder
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recorder's files are written by mp4mux and may be cut at any byte (kill -9, a full
 * disk), so every size in a box header is checked against what is really there before
 * it is used, and nothing is ever allocated from a size read in a file except the moov box
 * of cb_mp4_probe_file(), which is bounded. The same top-level walk serves memory (the
 * fuzz target) and files (headers read with seeks).
 */
#include <gio/gio.h>
#include <string.h>

#include "cb-engine-error.h"
#include "cb-mp4.h"

#define FOURCC(a, b, c, d) \
  (((guint32) (a) << 24) | ((guint32) (b) << 16) | ((guint32) (c) << 8) | (guint32) (d))

typedef enum {
  HEADER_OK,
  HEADER_SHORT,   /* fewer bytes than the header needs: the data was cut here */
  HEADER_BAD,     /* a size smaller than its own header, or junk where a type should be */
} HeaderResult;

typedef struct {
  guint32 type;
  guint64 size;          /* the whole box, header included */
  guint   header_size;   /* 8, or 16 with a 64-bit size */
} BoxHeader;

/* A source of bytes at any offset: a memory buffer, or a seekable file stream. */
typedef struct {
  const guint8 *data;     /* memory, or NULL */
  GInputStream *stream;   /* file, or NULL */
  guint64       length;
} Reader;

/* What the moov box says about one track, and where its samples end so far. Times are in
 * the track's timescale. */
typedef struct {
  guint32  id;                /* 0: no such track */
  guint32  timescale;
  guint64  media_start;       /* the first edit's media time */
  guint64  empty;             /* empty edits before it, in the movie's timescale */
  guint32  default_duration;  /* from trex */
  guint64  end;               /* where the samples of the complete fragments end */
  guint64  pending_end;       /* the same with the fragment whose mdat is not seen yet */
  gboolean pending, seen;
} Track;

typedef struct {
  CbMp4Info *info;
  guint32  movie_timescale;
  Track    video, audio;
  gboolean unknown;           /* a moof could not be read: the ends stay unknown */
} Tracks;

static inline guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint64
read_u64 (const guint8 *p)
{
  return ((guint64) read_u32 (p) << 32) | read_u32 (p + 4);
}

static gboolean
fourcc_is_printable (guint32 type)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    {
      guint8 c = (type >> shift) & 0xff;

      if (c < 0x20 || c > 0x7e)
        return FALSE;
    }
  return TRUE;
}

/* The boxes a file may begin with: what tells an MP4 from anything else. */
static gboolean
is_first_box_type (guint32 type)
{
  switch (type)
    {
    case FOURCC ('f', 't', 'y', 'p'):
    case FOURCC ('s', 't', 'y', 'p'):
    case FOURCC ('m', 'o', 'o', 'v'):
    case FOURCC ('m', 'o', 'o', 'f'):
    case FOURCC ('m', 'd', 'a', 't'):
    case FOURCC ('f', 'r', 'e', 'e'):
    case FOURCC ('s', 'k', 'i', 'p'):
    case FOURCC ('w', 'i', 'd', 'e'):
    case FOURCC ('p', 'd', 'i', 'n'):
    case FOURCC ('s', 'i', 'd', 'x'):
      return TRUE;
    default:
      return FALSE;
    }
}

/* @p holds @avail bytes of a header (at most 16 are looked at); @remaining is how many bytes
 * the data or the parent box has from the start of this box, for a size of 0. */
static HeaderResult
parse_header (const guint8 *p,
              gsize         avail,
              guint64       remaining,
              BoxHeader    *box)
{
  guint32 size32;

  if (avail < 8)
    return HEADER_SHORT;
  size32 = read_u32 (p);
  box->type = read_u32 (p + 4);
  if (size32 == 1)
    {
      if (avail < 16)
        return HEADER_SHORT;
      box->size = read_u64 (p + 8);
      box->header_size = 16;
      if (box->size < 16)
        return HEADER_BAD;
    }
  else if (size32 == 0)
    {
      box->size = remaining;
      box->header_size = 8;
    }
  else
    {
      box->size = size32;
      box->header_size = 8;
      if (box->size < 8)
        return HEADER_BAD;
    }
  return HEADER_OK;
}

/* Iterates over the child boxes held in memory; stops at the end or at the first child
 * that does not fit in its parent. */
typedef struct {
  const guint8 *data;
  gsize         length;
  gsize         pos;
} BoxIter;

static void
box_iter_init (BoxIter      *iter,
               const guint8 *data,
               gsize         length)
{
  iter->data = data;
  iter->length = length;
  iter->pos = 0;
}

static gboolean
box_iter_next (BoxIter       *iter,
               guint32       *type,
               const guint8 **payload,
               gsize         *payload_length)
{
  gsize remaining = iter->length - iter->pos;
  BoxHeader box;

  if (parse_header (iter->data + iter->pos, MIN (remaining, 16), remaining, &box) != HEADER_OK ||
      box.size > remaining)
    return FALSE;
  *type = box.type;
  *payload = iter->data + iter->pos + box.header_size;
  *payload_length = (gsize) box.size - box.header_size;
  iter->pos += (gsize) box.size;
  return TRUE;
}

static gboolean
find_child (const guint8  *data,
            gsize          length,
            guint32        wanted,
            const guint8 **payload,
            gsize         *payload_length)
{
  BoxIter iter;
  guint32 type;

  box_iter_init (&iter, data, length);
  while (box_iter_next (&iter, &type, payload, payload_length))
    if (type == wanted)
      return TRUE;
  return FALSE;
}

static void
parse_mvhd (const guint8 *p,
            gsize         length,
            CbMp4Info    *info,
            Tracks       *tracks)
{
  guint64 duration, seconds;
  guint32 timescale;

  if (length >= 32 && p[0] == 1)
    tracks->movie_timescale = read_u32 (p + 20);
  else if (length >= 20)
    tracks->movie_timescale = read_u32 (p + 12);
  if (length >= 20 && p[0] == 0)
    {
      timescale = read_u32 (p + 12);
      duration = read_u32 (p + 16);
      if (duration == G_MAXUINT32)
        return;   /* "unknown" */
    }
  else if (length >= 32 && p[0] == 1)
    {
      timescale = read_u32 (p + 20);
      duration = read_u64 (p + 24);
      if (duration == G_MAXUINT64)
        return;
    }
  else
    {
      return;
    }
  if (timescale == 0)
    return;
  /* In two parts, so that no product overflows. */
  seconds = duration / timescale;
  if (seconds > (guint64) G_MAXINT64 / 1000 - 1)
    return;
  info->duration_ms = (gint64) (seconds * 1000 + (duration % timescale) * 1000 / timescale);
}

/* The track's ID (tkhd), timescale (mdhd) and first edits (elst) into @track. */
static void
parse_track_timing (const guint8 *trak,
                    gsize         trak_len,
                    const guint8 *mdia,
                    gsize         mdia_len,
                    Track        *track)
{
  const guint8 *tkhd, *mdhd, *edts, *elst;
  gsize tkhd_len, mdhd_len, edts_len, elst_len;

  if (!find_child (trak, trak_len, FOURCC ('t', 'k', 'h', 'd'), &tkhd, &tkhd_len) ||
      !find_child (mdia, mdia_len, FOURCC ('m', 'd', 'h', 'd'), &mdhd, &mdhd_len))
    return;
  if (tkhd_len >= 24 && tkhd[0] == 1)
    track->id = read_u32 (tkhd + 20);
  else if (tkhd_len >= 16)
    track->id = read_u32 (tkhd + 12);
  if (mdhd_len >= 24 && mdhd[0] == 1)
    track->timescale = read_u32 (mdhd + 20);
  else if (mdhd_len >= 16)
    track->timescale = read_u32 (mdhd + 12);
  if (track->timescale == 0)
    track->id = 0;

  /* Empty edits (media time -1) shift the track later; the first other one says where its
   * media starts. */
  if (find_child (trak, trak_len, FOURCC ('e', 'd', 't', 's'), &edts, &edts_len) &&
      find_child (edts, edts_len, FOURCC ('e', 'l', 's', 't'), &elst, &elst_len) &&
      elst_len >= 8)
    {
      gsize entry_size = elst[0] == 1 ? 20 : 12;
      guint32 count = read_u32 (elst + 4);

      for (gsize i = 0; i < count && 8 + (i + 1) * entry_size <= elst_len; i++)
        {
          const guint8 *e = elst + 8 + i * entry_size;
          guint64 duration = elst[0] == 1 ? read_u64 (e) : read_u32 (e);
          gint64 media_time = elst[0] == 1 ? (gint64) read_u64 (e + 8)
                                           : (gint64) (gint32) read_u32 (e + 4);

          if (media_time < 0)
            {
              track->empty += duration;
              continue;
            }
          track->media_start = (guint64) media_time;
          break;
        }
    }
}

static void
parse_trak (const guint8 *p,
            gsize         length,
            Tracks       *tracks)
{
  CbMp4Info *info = tracks->info;
  const guint8 *mdia, *hdlr, *minf, *stbl, *stsd;
  gsize mdia_len, hdlr_len, minf_len, stbl_len, stsd_len;
  guint32 handler, entry = 0;

  if (!find_child (p, length, FOURCC ('m', 'd', 'i', 'a'), &mdia, &mdia_len) ||
      !find_child (mdia, mdia_len, FOURCC ('h', 'd', 'l', 'r'), &hdlr, &hdlr_len) ||
      hdlr_len < 12)
    return;
  /* version and flags, pre_defined, then the handler type */
  handler = read_u32 (hdlr + 8);

  /* The codec is the type of the first sample entry: stsd has version and flags, an entry
   * count, then the entries as boxes. */
  if (find_child (mdia, mdia_len, FOURCC ('m', 'i', 'n', 'f'), &minf, &minf_len) &&
      find_child (minf, minf_len, FOURCC ('s', 't', 'b', 'l'), &stbl, &stbl_len) &&
      find_child (stbl, stbl_len, FOURCC ('s', 't', 's', 'd'), &stsd, &stsd_len) &&
      stsd_len >= 16 && read_u32 (stsd + 4) > 0)
    {
      guint32 entry_size = read_u32 (stsd + 8);

      if (entry_size == 0 || (entry_size >= 8 && entry_size <= stsd_len - 8))
        entry = read_u32 (stsd + 12);
    }

  if (handler == FOURCC ('v', 'i', 'd', 'e') && !info->has_video)
    {
      info->has_video = TRUE;
      parse_track_timing (p, length, mdia, mdia_len, &tracks->video);
      if (entry == FOURCC ('a', 'v', 'c', '1') || entry == FOURCC ('a', 'v', 'c', '3'))
        g_strlcpy (info->video_codec, "H264", sizeof info->video_codec);
      else if (entry == FOURCC ('v', 'p', '0', '8'))
        g_strlcpy (info->video_codec, "VP8", sizeof info->video_codec);
    }
  else if (handler == FOURCC ('s', 'o', 'u', 'n') && !info->has_audio)
    {
      info->has_audio = TRUE;
      parse_track_timing (p, length, mdia, mdia_len, &tracks->audio);
      if (entry == FOURCC ('m', 'p', '4', 'a'))
        g_strlcpy (info->audio_codec, "mpeg4-generic", sizeof info->audio_codec);
      else if (entry == FOURCC ('O', 'p', 'u', 's'))
        g_strlcpy (info->audio_codec, "opus", sizeof info->audio_codec);
    }
}

static Track *
track_by_id (Tracks  *tracks,
             guint32  id)
{
  if (id != 0 && tracks->video.id == id)
    return &tracks->video;
  if (id != 0 && tracks->audio.id == id)
    return &tracks->audio;
  return NULL;
}

typedef void (*ChildFunc) (const guint8 *payload,
                           gsize         payload_length,
                           Tracks       *tracks);

/* Calls @func on each child box of type @wanted. */
static void
each_child (const guint8 *p,
            gsize         length,
            guint32       wanted,
            ChildFunc     func,
            Tracks       *tracks)
{
  BoxIter iter;
  const guint8 *payload;
  gsize payload_length;
  guint32 type;

  box_iter_init (&iter, p, length);
  while (box_iter_next (&iter, &type, &payload, &payload_length))
    if (type == wanted)
      func (payload, payload_length, tracks);
}

/* mvex's trex: a track's default sample duration. */
static void
parse_trex (const guint8 *trex,
            gsize         trex_len,
            Tracks       *tracks)
{
  Track *track;

  if (trex_len >= 16 && (track = track_by_id (tracks, read_u32 (trex + 4))) != NULL)
    track->default_duration = read_u32 (trex + 12);
}

static void
parse_moov (const guint8 *p,
            gsize         length,
            Tracks       *tracks)
{
  const guint8 *payload;
  gsize payload_length;

  if (find_child (p, length, FOURCC ('m', 'v', 'h', 'd'), &payload, &payload_length))
    parse_mvhd (payload, payload_length, tracks->info, tracks);
  each_child (p, length, FOURCC ('t', 'r', 'a', 'k'), parse_trak, tracks);
  /* After the traks, which trex names. */
  if (find_child (p, length, FOURCC ('m', 'v', 'e', 'x'), &payload, &payload_length))
    {
      tracks->info->fragmented = TRUE;
      each_child (payload, payload_length, FOURCC ('t', 'r', 'e', 'x'), parse_trex, tracks);
    }
}

/* One traf: where its track's samples end once this fragment is complete. */
static void
parse_traf (const guint8 *p,
            gsize         length,
            Tracks       *tracks)
{
  const guint8 *tfhd, *tfdt, *payload;
  gsize tfhd_len, tfdt_len, payload_length;
  guint32 flags, type, default_duration;
  guint64 end;
  gsize pos = 8;
  BoxIter iter;
  Track *track;

  if (!find_child (p, length, FOURCC ('t', 'f', 'h', 'd'), &tfhd, &tfhd_len) || tfhd_len < 8 ||
      (track = track_by_id (tracks, read_u32 (tfhd + 4))) == NULL)
    return;
  flags = read_u32 (tfhd) & 0xffffff;
  default_duration = track->default_duration;
  if (flags & 0x1)
    pos += 8;   /* base data offset */
  if (flags & 0x2)
    pos += 4;   /* sample description index */
  if ((flags & 0x8) && tfhd_len >= pos + 4)
    default_duration = read_u32 (tfhd + pos);

  end = track->end;
  if (find_child (p, length, FOURCC ('t', 'f', 'd', 't'), &tfdt, &tfdt_len))
    {
      if (tfdt_len >= 12 && tfdt[0] == 1)
        end = read_u64 (tfdt + 4);
      else if (tfdt_len >= 8)
        end = read_u32 (tfdt + 4);
    }

  box_iter_init (&iter, p, length);
  while (box_iter_next (&iter, &type, &payload, &payload_length))
    {
      guint32 trun_flags, count;
      gsize sample_size, at = 8;

      if (type != FOURCC ('t', 'r', 'u', 'n') || payload_length < 8)
        continue;
      trun_flags = read_u32 (payload) & 0xffffff;
      count = read_u32 (payload + 4);
      if (trun_flags & 0x1)
        at += 4;   /* data offset */
      if (trun_flags & 0x4)
        at += 4;   /* first sample flags */
      sample_size = 4 * (((trun_flags & 0x100) != 0) + ((trun_flags & 0x200) != 0) +
                         ((trun_flags & 0x400) != 0) + ((trun_flags & 0x800) != 0));
      if (!(trun_flags & 0x100))
        {
          end += (guint64) count * default_duration;
          continue;
        }
      for (guint32 i = 0; i < count && at + 4 <= payload_length; i++, at += sample_size)
        end += read_u32 (payload + at);
    }
  track->pending_end = end;
  track->pending = TRUE;
}

/* A complete fragment: its ends count. */
static void
commit_fragment (Tracks *tracks)
{
  Track *all[] = { &tracks->video, &tracks->audio };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (all[i]->pending)
      {
        all[i]->end = all[i]->pending_end;
        all[i]->pending = FALSE;
        all[i]->seen = TRUE;
      }
}

/* @value in @timescale as nanoseconds, or -1 when it does not fit. */
static gint64
to_ns (guint64 value,
       guint32 timescale)
{
  guint64 seconds;

  if (timescale == 0)
    return -1;
  seconds = value / timescale;
  if (seconds > (guint64) G_MAXINT64 / G_GUINT64_CONSTANT (1000000000) - 2)
    return -1;
  return (gint64) (seconds * 1000000000 + (value % timescale) * 1000000000 / timescale);
}

static gint64
track_end_ns (const Tracks *tracks,
              const Track  *track)
{
  gint64 end, empty;

  if (tracks->unknown || !track->seen)
    return -1;
  end = to_ns (track->end > track->media_start ? track->end - track->media_start : 0,
               track->timescale);
  empty = track->empty > 0 ? to_ns (track->empty, tracks->movie_timescale) : 0;
  if (end < 0 || empty < 0 || end > G_MAXINT64 - empty)
    return -1;
  return end + empty;
}

static void
info_init (CbMp4Info *info)
{
  memset (info, 0, sizeof *info);
  info->duration_ms = -1;
  info->video_end_ns = -1;
  info->audio_end_ns = -1;
}

static gboolean
reader_read (Reader   *reader,
             guint64   offset,
             guint8   *buffer,
             gsize     length,
             GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize done = 0;

  g_assert (offset + length <= reader->length);
  if (reader->data != NULL)
    {
      memcpy (buffer, reader->data + offset, length);
      return TRUE;
    }
  if (!g_seekable_seek (G_SEEKABLE (reader->stream), (goffset) offset, G_SEEK_SET, NULL,
                        &local_error) ||
      !g_input_stream_read_all (reader->stream, buffer, length, &done, NULL, &local_error))
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED, "Cannot read the file: %s",
                   local_error->message);
      return FALSE;
    }
  if (done != length)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_FAILED,
                   "The file became shorter while it was read");
      return FALSE;
    }
  return TRUE;
}

/* The @length bytes at @offset: in place for memory, else read into *@copy. FALSE with
 * @error when they cannot be read; TRUE with NULL when they are over @max. */
static gboolean
reader_load (Reader        *reader,
             guint64        offset,
             guint64        length,
             guint64        max,
             guint8       **copy,
             const guint8 **data,
             GError       **error)
{
  *data = NULL;
  if (reader->data != NULL)
    {
      *data = reader->data + offset;
      return TRUE;
    }
  if (length > max)
    return TRUE;
  *copy = g_malloc (MAX (length, 1));
  if (!reader_read (reader, offset, *copy, (gsize) length, error))
    return FALSE;
  *data = *copy;
  return TRUE;
}

/* A moov box, or a moof box: a moof over %CB_MP4_MAX_MOOF_SIZE leaves the track ends
 * unknown, a moov over %CB_MP4_MAX_MOOV_SIZE is an error. */
static gboolean
reader_parse_box (Reader     *reader,
                  guint32     type,
                  guint64     offset,
                  guint64     length,
                  Tracks     *tracks,
                  GError    **error)
{
  gboolean moov = type == FOURCC ('m', 'o', 'o', 'v');
  g_autofree guint8 *copy = NULL;
  const guint8 *data;

  if (!moov && (tracks->unknown || (tracks->video.id == 0 && tracks->audio.id == 0)))
    return TRUE;
  if (!reader_load (reader, offset, length, moov ? CB_MP4_MAX_MOOV_SIZE : CB_MP4_MAX_MOOF_SIZE,
                    &copy, &data, error))
    return FALSE;
  if (data == NULL && moov)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_BAD_FORMAT,
                   "The moov box is too large (%" G_GUINT64_FORMAT " bytes)", length);
      return FALSE;
    }
  if (data == NULL)
    tracks->unknown = TRUE;
  else if (moov)
    parse_moov (data, (gsize) length, tracks);
  else
    each_child (data, (gsize) length, FOURCC ('t', 'r', 'a', 'f'), parse_traf, tracks);
  return TRUE;
}

static gboolean
walk (Reader     *reader,
      CbMp4Info  *info,
      GError    **error)
{
  guint64 offset = 0;
  gboolean seen_mdat = FALSE, seen_moov = FALSE;
  gboolean fragment_open = FALSE;   /* a moof whose mdat has not been seen complete */
  Tracks tracks = { .info = info };

  if (reader->length == 0)
    {
      g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID, "Not an MP4 file: it is empty");
      return FALSE;
    }

  while (offset < reader->length)
    {
      guint64 remaining = reader->length - offset;
      gsize avail = (gsize) MIN (remaining, 16);
      guint8 header[16];
      HeaderResult result;
      BoxHeader box;

      if (!reader_read (reader, offset, header, avail, error))
        return FALSE;
      result = parse_header (header, avail, remaining, &box);
      if (offset == 0 && (result != HEADER_OK || !is_first_box_type (box.type)))
        {
          g_set_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID,
                       result == HEADER_SHORT ? "Not an MP4 file: it is too short"
                                              : "Not an MP4 file: no MP4 box at its start");
          return FALSE;
        }
      /* A header cut short, or junk after the boxes: the file is complete up to here. */
      if (result != HEADER_OK || !fourcc_is_printable (box.type) || box.size > remaining)
        break;

      switch (box.type)
        {
        case FOURCC ('m', 'o', 'o', 'v'):
          if (!seen_moov)
            {
              seen_moov = TRUE;
              info->faststart = !seen_mdat;
              if (!reader_parse_box (reader, box.type, offset + box.header_size,
                                     box.size - box.header_size, &tracks, error))
                return FALSE;
            }
          break;
        case FOURCC ('m', 'o', 'o', 'f'):
          info->fragmented = TRUE;
          fragment_open = TRUE;
          if (!reader_parse_box (reader, box.type, offset + box.header_size,
                                 box.size - box.header_size, &tracks, error))
            return FALSE;
          break;
        case FOURCC ('m', 'd', 'a', 't'):
          seen_mdat = TRUE;
          if (fragment_open)
            commit_fragment (&tracks);
          fragment_open = FALSE;
          break;
        default:
          break;
        }
      if (!fragment_open)
        info->complete_length = offset + box.size;
      offset += box.size;
    }

  if (info->fragmented)
    {
      info->duration_ms = -1;
      info->video_end_ns = track_end_ns (&tracks, &tracks.video);
      info->audio_end_ns = track_end_ns (&tracks, &tracks.audio);
    }
  return TRUE;
}

gboolean
cb_mp4_parse (const guint8  *data,
              gsize          length,
              CbMp4Info     *info,
              GError       **error)
{
  Reader reader = { .data = data, .length = length };

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info_init (info);
  if (length == 0)
    reader.data = (const guint8 *) "";
  if (!walk (&reader, info, error))
    {
      info_init (info);
      return FALSE;
    }
  return TRUE;
}

gboolean
cb_mp4_probe_file (const char  *path,
                   CbMp4Info   *info,
                   GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) file_info = NULL;
  g_autoptr(GError) local_error = NULL;
  Reader reader = { NULL, };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  info_init (info);
  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, &local_error);
  if (stream != NULL)
    file_info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL,
                                                &local_error);
  if (file_info == NULL)
    {
      g_set_error (error, CB_ENGINE_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                     ? CB_ENGINE_ERROR_FILE_NOT_FOUND : CB_ENGINE_ERROR_FAILED,
                   "Cannot read %s: %s", path, local_error->message);
      return FALSE;
    }
  reader.stream = G_INPUT_STREAM (stream);
  reader.length = (guint64) MAX (g_file_info_get_size (file_info), 0);
  if (!walk (&reader, info, error))
    {
      info_init (info);
      return FALSE;
    }
  return TRUE;
}
