/* test-record-name.c — recording file names from WCS templates, and record_rotation
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "cb-engine-error.h"
#include "cb-record-name.h"

/* 2024-05-01 13:45:07.123 UTC, and 61.877 s later. The tests run with TZ=UTC. */
#define START_MS G_GINT64_CONSTANT (1714571107123)
#define END_MS   G_GINT64_CONSTANT (1714571169000)

static const CbRecordNameParts all_parts = {
  .stream_name = "cam1",
  .session_id = "sess-1",
  .media_session_id = "ms-2",
  .login = "alice",
  .audio_codec = "opus",
  .video_codec = "H264",
  .start_ms = START_MS,
  .end_ms = END_MS,
};

typedef struct {
  const char *template_;
  const char *stream_name;   /* replaces "cam1" when not NULL */
  gboolean    ongoing;       /* end_ms -1 */
  gboolean    no_strings;    /* every string part NULL */
  const char *suffix;
  const char *expected;
} ExpandCase;

static const ExpandCase expand_cases[] = {
  /* every element */
  { "{streamName}", NULL, FALSE, FALSE, ".mp4", "cam1.mp4" },
  { "{streamName}-{startTime}", NULL, FALSE, FALSE, NULL, "cam1-2024-05-01-13-45-07-123" },
  { "{endTime}", NULL, FALSE, FALSE, NULL, "2024-05-01-13-46-09-000" },
  { "{startTimeMillis}_{endTimeMillis}", NULL, FALSE, FALSE, NULL,
    "1714571107123_1714571169000" },
  { "{duration}", NULL, FALSE, FALSE, NULL, "61877" },
  { "{sessionId}+{mediaSessionId}+{login}+{audioCodec}+{videoCodec}", NULL, FALSE, FALSE, NULL,
    "sess-1+ms-2+alice+opus+H264" },
  /* the end not known yet */
  { "{streamName}-{endTime}-{duration}-{endTimeMillis}", NULL, TRUE, FALSE, NULL, "cam1---" },
  { "{startTime}", NULL, TRUE, FALSE, NULL, "2024-05-01-13-45-07-123" },
  /* NULL parts expand to nothing; nothing at all becomes "stream" */
  { "{login}{sessionId}", NULL, FALSE, TRUE, "-2.mp4", "stream-2.mp4" },
  { "x{login}y", NULL, FALSE, TRUE, NULL, "xy" },
  { "", NULL, FALSE, FALSE, ".webm", "stream.webm" },
  /* unknown elements and stray braces are kept */
  { "{foo}-{streamName", NULL, FALSE, FALSE, NULL, "{foo}-{streamName" },
  { "{{streamName}}", NULL, FALSE, FALSE, NULL, "{cam1}" },
  { "{StreamName}{}", NULL, FALSE, FALSE, NULL, "{StreamName}{}" },
  { "{streamName}{streamName}", NULL, FALSE, FALSE, NULL, "cam1cam1" },
  /* unsafe characters, from the template or from the parts */
  { "{streamName}", "a/b\\c:d*e?f\"g<h>i|j\x01k\x7fl\tm", FALSE, FALSE, NULL,
    "a_b_c_d_e_f_g_h_i_j_k_l_m" },
  { "{streamName}", "../../etc/passwd", FALSE, FALSE, ".mp4", "___.._etc_passwd.mp4" },
  { "..{streamName}", NULL, FALSE, FALSE, NULL, "__cam1" },
  { "{streamName}. .", NULL, FALSE, FALSE, ".mp4", "cam1___.mp4" },
  { "{streamName}", " .", FALSE, FALSE, NULL, "__" },
  { "rec/{streamName}:{login}", NULL, FALSE, FALSE, NULL, "rec_cam1_alice" },
  /* names from the network in any script; invalid UTF-8 becomes U+FFFD */
  { "{streamName}", "камера-1 😀", FALSE, FALSE, ".mp4", "камера-1 😀.mp4" },
  { "{streamName}", "a\xff" "b", FALSE, FALSE, NULL, "a\xef\xbf\xbd" "b" },
};

