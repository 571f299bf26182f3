# test_openapi.py — data/openapi.yaml against the real server, and /metrics
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The document is read from the server (/rest-api/openapi.json, made from data/openapi.yaml
# at build time). Every documented REST verb is called with its example body, and again
# with the ids of objects the test made, so that each answers 200 at least once; every
# answer's status must be documented for its operation and its body must match the
# schema documented for that status. The reverse too: every verb of the C route table
# (src/server/cb-rest.c) is documented, and every documented REST path is routed.
#
# The validator covers the part of JSON Schema (OpenAPI 3.0 flavour) the document uses:
# $ref, type, properties, required, additionalProperties: false, items, enum, nullable,
# maxLength. A keyword it does not know fails the test, so that the document cannot
# quietly use more than is checked.

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]):
    os.environ['CB_SERVER_BINARY'] = os.path.abspath(sys.argv.pop(1))

import cbtest  # noqa: E402
import nginxrtmp  # noqa: E402

SOURCE_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            '..', '..'))
HAVE_FFMPEG = shutil.which('ffmpeg') is not None

KNOWN_KEYWORDS = {'$ref', 'type', 'properties', 'required', 'additionalProperties', 'items',
                  'enum', 'nullable', 'maxLength', 'description', 'format', 'example'}


class SchemaError(Exception):
    pass


class Validator:
    def __init__(self, document):
        self.document = document

    def resolve(self, node):
        while isinstance(node, dict) and '$ref' in node:
            ref = node['$ref']
            if not ref.startswith('#/'):
                raise SchemaError('external $ref %s' % ref)
            target = self.document
            for part in ref[2:].split('/'):
                target = target[part]
            node = target
        return node

    def validate(self, value, schema, where='$'):
        schema = self.resolve(schema)
        unknown = set(schema) - KNOWN_KEYWORDS
        if unknown:
            raise SchemaError('%s: schema keywords the test does not check: %s'
                              % (where, sorted(unknown)))
        if value is None:
            if schema.get('nullable') or 'type' not in schema:
                return
            raise SchemaError('%s: null, but not nullable' % where)
        kind = schema.get('type')
        checks = {
            'string': lambda v: isinstance(v, str),
            'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
            'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            'boolean': lambda v: isinstance(v, bool),
            'object': lambda v: isinstance(v, dict),
            'array': lambda v: isinstance(v, list),
        }
        if kind is not None and not checks[kind](value):
            raise SchemaError('%s: %r is not of type %s' % (where, value, kind))
        if 'enum' in schema and value not in schema['enum']:
            raise SchemaError('%s: %r is not one of %s' % (where, value, schema['enum']))
        if 'maxLength' in schema and len(value) > schema['maxLength']:
            raise SchemaError('%s: longer than %d' % (where, schema['maxLength']))
        if isinstance(value, dict):
            for name in schema.get('required', []):
                if name not in value:
                    raise SchemaError('%s: required member %r is missing' % (where, name))
            properties = schema.get('properties', {})
            for name, member in value.items():
                if name in properties:
                    self.validate(member, properties[name], '%s.%s' % (where, name))
                elif schema.get('additionalProperties') is False:
                    raise SchemaError('%s: member %r is not allowed' % (where, name))
        if isinstance(value, list) and 'items' in schema:
            for i, item in enumerate(value):
                self.validate(item, schema['items'], '%s[%d]' % (where, i))


class ValidatorSelfTest(unittest.TestCase):
    """The validator refuses what it should: otherwise every check below passes vacuously."""

    def test_refusals(self):
        doc = {'components': {'schemas': {'S': {'type': 'object', 'required': ['a'],
                                                'properties': {'a': {'type': 'integer'},
                                                               'b': {'type': 'string',
                                                                     'enum': ['x']}}}}}}
        v = Validator(doc)
        ref = {'$ref': '#/components/schemas/S'}
        v.validate({'a': 1, 'b': 'x'}, ref)
        for bad in ({}, {'a': '1'}, {'a': True}, {'a': 1, 'b': 'y'}, {'a': None}, [], 'a'):
            with self.assertRaises(SchemaError, msg=repr(bad)):
                v.validate(bad, ref)
        with self.assertRaises(SchemaError):
            v.validate([1, 'a'], {'type': 'array', 'items': {'type': 'integer'}})
        with self.assertRaises(SchemaError):
            v.validate({'z': 1}, {'type': 'object', 'additionalProperties': False})
        with self.assertRaises(SchemaError):
            v.validate(1, {'oneOf': []})


