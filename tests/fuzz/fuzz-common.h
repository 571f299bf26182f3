/* fuzz-common.h — shared by the fuzz targets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each fuzz-*.c defines LLVMFuzzerTestOneInput(). Linked with replay.c it is a plain
 * program that replays a corpus (meson test --suite fuzz); built with clang
 * -fsanitize=fuzzer it is a libFuzzer target. A broken invariant calls abort().
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
  G_STMT_START {                                                               \
    if (!(cond))                                                               \
      {                                                                        \
        g_printerr ("%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
        abort ();                                                              \
      }                                                                        \
  } G_STMT_END

/* A parser failed: the error must be one of @error_domain, with a message. */
#define FUZZ_CHECK_ERROR_IN(error, error_domain)                               \
  G_STMT_START {                                                               \
    FUZZ_CHECK ((error) != NULL);                                              \
    FUZZ_CHECK ((error)->domain == (error_domain));                            \
    FUZZ_CHECK ((error)->message != NULL);                                     \
  } G_STMT_END

/* The same for the parsers of src/rtmp. */
#define FUZZ_CHECK_ERROR(error) FUZZ_CHECK_ERROR_IN (error, CB_RTMP_ERROR)