static void
test_expand_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (expand_cases); i++)
    {
      const ExpandCase *c = &expand_cases[i];
      CbRecordNameParts parts = all_parts;
      g_autofree char *name = NULL;

      if (c->no_strings)
        parts = (CbRecordNameParts) { .start_ms = START_MS, .end_ms = END_MS };
      if (c->stream_name != NULL)
        parts.stream_name = c->stream_name;
      if (c->ongoing)
        parts.end_ms = -1;
      name = cb_record_name_expand (c->template_, &parts, c->suffix);
      g_test_message ("case %u: %s", i, c->template_);
      g_assert_cmpstr (name, ==, c->expected);
      g_assert_true (g_utf8_validate (name, -1, NULL));
    }
}

/* Names cut to 255 bytes with the suffix, never inside a UTF-8 character. */
static void
test_expand_length (void)
{
  static const char *chars[] = { "a", "é", "€", "😀" };
  static const char *suffixes[] = { "", ".mp4", "-2.mp4", "-10.webm", "-123.mp4" };

  for (guint c = 0; c < G_N_ELEMENTS (chars); c++)
    for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
      {
        g_autoptr(GString) stream = g_string_new ("x");
        CbRecordNameParts parts = all_parts;
        g_autofree char *name = NULL;
        gsize suffix_length = strlen (suffixes[s]);
        gsize char_length = strlen (chars[c]);
        gsize length;

        while (stream->len < 400)
          g_string_append (stream, chars[c]);
        parts.stream_name = stream->str;
        name = cb_record_name_expand ("{streamName}", &parts, suffixes[s]);
        length = strlen (name);
        g_test_message ("%s × %" G_GSIZE_FORMAT ", suffix \"%s\": %" G_GSIZE_FORMAT " bytes",
                        chars[c], stream->len, suffixes[s], length);
        g_assert_cmpuint (length, <=, CB_RECORD_NAME_MAX);
        g_assert_cmpuint (length, >, CB_RECORD_NAME_MAX - char_length);
        g_assert_true (g_str_has_suffix (name, suffixes[s]));
        g_assert_true (g_str_has_prefix (name, "x"));
        g_assert_true (g_utf8_validate (name, length - suffix_length, NULL));
        g_assert_true (g_utf8_validate (name, -1, NULL));
      }

  /* A name that fits exactly is left alone; one byte more is cut. */
  {
    g_autofree char *fits = g_strnfill (CB_RECORD_NAME_MAX - 4, 'n');
    g_autofree char *over = g_strnfill (CB_RECORD_NAME_MAX - 3, 'n');
    CbRecordNameParts parts = all_parts;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    parts.stream_name = fits;
    a = cb_record_name_expand ("{streamName}", &parts, ".mp4");
    g_assert_cmpuint (strlen (a), ==, CB_RECORD_NAME_MAX);
    parts.stream_name = over;
    b = cb_record_name_expand ("{streamName}", &parts, ".mp4");
    g_assert_cmpstr (a, ==, b);
  }

  /* A cut that ends on a dot or a space: no trailing dot before the suffix either. */
  {
    g_autoptr(GString) stream = g_string_new (NULL);
    CbRecordNameParts parts = all_parts;
    g_autofree char *name = NULL;

    while (stream->len < CB_RECORD_NAME_MAX - 6)
      g_string_append_c (stream, 'a');
    g_string_append (stream, ". tail");
    parts.stream_name = stream->str;
    name = cb_record_name_expand ("{streamName}", &parts, ".mp4");
    g_assert_cmpuint (strlen (name), ==, CB_RECORD_NAME_MAX);
    g_assert_true (g_str_has_suffix (name, "a__.mp4"));
  }
}

static void
test_cut_length (void)
{
  g_assert_cmpuint (cb_record_name_cut_length ("abc", 10), ==, 3);
  g_assert_cmpuint (cb_record_name_cut_length ("abc", 2), ==, 2);
  g_assert_cmpuint (cb_record_name_cut_length ("abc", 0), ==, 0);
  g_assert_cmpuint (cb_record_name_cut_length ("aé", 2), ==, 1);
  g_assert_cmpuint (cb_record_name_cut_length ("aé", 3), ==, 3);
  g_assert_cmpuint (cb_record_name_cut_length ("😀😀", 7), ==, 4);
  g_assert_cmpuint (cb_record_name_cut_length ("😀😀", 3), ==, 0);
}