def c_route_table():
    """The verbs of the REST route table, read from the C source."""
    with open(os.path.join(SOURCE_ROOT, 'src', 'server', 'cb-rest.c')) as f:
        text = f.read()
    table = text[text.index('static const CbRestVerb verbs[]'):]
    table = table[:table.index('};')]
    return re.findall(r'^\s*\{\s*"([^"]+)"\s*,', table, re.M)


def rest_operations(document):
    """(verb below /rest-api/, operation) for every documented REST verb, in document order."""
    out = []
    for path, item in document['paths'].items():
        if path.startswith('/rest-api/') and 'post' in item:
            out.append((path[len('/rest-api/'):], item['post']))
    return out


def example_of(operation):
    body = operation.get('requestBody')
    if body is None:
        return None
    return copy.deepcopy(body['content']['application/json']['example'])


class OpenApiTest(unittest.TestCase):
    def setUp(self):
        self.server = cbtest.ServerProcess('--publish', 'cam=test')
        self.addCleanup(self.server.cleanup)
        status, _, raw = self.server.request('GET', '/rest-api/openapi.json')
        self.assertEqual(status, 200)
        self.document = json.loads(raw)
        self.validator = Validator(self.document)
        self.seen = {}   # verb -> set of statuses

    # -- the document itself ---------------------------------------------------------------

    def test_document_matches_yaml(self):
        try:
            import yaml
        except ImportError:
            self.skipTest('python3-yaml is not installed')
        with open(os.path.join(SOURCE_ROOT, 'data', 'openapi.yaml'), encoding='utf-8') as f:
            source = yaml.safe_load(f)
        served = copy.deepcopy(self.document)
        self.assertEqual(served['openapi'][:2], '3.')
        health = json.loads(self.server.request('GET', '/health')[2])
        self.assertEqual(served['info'].pop('version'), health['version'])
        source['info'].pop('version')
        self.assertEqual(served, source)

    def test_operations_are_complete(self):
        for verb, op in rest_operations(self.document):
            with self.subTest(verb=verb):
                responses = op['responses']
                for status in ('200', '400', '401', '403'):
                    self.assertIn(status, responses)
                self.assertIn('application/json', op['requestBody']['content'])
                request = op['requestBody']['content']['application/json']
                self.validator.validate(request['example'], request['schema'], verb + ' example')
                for status, response in responses.items():
                    response = self.validator.resolve(response)
                    if status != '200':
                        schema = response['content']['application/json']['schema']
                        self.assertEqual(self.validator.resolve(schema),
                                         self.document['components']['schemas']['Error'])
        ids = [op.get('operationId') for item in self.document['paths'].values()
               for method, op in item.items() if method in ('get', 'post')]
        self.assertEqual(len(ids), len(set(ids)), 'operationIds are unique')

    # -- routes both ways ---------------------------------------------------------------------

    def test_every_route_is_documented(self):
        documented = {verb for verb, _ in rest_operations(self.document)}
        table = c_route_table()
        self.assertGreater(len(table), 20)
        self.assertEqual(sorted(set(table) - documented), [], 'verbs missing in the document')
        self.assertEqual(sorted(documented - set(table)), [], 'documented verbs the server lacks')
        # The server agrees: a known verb is 405 for GET, an unknown one 404.
        for verb in sorted(documented):
            with self.subTest(verb=verb):
                status, _, raw = self.server.request('GET', '/rest-api/' + verb)
                self.assertEqual(status, 405, raw)
        status, _, raw = self.server.request('GET', '/rest-api/stream/no_such_verb')
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(raw)['error'], 'No such REST method')
        # The other paths of the HTTP port that the document lists are routed too.
        for path in ('/health', '/metrics', '/rest-api/openapi.json', '/castbridge/config.json'):
            self.assertIn(path, self.document['paths'])
            self.assertEqual(self.server.request('GET', path)[0], 200, path)
        for path in ('/whip/{name}', '/whep/{name}', '/whip/{name}/{resource}',
                     '/whep/{name}/{resource}', '/client/records/{fileName}'):
            self.assertIn(path, self.document['paths'])
        self.assertEqual(self.server.request('GET', '/no-such-path')[0], 404)

    # -- calls -----------------------------------------------------------------------------

    def call(self, verb, operation, body):
        status, answer, headers = self.server.rest(verb, body)
        self.seen.setdefault(verb, set()).add(status)
        responses = operation['responses']
        self.assertIn(str(status), responses,
                      '%s %s: status %d is not documented (%r)' % (verb, body, status, answer))
        response = self.validator.resolve(responses[str(status)])
        content = response.get('content')
        if content is None:
            self.assertIsNone(answer, '%s: documented as empty, got %r' % (verb, answer))
        else:
            self.assertTrue(headers.get('content-type', '').startswith('application/json'))
            try:
                self.validator.validate(answer, content['application/json']['schema'],
                                        '%s %d' % (verb, status))
            except SchemaError as e:
                self.fail('%s %s: %s (%r)' % (verb, body, e, answer))
        return status, answer

    def test_every_verb_with_its_example(self):
        ops = dict(rest_operations(self.document))
        # A snapshot needs a decoded picture: wait for the codec, as test_snapshot.py does.
        self.server.wait_for_stream(lambda s: s['status'] == 'PUBLISHING' and
                                    s['videoCodec'] == 'H264', {'name': 'cam'})
        status, streams = self.call('stream/find', ops['stream/find'], {'name': 'cam'})
        cam = streams[0]['mediaSessionId']

        # 1. Every example as documented: found objects, 404s for the ids made up.
        for verb, op in rest_operations(self.document):
            self.call(verb, op, example_of(op))

        # 2. The same verbs with objects that exist, so each answers 200 once.
        media_dir = self.server.media_dir
        if HAVE_FFMPEG:
            subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                            '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
                            os.path.join(media_dir, 'jingle.wav')], check=True, timeout=60)
            subprocess.run(['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y',
                            '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25',
                            '-f', 'lavfi', '-i', 'sine=frequency=440',
                            '-t', '3', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25',
                            '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart',
                            os.path.join(media_dir, 'clip.mp4')], check=True, timeout=60)

        def again(verb, **changes):
            body = example_of(ops[verb]) or {}
            body.update(changes)
            return self.call(verb, ops[verb], body)

        again('stream/snapshot')
        def wait_recordings(predicate, timeout=60):
            deadline = time.monotonic() + timeout
            while True:
                status, recordings = again('castbridge/recordings/find_all')
                found = [r for r in recordings or [] if predicate(r)]
                if found or time.monotonic() > deadline:
                    return found, recordings
                time.sleep(0.5)

        # Each recording runs until it has written something before it is stopped (one
        # stopped at once is not what this test is about).
        again('stream/startRecording', mediaSessionId=cam)
        again('recorder/find_all')
        wait_recordings(lambda r: r['state'] == 'RECORDING' and r['size'] > 0)
        again('stream/stopRecording', mediaSessionId=cam)
        again('recorder/startup', mediaSessionId=cam)
        wait_recordings(lambda r: r['state'] == 'RECORDING' and r['size'] > 0)
        again('recorder/terminate', mediaSessionId=cam)
        done, recordings = wait_recordings(lambda r: r['state'] == 'FINISHED')
        self.assertTrue(done, recordings)
        again('castbridge/recordings/delete', fileName=done[0]['fileName'])

        status, push = again('push/startup')
        self.assertEqual(status, 200)
        push_id = push['mediaSessionId']
        again('push/find', mediaSessionId=push_id)
        for verb in ('push/mute', 'push/unmute', 'castbridge/push/retry'):
            again(verb, mediaSessionId=push_id)
        if HAVE_FFMPEG:
            again('push/sound_on', mediaSessionId=push_id)
        again('push/sound_off', mediaSessionId=push_id)
        again('push/terminate', mediaSessionId=push_id)

        # A push that really streams, to nginx-rtmp: its answers carry events and bytes.
        if nginxrtmp.available():
            nginx = nginxrtmp.NginxRtmp()
            self.addCleanup(nginx.cleanup)
            status, push = again('push/startup', rtmpUrl=nginx.url('live'))
            self.assertEqual(status, 200)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                status, found = again('push/find', mediaSessionId=push['mediaSessionId'])
                if found[0]['status'] == 'STREAMING' and found[0]['bytesSent'] > 0:
                    break
                time.sleep(0.5)
            self.assertEqual(found[0]['status'], 'STREAMING', found)
            self.assertIn('StreamStarted', [e['type'] for e in found[0]['events']])
            again('push/find_all')
            again('push/terminate', mediaSessionId=push['mediaSessionId'])
            again('push/find', mediaSessionId=push['mediaSessionId'])

        if HAVE_FFMPEG:
            again('vod/startup', uri='vod-live://clip.mp4')
            again('vod/find')
            again('vod/find_all')
            again('vod/terminate')

        again('pull/pull')
        again('pull/find_all')
        again('pull/terminate')
        again('pull/rtmp/pull')
        again('pull/rtmp/find_all')
        again('pull/rtmp/terminate')
        again('stream/terminate', name='cam')

        missing = sorted(verb for verb, _ in rest_operations(self.document)
                         if 200 not in self.seen.get(verb, ()))
        if not HAVE_FFMPEG:
            missing = [v for v in missing if not v.startswith('vod/') and v != 'push/sound_on']
        self.assertEqual(missing, [], 'verbs that never answered 200: %s' % self.seen)

    def check_http(self, method, path, template, body=None, headers=None):
        """A non-REST call: its status documented for @template's operation, JSON bodies
        validated."""
        status, answer_headers, raw = self.server.request(method, path, body, headers=headers)
        operation = self.document['paths'][template][method.lower()]
        self.assertIn(str(status), operation['responses'], '%s %s: %d %r'
                      % (method, path, status, raw))
        response = self.validator.resolve(operation['responses'][str(status)])
        content = response.get('content', {})
        if 'application/json' in content:
            self.validator.validate(json.loads(raw), content['application/json']['schema'],
                                    path)
        elif content:
            self.assertTrue(any(answer_headers.get('content-type', '').startswith(t)
                                for t in content), (path, answer_headers))
        return status

    def test_http_endpoints(self):
        self.check_http('GET', '/health', '/health')
        self.check_http('GET', '/castbridge/config.json', '/castbridge/config.json')
        self.check_http('GET', '/rest-api/openapi.json', '/rest-api/openapi.json')
        sdp = {'Content-Type': 'application/sdp'}
        self.assertEqual(self.check_http('POST', '/whip/w1', '/whip/{name}', b'garbage', sdp), 400)
        self.assertEqual(self.check_http('POST', '/whep/cam', '/whep/{name}', b'garbage', sdp), 400)
        self.assertEqual(self.check_http('POST', '/whip/w1', '/whip/{name}', b'v=0',
                                         {'Content-Type': 'text/plain'}), 415)
        self.assertEqual(self.check_http('DELETE', '/whip/cam/nope', '/whip/{name}/{resource}'),
                         404)
        self.assertEqual(self.check_http('PATCH', '/whep/cam/nope', '/whep/{name}/{resource}',
                                         b'a=ice-ufrag:x', {'Content-Type':
                                                            'application/trickle-ice-sdpfrag'}),
                         404)
        self.assertEqual(self.check_http('GET', '/client/records/nope.mp4',
                                         '/client/records/{fileName}'), 404)

    def test_errors_and_access(self):
        ops = dict(rest_operations(self.document))
        # A body that is not JSON, a member of the wrong type: the documented 400.
        self.assertEqual(self.call('stream/find', ops['stream/find'], b'{bad')[0], 400)
        self.assertEqual(self.call('stream/find', ops['stream/find'], {'published': 'yes'})[0],
                         400)
        self.assertEqual(self.call('castbridge/source/publish', ops['castbridge/source/publish'],
                                   {'name': 'x', 'source': 'test', 'typo': 1})[0], 400)
        self.assertEqual(self.call('castbridge/source/publish', ops['castbridge/source/publish'],
                                   {'name': 'cam', 'source': 'test'})[0], 409)
        # A page of another site: 403 for the document and the verbs alike.
        foreign = {'Origin': 'http://evil.example'}
        for path in ('/rest-api/openapi.json', '/metrics'):
            status, _, raw = self.server.request('GET', path, headers=foreign)
            self.assertEqual(status, 403, path)
            self.validator.validate(json.loads(raw), {'$ref': '#/components/schemas/Error'})
        status, answer, _ = self.server.rest('stream/find_all', {}, headers=foreign)
        self.assertEqual(status, 403)
        self.validator.validate(answer, {'$ref': '#/components/schemas/Error'})


