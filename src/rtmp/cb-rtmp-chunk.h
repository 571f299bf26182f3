/* cb-rtmp-chunk.h — RTMP messages, chunk stream reader and writer, protocol control
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "cb-rtmp-error.h"

G_BEGIN_DECLS

/**
 * CbRtmpMessageType:
 *
 * RTMP message type ids (Adobe RTMP specification 1.0, sections 5.4, 6 and 7).
 */
typedef enum {
  CB_RTMP_MSG_SET_CHUNK_SIZE        = 1,
  CB_RTMP_MSG_ABORT                 = 2,
  CB_RTMP_MSG_ACKNOWLEDGEMENT       = 3,
  CB_RTMP_MSG_USER_CONTROL          = 4,
  CB_RTMP_MSG_WINDOW_ACK_SIZE       = 5,
  CB_RTMP_MSG_SET_PEER_BANDWIDTH    = 6,
  CB_RTMP_MSG_AUDIO                 = 8,
  CB_RTMP_MSG_VIDEO                 = 9,
  CB_RTMP_MSG_DATA_AMF3             = 15,
  CB_RTMP_MSG_SHARED_OBJECT_AMF3    = 16,
  CB_RTMP_MSG_COMMAND_AMF3          = 17,
  CB_RTMP_MSG_DATA_AMF0             = 18,
  CB_RTMP_MSG_SHARED_OBJECT_AMF0    = 19,
  CB_RTMP_MSG_COMMAND_AMF0          = 20,
  CB_RTMP_MSG_AGGREGATE             = 22,
} CbRtmpMessageType;

/**
 * CbRtmpUserControlEvent:
 *
 * Events of User Control messages (type 4).
 */
typedef enum {
  CB_RTMP_USER_STREAM_BEGIN         = 0,
  CB_RTMP_USER_STREAM_EOF           = 1,
  CB_RTMP_USER_STREAM_DRY           = 2,
  CB_RTMP_USER_SET_BUFFER_LENGTH    = 3,
  CB_RTMP_USER_STREAM_IS_RECORDED   = 4,
  CB_RTMP_USER_PING_REQUEST         = 6,
  CB_RTMP_USER_PING_RESPONSE        = 7,
} CbRtmpUserControlEvent;

/* Limit types of Set Peer Bandwidth. */
#define CB_RTMP_LIMIT_HARD    0
#define CB_RTMP_LIMIT_SOFT    1
#define CB_RTMP_LIMIT_DYNAMIC 2

/* Chunk stream ids we send on; a peer may use any id in 2..65599. */
#define CB_RTMP_CSID_CONTROL  2
#define CB_RTMP_CSID_COMMAND  3
#define CB_RTMP_CSID_AUDIO    4
#define CB_RTMP_CSID_DATA     5
#define CB_RTMP_CSID_VIDEO    6
#define CB_RTMP_CSID_MAX      65599

/* The chunk stream id media of @type_id (audio 8, video 9, data 18) goes out on. */
guint32         cb_rtmp_media_csid                 (guint8              type_id);

#define CB_RTMP_DEFAULT_CHUNK_SIZE  128
#define CB_RTMP_MAX_CHUNK_SIZE      0x7fffffffu
/* Default largest message the reader accepts (the 24-bit length field would allow 16 MiB - 1):
 * far above any keyframe of a live stream, far below what hurts. */
#define CB_RTMP_DEFAULT_MAX_MESSAGE_SIZE (8u * 1024 * 1024)
/* Most bytes of incomplete messages the reader holds over all chunk streams at once. */
#define CB_RTMP_MAX_PARTIAL_BYTES        (32u * 1024 * 1024)

/**
 * CbRtmpMessage:
 * @csid: the chunk stream id it arrived on, or is to be sent on
 * @type_id: a #CbRtmpMessageType
 * @stream_id: the message stream id (0 for control and NetConnection commands)
 * @timestamp: the absolute timestamp in milliseconds (wraps at 2^32)
 * @payload: the message body
 */