static const struct {
  const char *template_;
  gboolean    has_time;
} time_cases[] = {
  { "{streamName}", FALSE },
  { "{streamName}-{startTime}", TRUE },
  { "{endTime}", TRUE },
  { "{startTimeMillis}", TRUE },
  { "{endTimeMillis}", TRUE },
  { "{duration}", TRUE },
  { "{sessionId}-{mediaSessionId}-{login}-{audioCodec}-{videoCodec}", FALSE },
  { "{startTime", FALSE },
  { "startTime", FALSE },
  { "{StartTime}", FALSE },
  { "", FALSE },
};

static void
test_has_time (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (time_cases); i++)
    {
      g_test_message ("case %u: %s", i, time_cases[i].template_);
      g_assert_cmpint (cb_record_name_has_time (time_cases[i].template_), ==,
                       time_cases[i].has_time);
    }
}

static const struct {
  const char *text;
  gboolean    ok;
  gint64      seconds;
  gint64      bytes;
} rotation_cases[] = {
  { NULL, TRUE, 0, 0 },
  { "", TRUE, 0, 0 },
  { "0", TRUE, 0, 0 },
  { "0M", TRUE, 0, 0 },
  { "10", TRUE, 10, 0 },
  { "007", TRUE, 7, 0 },
  { "3600", TRUE, 3600, 0 },
  { "10M", TRUE, 0, 10 * 1024 * 1024 },
  { "10m", TRUE, 0, 10 * 1024 * 1024 },
  { "9223372036854775", TRUE, G_GINT64_CONSTANT (9223372036854775), 0 },
  { "8796093022207M", TRUE, 0, G_GINT64_CONSTANT (8796093022207) * 1024 * 1024 },
  { "9223372036854776", FALSE },          /* over G_MAXINT64 in ms */
  { "8796093022208M", FALSE },            /* over G_MAXINT64 in bytes */
  { "99999999999999999999999", FALSE },
  { "-1", FALSE },
  { "-10M", FALSE },
  { "+5", FALSE },
  { " 10", FALSE },
  { "10 ", FALSE },
  { "10 M", FALSE },
  { "10k", FALSE },
  { "10K", FALSE },
  { "10MB", FALSE },
  { "10MM", FALSE },
  { "M", FALSE },
  { "1.5", FALSE },
  { "1e3", FALSE },
  { "0x10", FALSE },
  { "ten", FALSE },
  { "10\xff", FALSE },
};

static void
test_rotation_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rotation_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 seconds = -1, bytes = -1;
      gboolean ok = cb_record_rotation_parse (rotation_cases[i].text, &seconds, &bytes, &error);
      g_autofree char *shown = rotation_cases[i].text ? g_strescape (rotation_cases[i].text, NULL)
                                                      : g_strdup ("(null)");

      g_test_message ("case %u: %s", i, shown);
      g_assert_cmpint (ok, ==, rotation_cases[i].ok);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpint (seconds, ==, rotation_cases[i].seconds);
          g_assert_cmpint (bytes, ==, rotation_cases[i].bytes);
        }
      else
        {
          g_assert_error (error, CB_ENGINE_ERROR, CB_ENGINE_ERROR_INVALID);
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          g_assert_cmpint (seconds, ==, 0);
          g_assert_cmpint (bytes, ==, 0);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  /* {startTime} is local time: make it the same everywhere. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cb/record-name/expand-table", test_expand_table);
  g_test_add_func ("/cb/record-name/expand-length", test_expand_length);
  g_test_add_func ("/cb/record-name/cut-length", test_cut_length);
  g_test_add_func ("/cb/record-name/has-time", test_has_time);
  g_test_add_func ("/cb/record-name/rotation-table", test_rotation_table);
  return g_test_run ();
}
