# benchlib.py — what every benchmark in bench/ shares: the processes it starts (all killed on
# exit), temporary folders, /proc readers, and its own section of bench/RESULTS.md
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Python 3 standard library only.

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'RESULTS.md')
CLK_TCK = os.sysconf('SC_CLK_TCK')

# ---- process bookkeeping ---------------------------------------------------------------------

_procs = []
_tmpdirs = []


def spawn(args, log_path, env=None):
    """Starts @args with stdout and stderr to @log_path; killed at exit if still running."""
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    _procs.append(proc)
    return proc


def track(proc):
    """A process started otherwise (e.g. with a pipe) is killed at exit too."""
    _procs.append(proc)
    return proc


def running():
    return list(_procs)


def stop(proc, term_first=False):
    if proc is None:
        return
    if proc.poll() is None and term_first:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    if proc in _procs:
        _procs.remove(proc)


@atexit.register
def _cleanup():
    for proc in list(_procs):
        stop(proc)
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGHUP, _on_signal)


def mkdtemp(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    _tmpdirs.append(d)
    return d


def tail(path, n=3000):
    try:
        with open(path, errors='replace') as f:
            return f.read()[-n:]
    except OSError:
        return ''


def first_line(args):
    """The first line a tool prints (for versions), or '?'."""
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10)
        return ((out.stdout or '') + (out.stderr or '')).strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return '?'


def wait_until(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# ---- /proc -----------------------------------------------------------------------------------

def cpu_split(pid, tid=None):
    """(utime, stime) of a process (all its threads) or of one of its threads: the CPU spent
    in the program and in the kernel on its behalf (system calls: for a relay mostly the
    TCP sends, which on loopback also deliver to the receiver)."""
    path = f'/proc/{pid}/task/{tid}/stat' if tid else f'/proc/{pid}/stat'
    with open(path) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]), int(fields[12])


def cpu_ticks(pid, tid=None):
    """utime + stime of a process (all its threads) or of one of its threads."""
    return sum(cpu_split(pid, tid))


def cpu_ns(pid, tid=None):
    """CPU time in nanoseconds of a process (the sum over its living threads) or of one of its
    threads, from the scheduler's own count (`/proc/.../schedstat`, first field). utime+stime
    of `/proc/PID/stat` add up to the same time but are reported in clock ticks (10 ms): over a
    minute a light relay is a handful of them. A thread that ended during a window takes its
    time with it, so compare processes whose threads live through the window."""
    if tid:
        paths = [f'/proc/{pid}/task/{tid}/schedstat']
    else:
        try:
            paths = [f'/proc/{pid}/task/{t}/schedstat' for t in os.listdir(f'/proc/{pid}/task')]
        except FileNotFoundError:
            paths = []
    total = 0
    for path in paths:
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return total


def proc_status(pid):
    """VmRSS, VmHWM, RssAnon (KiB) and Threads of a process."""
    out = {}
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            key, _, value = line.partition(':')
            if key in ('VmRSS', 'VmHWM', 'RssAnon'):
                out[key] = int(value.split()[0])
            elif key == 'Threads':
                out[key] = int(value)
    return out


def machine_ticks():
    """(all ticks, idle ticks) of the machine: busy share = 1 - Δidle / Δall."""
    with open('/proc/stat') as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    return sum(parts), parts[3] + parts[4]


def busy_percent(m0, m1):
    """The machine's busy share (% of all cores) between two machine_ticks() readings."""
    total = m1[0] - m0[0]
    return 100.0 * (total - (m1[1] - m0[1])) / total if total > 0 else 0.0


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


# ---- bench/RESULTS.md ------------------------------------------------------------------------

def write_section(begin, end, section):
    """Replaces only the section between @begin and @end (or appends it); everything else in
    bench/RESULTS.md stays byte for byte."""
    if os.path.exists(RESULTS):
        with open(RESULTS, encoding='utf-8') as f:
            text = f.read()
    else:
        text = ('# Castbridge benchmarks\n\nEach benchmark in `bench/` writes its own section '
                'between its markers; see bench/README.md for how to run them.\n')
    b, e = text.find(begin), text.find(end)
    if b >= 0 and e > b:
        stop_at = e + len(end)
        if text[stop_at:stop_at + 1] == '\n':
            stop_at += 1
        text = text[:b] + section + text[stop_at:]
    else:
        text = text.rstrip('\n') + '\n\n' + section
    tmp = RESULTS + f'.{os.getpid()}.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, RESULTS)


# ---- castbridge-server -----------------------------------------------------------------------

def listening(proc, log_path, timeout, what='castbridge-server'):
    """Waits for the `listening http=… ws=… rtmp=…` line a castbridge or castbridge-server
    prints once it serves, and returns its fields (strings); RuntimeError with the log's end if
    @proc exits or @timeout seconds go by first."""
    deadline = time.monotonic() + timeout
    while True:
        with open(log_path, errors='replace') as f:
            line = next((l for l in f if l.startswith('listening ')), None)
        if line:
            return dict(kv.split('=', 1) for kv in line.split()[1:])
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f'{what} did not start:\n' + tail(log_path))
        time.sleep(0.05)


def rest_post(port, path, body=None, timeout=10):
    """POST /rest-api/@path on 127.0.0.1:@port: (status, decoded JSON or None). Raises what
    http.client raises (TimeoutError, OSError, …)."""
    import http.client
    import json
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request('POST', '/rest-api/' + path, body=json.dumps(body or {}).encode(),
                     headers={'Content-Type': 'application/json'})
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


class Server:
    """A castbridge-server on 127.0.0.1 with free ports (--http-port 0 …) and a media folder of
    its own, its output to a log file; killed at exit. @env: the environment (default: this
    one, without G_MESSAGES_DEBUG and G_DEBUG)."""

    def __init__(self, binary, extra=(), env=None, log_path=None, start_timeout=60,
                 prefix='cb-bench-server-', media_dir=None):
        self.tmp = mkdtemp(prefix)
        self.media = media_dir or os.path.join(self.tmp, 'media')
        os.makedirs(self.media, exist_ok=True)
        self.log_path = log_path or os.path.join(self.tmp, 'log')
        if env is None:
            env = {k: v for k, v in os.environ.items() if k not in ('G_MESSAGES_DEBUG', 'G_DEBUG')}
        self.proc = spawn([binary, '--http-port', '0', '--ws-port', '0', '--rtmp-port', '0',
                           '--bind', '127.0.0.1', '--media-dir', self.media, *extra],
                          self.log_path, env)
        fields = listening(self.proc, self.log_path, start_timeout)
        self.http_port = int(fields['http'])
        self.ws_port = int(fields.get('ws', 0))
        self.rtmp_port = int(fields.get('rtmp', 0))

    def rest(self, path, body=None, timeout=10):
        return rest_post(self.http_port, path, body, timeout)

    def stop(self):
        stop(self.proc, term_first=True)

    def log(self):
        return tail(self.log_path)