# -- /metrics ----------------------------------------------------------------------------------

METRIC_NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*\Z')
LABEL_NAME = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*\Z')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def parse_metrics(text):
    """Text exposition format 0.0.4, strictly: every sample belongs to the family declared
    by the # HELP / # TYPE lines just before it; families are not repeated; label values
    use only the three escapes. Returns {family: {'type', 'help', 'samples': {labels: v}}}."""
    if not text.endswith('\n'):
        raise ValueError('the page must end with a line feed')
    families = {}
    current = None
    for number, line in enumerate(text.split('\n')[:-1], 1):
        where = 'line %d: %r' % (number, line)
        if line.startswith('# HELP '):
            name, _, help_text = line[7:].partition(' ')
            if not METRIC_NAME.match(name) or name in families:
                raise ValueError(where)
            current = families[name] = {'help': help_text, 'type': None, 'samples': {}}
            continue
        if line.startswith('# TYPE '):
            name, _, kind = line[7:].partition(' ')
            if current is None or families.get(name) is not current or kind not in TYPES \
               or current['type'] is not None or current['samples']:
                raise ValueError(where)
            current['type'] = kind
            continue
        if line.startswith('#') or line == '':
            raise ValueError('unexpected ' + where)
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)\Z', line)
        if m is None:
            raise ValueError(where)
        name, labels_text, value = m.group(1), m.group(3), m.group(4)
        if current is None or families.get(name) is not current or current['type'] is None:
            raise ValueError('sample outside its family, ' + where)
        labels = []
        rest = labels_text or ''
        while rest:
            lm = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|\Z)', rest)
            if lm is None:
                raise ValueError('bad labels, ' + where)
            labels.append((lm.group(1), re.sub(r'\\(.)', lambda e: {'n': '\n'}.get(
                e.group(1), e.group(1)), lm.group(2))))
            rest = rest[lm.end():]
        names = [n for n, _ in labels]
        if len(names) != len(set(names)):
            raise ValueError('repeated label, ' + where)
        number_value = float(value)
        if current['type'] == 'counter' and (number_value < 0 or not name.endswith('_total')):
            raise ValueError('bad counter, ' + where)
        key = tuple(sorted(labels))
        if key in current['samples']:
            raise ValueError('repeated sample, ' + where)
        current['samples'][key] = number_value
    for name, family in families.items():
        if family['type'] is None:
            raise ValueError('%s has no # TYPE' % name)
    return families


