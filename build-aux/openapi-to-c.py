#!/usr/bin/env python3
# openapi-to-c.py — data/openapi.yaml → a C file holding it as JSON (GET /rest-api/openapi.json)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: openapi-to-c.py INPUT.yaml VERSION OUTPUT.c [OUTPUT.json]
# The JSON is kept as a byte array: string literals this long are beyond what C promises.

import json
import sys

import yaml


def main():
    source, version, output = sys.argv[1:4]
    with open(source, encoding='utf-8') as f:
        document = yaml.safe_load(f)
    document['info']['version'] = version
    text = json.dumps(document, ensure_ascii=False, separators=(',', ':')).encode('utf-8')
    if len(sys.argv) > 4:
        with open(sys.argv[4], 'wb') as f:
            f.write(json.dumps(document, ensure_ascii=False, indent=2).encode('utf-8'))
    lines = []
    for i in range(0, len(text), 16):
        lines.append('  ' + ', '.join('0x%02x' % b for b in text[i:i + 16]) + ',')
    with open(output, 'w', encoding='ascii') as f:
        f.write('/* Generated from data/openapi.yaml by build-aux/openapi-to-c.py: do not edit. */\n')
        f.write('#include "cb-openapi.h"\n\n')
        f.write('const unsigned char cb_openapi_json[] = {\n%s\n  0x00\n};\n' % '\n'.join(lines))
        f.write('const gsize cb_openapi_json_length = %d;\n' % len(text))


if __name__ == '__main__':
    main()