typedef struct {
  guint32  csid;
  guint8   type_id;
  guint32  stream_id;
  guint32  timestamp;
  GBytes  *payload;
} CbRtmpMessage;

CbRtmpMessage  *cb_rtmp_message_new             (guint32             csid,
                                                 guint8              type_id,
                                                 guint32             stream_id,
                                                 guint32             timestamp,
                                                 GBytes             *payload);
CbRtmpMessage  *cb_rtmp_message_new_from_data   (guint32             csid,
                                                 guint8              type_id,
                                                 guint32             stream_id,
                                                 guint32             timestamp,
                                                 const guint8       *data,
                                                 gsize               len);
const guint8   *cb_rtmp_message_get_data        (const CbRtmpMessage *message,
                                                 gsize              *len);
void            cb_rtmp_message_free            (CbRtmpMessage      *message);
const char     *cb_rtmp_message_type_to_string  (guint8              type_id);

/* Protocol control and user control messages: builders (csid 2, message stream 0). */
CbRtmpMessage  *cb_rtmp_message_new_set_chunk_size     (guint32       chunk_size);
CbRtmpMessage  *cb_rtmp_message_new_abort              (guint32       csid);
CbRtmpMessage  *cb_rtmp_message_new_acknowledgement    (guint32       sequence_number);
CbRtmpMessage  *cb_rtmp_message_new_window_ack_size    (guint32       window);
CbRtmpMessage  *cb_rtmp_message_new_set_peer_bandwidth (guint32       window,
                                                        guint8        limit_type);
CbRtmpMessage  *cb_rtmp_message_new_user_control       (CbRtmpUserControlEvent event,
                                                        guint32       value);
CbRtmpMessage  *cb_rtmp_message_new_set_buffer_length  (guint32       stream_id,
                                                        guint32       buffer_ms);

/**
 * CbRtmpUserControl:
 * @event: a #CbRtmpUserControlEvent (or an unknown value, reported as is)
 * @value: the stream id, or the timestamp of a ping
 * @value2: the buffer length in ms of SetBufferLength, else 0
 */
typedef struct {
  guint16 event;
  guint32 value;
  guint32 value2;
} CbRtmpUserControl;

gboolean        cb_rtmp_control_parse_u32              (const CbRtmpMessage *message,
                                                        guint32       *value,
                                                        GError       **error);
gboolean        cb_rtmp_control_parse_set_peer_bandwidth (const CbRtmpMessage *message,
                                                        guint32       *window,
                                                        guint8        *limit_type,
                                                        GError       **error);
gboolean        cb_rtmp_control_parse_user_control     (const CbRtmpMessage *message,
                                                        CbRtmpUserControl *out,
                                                        GError       **error);

/* Chunk stream reader. */
typedef struct _CbRtmpChunkReader CbRtmpChunkReader;

CbRtmpChunkReader *cb_rtmp_chunk_reader_new        (void);
void            cb_rtmp_chunk_reader_free          (CbRtmpChunkReader  *reader);
void            cb_rtmp_chunk_reader_set_max_message_size (CbRtmpChunkReader *reader,
                                                    guint32             max_size);
void            cb_rtmp_chunk_reader_feed          (CbRtmpChunkReader  *reader,
                                                    const guint8       *data,
                                                    gsize               len);
gboolean        cb_rtmp_chunk_reader_next          (CbRtmpChunkReader  *reader,
                                                    CbRtmpMessage     **out,
                                                    GError            **error);
guint32         cb_rtmp_chunk_reader_get_chunk_size (CbRtmpChunkReader *reader);
gsize           cb_rtmp_chunk_reader_get_buffered  (CbRtmpChunkReader  *reader);

/* Chunk stream writer. */
typedef struct _CbRtmpChunkWriter CbRtmpChunkWriter;

