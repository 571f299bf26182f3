/* fuzz-chunk.c — chunk stream reader fed in pieces; every message is parsed by the parser
 * of its type and sent back through a writer and a fresh reader
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Input: one control byte (piece size 1..32 in the low 5 bits; bit 5 lowers the message
 * size limit), then the chunk stream.
 *
 * The rewrite is also made from the shared outgoing form (CbRtmpChunkForm) and must be
 * the writer's own bytes, byte for byte, twice in a row (a type 0, then a type 1 or 2
 * header) and for another chunk size.
 */
#include "cb-amf0.h"
#include "cb-flv.h"
#include "cb-rtmp-chunk.h"
#include "fuzz-common.h"

#include <string.h>

static void
parse_by_type (const CbRtmpMessage *msg)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = cb_rtmp_message_get_data (msg, &len);
  gboolean ok = TRUE;

  switch (msg->type_id)
    {
    case CB_RTMP_MSG_SET_CHUNK_SIZE:
    case CB_RTMP_MSG_ABORT:
    case CB_RTMP_MSG_ACKNOWLEDGEMENT:
    case CB_RTMP_MSG_WINDOW_ACK_SIZE:
      ok = cb_rtmp_control_parse_u32 (msg, NULL, &error);
      break;
    case CB_RTMP_MSG_SET_PEER_BANDWIDTH:
      ok = cb_rtmp_control_parse_set_peer_bandwidth (msg, NULL, NULL, &error);
      break;
    case CB_RTMP_MSG_USER_CONTROL:
      {
        CbRtmpUserControl uc;

        ok = cb_rtmp_control_parse_user_control (msg, &uc, &error);
      }
      break;
    case CB_RTMP_MSG_AUDIO:
      {
        CbFlvAudioTag tag;

        ok = cb_flv_audio_tag_parse (data, len, &tag, &error);
        if (ok)
          FUZZ_CHECK (tag.data + tag.size == data + len);
      }
      break;
    case CB_RTMP_MSG_VIDEO:
      {
        CbFlvVideoTag tag;

        ok = cb_flv_video_tag_parse (data, len, &tag, &error);
        if (ok)
          FUZZ_CHECK (tag.data + tag.size == data + len);
      }
      break;
    case CB_RTMP_MSG_COMMAND_AMF0:
      {
        g_autoptr(CbAmf0Command) cmd = cb_amf0_command_decode (data, len, &error);

        ok = cmd != NULL;
      }
      break;
    case CB_RTMP_MSG_DATA_AMF0:
      {
        g_autoptr(GPtrArray) values = cb_amf0_decode_all (data, len, &error);

        ok = values != NULL;
      }
      break;
    default:
      break;
    }
  if (!ok)
    FUZZ_CHECK_ERROR (error);
}

static void
check_rewrite (const CbRtmpMessage *msg)
{
  g_autoptr(CbRtmpChunkWriter) writer = cb_rtmp_chunk_writer_new ();
  g_autoptr(CbRtmpChunkReader) reader = cb_rtmp_chunk_reader_new ();
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CbRtmpMessage) back = NULL;

  /* Control messages change the reader's state; only the framing is checked here. */
  if (msg->type_id == CB_RTMP_MSG_SET_CHUNK_SIZE || msg->type_id == CB_RTMP_MSG_ABORT)
    return;
  FUZZ_CHECK (cb_rtmp_chunk_writer_write (writer, msg, wire, &error));
  cb_rtmp_chunk_reader_feed (reader, wire->data, wire->len);
  FUZZ_CHECK (cb_rtmp_chunk_reader_next (reader, &back, &error));
  FUZZ_CHECK (back != NULL);
  FUZZ_CHECK (back->csid == msg->csid);
  FUZZ_CHECK (back->type_id == msg->type_id);
  FUZZ_CHECK (back->stream_id == msg->stream_id);
  FUZZ_CHECK (back->timestamp == msg->timestamp);
  FUZZ_CHECK (g_bytes_equal (back->payload, msg->payload));
  FUZZ_CHECK (cb_rtmp_chunk_reader_get_buffered (reader) == 0);
}

static void
check_form (const CbRtmpMessage *msg,
            guint32              chunk_size)
{
  g_autoptr(CbRtmpChunkWriter) plain = cb_rtmp_chunk_writer_new ();
  g_autoptr(CbRtmpChunkWriter) formed = cb_rtmp_chunk_writer_new ();
  g_autoptr(GByteArray) want = g_byte_array_new ();
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(CbRtmpChunkForm) form = NULL;
  g_autoptr(GError) error = NULL;

  if (chunk_size != CB_RTMP_DEFAULT_CHUNK_SIZE)
    {
      FUZZ_CHECK (cb_rtmp_chunk_writer_write_set_chunk_size (plain, chunk_size, want, &error));
      FUZZ_CHECK (cb_rtmp_chunk_writer_write_set_chunk_size (formed, chunk_size, got, &error));
    }
  form = cb_rtmp_chunk_form_new (msg, chunk_size, &error);
  FUZZ_CHECK (form != NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CbRtmpMessage) again = cb_rtmp_message_new (msg->csid, msg->type_id,
                                                            msg->stream_id,
                                                            msg->timestamp + i * 33,
                                                            msg->payload);
      g_autoptr(GBytes) own = NULL;

      FUZZ_CHECK (cb_rtmp_chunk_writer_write (plain, again, want, &error));
      own = cb_rtmp_chunk_writer_write_form (formed, form, again->stream_id, again->timestamp,
                                             got);
      cb_rtmp_chunk_form_append_body (form, own, got);
    }
  FUZZ_CHECK (want->len == got->len && memcmp (want->data, got->data, want->len) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(CbRtmpChunkReader) reader = NULL;
  gsize step, off;

  if (size < 1)
    return 0;
  step = (data[0] & 0x1f) + 1;
  reader = cb_rtmp_chunk_reader_new ();
  if (data[0] & 0x20)
    cb_rtmp_chunk_reader_set_max_message_size (reader, 300);
  data++;
  size--;

  for (off = 0; off < size; off += step)
    {
      cb_rtmp_chunk_reader_feed (reader, data + off, MIN (step, size - off));
      for (;;)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(CbRtmpMessage) msg = NULL;

          if (!cb_rtmp_chunk_reader_next (reader, &msg, &error))
            {
              FUZZ_CHECK_ERROR (error);
              FUZZ_CHECK (error->code != CB_RTMP_ERROR_TRUNCATED);
              FUZZ_CHECK (msg == NULL);
              return 0;
            }
          if (msg == NULL)
            break;
          FUZZ_CHECK (msg->csid >= 2 && msg->csid <= CB_RTMP_CSID_MAX);
          FUZZ_CHECK (cb_rtmp_chunk_reader_get_chunk_size (reader) >= 1);
          parse_by_type (msg);
          check_rewrite (msg);
          check_form (msg, CB_RTMP_DEFAULT_CHUNK_SIZE);
          check_form (msg, 4096);
        }
    }
  return 0;
}