class MetricsParserSelfTest(unittest.TestCase):
    def test_refusals(self):
        good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1\\""} 2\n'
        self.assertEqual(parse_metrics(good)['a_total']['samples'], {(('x', '1"'),): 2.0})
        for bad in (good[:-1],                                   # no final line feed
                    good + 'a_total{x="2"} 1\n# HELP b B.\n# TYPE b gauge\nb 1\n'
                    '# HELP a_total A.\n# TYPE a_total counter\n',  # family repeated
                    '# HELP b B.\n# TYPE b gauge\nc 1\n',          # sample of another family
                    '# HELP b B.\n# TYPE b gauge\nb{x="\\t"} 1\n',  # bad escape
                    '# HELP b B.\n# TYPE b counter\nb 1\n',         # counter without _total
                    '# HELP b B.\n# TYPE b gauge\nb 1\nb 2\n',      # repeated sample
                    '# HELP b B.\n# TYPE b gauge\nb one\n'):        # not a number
            with self.assertRaises(ValueError, msg=bad):
                parse_metrics(bad)


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.server = cbtest.ServerProcess()
        self.addCleanup(self.server.cleanup)

    def scrape(self):
        status, headers, raw = self.server.request('GET', '/metrics')
        self.assertEqual(status, 200, raw)
        self.assertEqual(headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
        return parse_metrics(raw.decode('utf-8'))

    @staticmethod
    def value(families, name, **labels):
        return families[name]['samples'].get(tuple(sorted(labels.items())), 0.0)

    def wait_metric(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            families = self.scrape()
            if predicate(families) or time.monotonic() > deadline:
                return families
            time.sleep(0.5)

    def test_values_move(self):
        m = self.scrape()
        for kind in ('rtmp', 'webrtc', 'local', 'pull', 'relay', 'vod'):
            self.assertEqual(self.value(m, 'castbridge_streams', kind=kind), 0, kind)
        self.assertEqual(self.value(m, 'castbridge_recordings_running'), 0)
        self.assertEqual(m['castbridge_info']['type'], 'gauge')

        status, _, _ = self.server.rest('castbridge/source/publish', {'name': 'cam', 'source': 'test'})
        self.assertEqual(status, 200)
        m = self.wait_metric(lambda m: self.value(m, 'castbridge_stream_bitrate_kbps',
                                                  stream='cam', kind='local') > 0)
        self.assertEqual(self.value(m, 'castbridge_streams', kind='local'), 1)
        self.assertEqual(self.value(m, 'castbridge_streams_by_status', kind='local',
                                    status='PUBLISHING'), 1)
        self.assertGreater(self.value(m, 'castbridge_stream_bitrate_kbps', stream='cam',
                                      kind='local'), 0)

        # A push that cannot connect: counted by state, with its counters.
        status, push, _ = self.server.rest('push/startup', {'streamName': 'cam',
                                                            'rtmpUrl': 'rtmp://127.0.0.1:1/live/x'})
        self.assertEqual(status, 200, push)
        labels = {'stream': 'cam', 'media_session_id': push['mediaSessionId']}
        m = self.scrape()
        self.assertEqual(sum(m['castbridge_pushes']['samples'].values()), 1)
        self.assertIn(tuple(sorted(labels.items())),
                      m['castbridge_push_reconnects_total']['samples'])
        self.assertEqual(self.server.rest('push/terminate',
                                          {'mediaSessionId': push['mediaSessionId']})[0], 200)

        # A recording runs, then does not.
        stream = self.server.rest('stream/find', {'name': 'cam'})[1][0]
        self.assertEqual(self.server.rest('stream/startRecording',
                                          {'mediaSessionId': stream['mediaSessionId']})[0], 200)
        m = self.wait_metric(lambda m: self.value(m, 'castbridge_recordings_running_bytes') > 0)
        self.assertEqual(self.value(m, 'castbridge_recordings_running'), 1)
        self.assertGreater(self.value(m, 'castbridge_recordings_running_bytes'), 0)
        self.assertEqual(self.server.rest('stream/stopRecording',
                                          {'mediaSessionId': stream['mediaSessionId']})[0], 200)
        m = self.wait_metric(lambda m: self.value(m, 'castbridge_recordings_running') == 0)
        self.assertEqual(self.value(m, 'castbridge_recordings_running'), 0)

        self.assertEqual(self.server.rest('castbridge/source/unpublish', {'name': 'cam'})[0], 200)
        m = self.wait_metric(lambda m: self.value(m, 'castbridge_streams', kind='local') == 0)
        self.assertEqual(self.value(m, 'castbridge_streams', kind='local'), 0)
        self.assertEqual(m['castbridge_stream_bitrate_kbps']['samples'], {})

    @unittest.skipUnless(nginxrtmp.available(), 'nginx with the RTMP module is needed')
    def test_push_bytes_move(self):
        nginx = nginxrtmp.NginxRtmp()
        self.addCleanup(nginx.cleanup)
        self.assertEqual(self.server.rest('castbridge/source/publish',
                                          {'name': 'cam', 'source': 'test'})[0], 200)
        status, push, _ = self.server.rest('push/startup', {'streamName': 'cam',
                                                            'rtmpUrl': nginx.url('live')})
        self.assertEqual(status, 200, push)
        key = tuple(sorted({'stream': 'cam', 'media_session_id': push['mediaSessionId']}.items()))

        def sent(m):
            return m['castbridge_push_bytes_sent_total']['samples'].get(key, 0)
        # Bytes flow from the handshake on; STREAMING comes with the first media.
        m = self.wait_metric(lambda m: sent(m) > 0 and
                             self.value(m, 'castbridge_pushes', state='STREAMING') == 1)
        first = sent(m)
        self.assertGreater(first, 0)
        self.assertEqual(self.value(m, 'castbridge_pushes', state='STREAMING'), 1)
        self.assertGreater(self.value(m, 'castbridge_consumers'), 0)
        m = self.wait_metric(lambda m: sent(m) > first)
        self.assertGreater(sent(m), first)

    @unittest.skipUnless(HAVE_FFMPEG, 'ffmpeg is needed')
    def test_rtmp_publisher_counts(self):
        log = open(os.path.join(self.server.tmp, 'ffmpeg.log'), 'w')
        self.addCleanup(log.close)
        proc = subprocess.Popen(
            ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-re',
             '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25',
             '-f', 'lavfi', '-i', 'sine=frequency=440',
             '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p',
             '-c:a', 'aac', '-f', 'flv',
             'rtmp://127.0.0.1:%d/live/ingest' % self.server.rtmp_port],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)

        def stop():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.addCleanup(stop)
        m = self.wait_metric(lambda m: self.value(m, 'castbridge_streams', kind='rtmp') == 1)
        self.assertEqual(self.value(m, 'castbridge_streams', kind='rtmp'), 1)
        stop()
        m = self.wait_metric(lambda m: self.value(m, 'castbridge_streams', kind='rtmp') == 0)
        self.assertEqual(self.value(m, 'castbridge_streams', kind='rtmp'), 0)

    def test_access(self):
        status, _, raw = self.server.request('GET', '/metrics',
                                             headers={'Origin': 'http://evil.example'})
        self.assertEqual(status, 403)
        status, _, raw = self.server.request('GET', '/metrics', host='127.0.0.1',
                                             headers={'Host': 'rebind.example'})
        self.assertEqual(status, 403)
        self.assertEqual(self.server.request('POST', '/metrics', b'')[0], 405)


class RemoteMetricsTest(unittest.TestCase):
    """/metrics and the document from another machine (a network namespace; needs root):
    Basic credentials, as for REST."""

    # The remote client of test_server.py's RemoteAuthTest, without its tests.
    from test_server import RemoteAuthTest as _remote
    CLIENT = _remote.CLIENT
    remote_call = _remote.remote_call
    basic = staticmethod(_remote.basic)
    with_server = _remote.with_server
    del _remote

    @classmethod
    def setUpClass(cls):
        cls.host = cbtest.NetnsHost()
        cls.ns, cls.host_ip = cls.host.ns, cls.host.host_ip

    @classmethod
    def tearDownClass(cls):
        cls.host.cleanup()

    def test_credentials(self):
        server = self.with_server('-o', 'rest_auth_user=u', '-o', 'rest_auth_password=p')
        for path in ('/metrics', '/rest-api/openapi.json'):
            status, challenge = self.remote_call(server, path, method='GET')
            self.assertEqual(status, 401, path)
            self.assertTrue(challenge.startswith('Basic'), challenge)
            self.assertEqual(self.remote_call(server, path, method='GET',
                                              authorization=self.basic('u', 'x'))[0], 401)
            self.assertEqual(self.remote_call(server, path, method='GET',
                                              authorization=self.basic('u', 'p'))[0], 200)


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))
    program = unittest.main(verbosity=2, exit=False)
    sys.exit(0 if program.result.wasSuccessful() else 1)