CbRtmpChunkWriter *cb_rtmp_chunk_writer_new        (void);
void            cb_rtmp_chunk_writer_free          (CbRtmpChunkWriter  *writer);
guint32         cb_rtmp_chunk_writer_get_chunk_size (CbRtmpChunkWriter *writer);
gboolean        cb_rtmp_chunk_writer_write         (CbRtmpChunkWriter  *writer,
                                                    const CbRtmpMessage *message,
                                                    GByteArray         *out,
                                                    GError            **error);
gboolean        cb_rtmp_chunk_writer_write_set_chunk_size (CbRtmpChunkWriter *writer,
                                                    guint32             chunk_size,
                                                    GByteArray         *out,
                                                    GError            **error);
void            cb_rtmp_chunk_writer_reset_stream  (CbRtmpChunkWriter  *writer,
                                                    guint32             csid);

/**
 * CbRtmpChunkForm:
 *
 * The shared outgoing form of one message: its chunks for one chunk size, described once
 * as slices of the payload with the type 3 headers between them (no copy) and
 * reference-counted, so that every session sending the message writes the same bytes
 * and adds only its own first chunk's header (cb_rtmp_chunk_writer_write_form()).
 */
typedef struct _CbRtmpChunkForm CbRtmpChunkForm;

CbRtmpChunkForm *cb_rtmp_chunk_form_new            (const CbRtmpMessage *message,
                                                    guint32             chunk_size,
                                                    GError            **error);
CbRtmpChunkForm *cb_rtmp_chunk_form_ref            (CbRtmpChunkForm    *form);
void            cb_rtmp_chunk_form_unref           (CbRtmpChunkForm    *form);
guint32         cb_rtmp_chunk_form_get_chunk_size  (const CbRtmpChunkForm *form);
guint32         cb_rtmp_chunk_form_get_timestamp   (const CbRtmpChunkForm *form);
guint32         cb_rtmp_chunk_form_get_stream_id   (const CbRtmpChunkForm *form);
guint8          cb_rtmp_chunk_form_get_type_id     (const CbRtmpChunkForm *form);
guint           cb_rtmp_chunk_form_get_n_pieces    (const CbRtmpChunkForm *form);
const guint8   *cb_rtmp_chunk_form_get_piece       (const CbRtmpChunkForm *form,
                                                    guint               i,
                                                    gsize              *offset,
                                                    gsize              *len);
GBytes         *cb_rtmp_chunk_form_get_payload     (const CbRtmpChunkForm *form);
void            cb_rtmp_chunk_form_append_body     (const CbRtmpChunkForm *form,
                                                    GBytes             *own,
                                                    GByteArray         *out);
GBytes         *cb_rtmp_chunk_writer_write_form    (CbRtmpChunkWriter  *writer,
                                                    const CbRtmpChunkForm *form,
                                                    guint32             stream_id,
                                                    guint32             timestamp,
                                                    GByteArray         *header);

/**
 * CbRtmpAckCounter:
 *
 * Acknowledgement bookkeeping of the receiving side: count the bytes read from the socket
 * (handshake included) and send an Acknowledgement whenever cb_rtmp_ack_counter_add()
 * says so. Plain data: embed it, no free.
 */
typedef struct {
  guint32 window;
  guint64 received;
  guint64 last_ack;
} CbRtmpAckCounter;

void            cb_rtmp_ack_counter_init           (CbRtmpAckCounter   *counter,
                                                    guint32             window);
void            cb_rtmp_ack_counter_set_window     (CbRtmpAckCounter   *counter,
                                                    guint32             window);
gboolean        cb_rtmp_ack_counter_add            (CbRtmpAckCounter   *counter,
                                                    gsize               n_bytes,
                                                    guint32            *sequence_number);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpMessage, cb_rtmp_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpChunkReader, cb_rtmp_chunk_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpChunkWriter, cb_rtmp_chunk_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CbRtmpChunkForm, cb_rtmp_chunk_form_unref)

G_END_DECLS
