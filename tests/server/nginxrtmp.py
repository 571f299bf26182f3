# nginxrtmp.py — a real nginx with the RTMP module, started by a test on a free loopback port
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

MODULE_PATHS = ['/usr/lib/nginx/modules/ngx_rtmp_module.so',
                '/usr/lib64/nginx/modules/ngx_rtmp_module.so']
STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def available():
    return shutil.which('nginx') is not None and any(os.path.exists(p) for p in MODULE_PATHS)


def tls_available():
    return available() and os.path.exists(STREAM_MODULE) and shutil.which('openssl') is not None


class NginxRtmp:
    """nginx-rtmp with an application `live` (and whatever `extra` adds) on 127.0.0.1."""

    def __init__(self, extra='', port=None, tls=False, host='127.0.0.1', netns=None):
        """@netns: a cbtest.NetnsHost to run in, listening on @host there."""
        self.tmp = tempfile.mkdtemp(prefix='cb-nginx-')
        self.host = host
        self.netns = netns
        self.port = port or free_port()
        self.extra = extra
        self.tls_port = free_port() if tls else None
        self.proc = None
        if tls:
            # A self-signed certificate: rtmps:// terminates in nginx's stream module.
            subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                            '-keyout', os.path.join(self.tmp, 'key.pem'),
                            '-out', os.path.join(self.tmp, 'cert.pem'), '-days', '1',
                            '-subj', '/CN=localhost'], check=True, capture_output=True)
        self.start()

    def _write_conf(self):
        module = next(p for p in MODULE_PATHS if os.path.exists(p))
        tls = ''
        if self.tls_port:
            tls = f"""
stream {{
  server {{
    listen 127.0.0.1:{self.tls_port} ssl;
    ssl_certificate {self.tmp}/cert.pem;
    ssl_certificate_key {self.tmp}/key.pem;
    proxy_pass 127.0.0.1:{self.port};
  }}
}}
"""
        conf = f"""
load_module {module};
{'load_module ' + STREAM_MODULE + ';' if self.tls_port else ''}
daemon off;
master_process off;
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/error.log info;
events {{ worker_connections 256; }}
rtmp {{
  server {{
    listen {self.host}:{self.port};
    chunk_size 4096;
    ping 10s;
    application live {{
      live on;
      record off;
    }}
    {self.extra}
  }}
}}
{tls}
"""
        with open(os.path.join(self.tmp, 'nginx.conf'), 'w') as f:
            f.write(conf)

    def start(self):
        self._write_conf()
        argv = ['nginx', '-c', os.path.join(self.tmp, 'nginx.conf'), '-p', self.tmp]
        if self.netns is not None:
            argv = self.netns.command(*argv)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError('nginx exited: ' + self.log())
                time.sleep(0.05)
        raise RuntimeError('nginx-rtmp did not start: ' + self.log())

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def log(self):
        try:
            with open(os.path.join(self.tmp, 'error.log'), errors='replace') as f:
                return f.read()[-8000:]
        except OSError:
            return ''

    def url(self, app='live', name=None):
        base = f'rtmp://{self.host}:{self.port}/{app}'
        return base + '/' + name if name else base

    def tls_url(self, app='live', name=None):
        base = f'rtmps://127.0.0.1:{self.tls_port}/{app}'
        return base + '/' + name if name else base

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


def ffprobe(url, timeout=20):
    """Returns [{codec_type, codec_name, width, height}] of a live RTMP stream, or None."""
    try:
        out = subprocess.run(['ffprobe', '-hide_banner', '-loglevel', 'error',
                              '-rw_timeout', '8000000',
                              '-show_entries', 'stream=codec_type,codec_name,width,height,avg_frame_rate',
                              '-of', 'json', url],
                             capture_output=True, timeout=timeout, text=True)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    return json.loads(out.stdout).get('streams', [])


def mean_volume(url, seconds=3):
    """The mean volume in dB of a few seconds of a live stream's audio (-91 is silence)."""
    out = subprocess.run(['ffmpeg', '-hide_banner', '-nostats', '-rw_timeout', '8000000',
                          '-i', url, '-t', str(seconds), '-vn', '-af', 'volumedetect',
                          '-f', 'null', '-'], capture_output=True, text=True, timeout=30)
    for line in out.stderr.splitlines():
        if 'mean_volume:' in line:
            return float(line.split('mean_volume:')[1].split()[0])
    return None


def wait_ffprobe(url, predicate, timeout=40):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = ffprobe(url)
        if last and predicate(last):
            return last
        time.sleep(0.5)
    raise AssertionError(f'ffprobe of {url} never matched; last {last!r}')
