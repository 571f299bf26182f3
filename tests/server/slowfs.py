#!/usr/bin/python3
# slowfs.py — a slow disk for tests: a FUSE file system that passes everything through to
# a folder, but takes DELAY seconds for every write, as a dying USB stick or a network
# share does.
#
#   /usr/bin/python3 slowfs.py BACKING MOUNTPOINT DELAY
#
# Runs in the foreground until the mount point is unmounted (`fusermount -u` or
# `umount -l`). Needs Debian's python3-fuse and /dev/fuse (root, or a user in the fuse group).
# SPDX-License-Identifier: GPL-3.0-or-later

import errno
import os
import sys
import time

import fuse

fuse.fuse_python_api = (0, 2)


class SlowFS(fuse.Fuse):
    def __init__(self, backing, delay, *args, **kw):
        super().__init__(*args, **kw)
        self.backing = backing
        self.delay = delay

    def _path(self, path):
        return os.path.join(self.backing, path.lstrip('/'))

    def getattr(self, path):
        try:
            return os.lstat(self._path(path))
        except OSError as e:
            return -e.errno

    def readdir(self, path, offset):
        for name in ['.', '..'] + os.listdir(self._path(path)):
            yield fuse.Direntry(name)

    def statfs(self):
        return os.statvfs(self.backing)

    def mkdir(self, path, mode):
        os.mkdir(self._path(path), mode)

    def rmdir(self, path):
        os.rmdir(self._path(path))

    def unlink(self, path):
        os.unlink(self._path(path))

    def rename(self, old, new):
        os.rename(self._path(old), self._path(new))

    def link(self, target, name):
        os.link(self._path(target), self._path(name))

    def truncate(self, path, size):
        os.truncate(self._path(path), size)

    def chmod(self, path, mode):
        os.chmod(self._path(path), mode)

    def utimens(self, path, ts_acc, ts_mod):
        os.utime(self._path(path), ns=(ts_acc.tv_sec * 10**9 + ts_acc.tv_nsec,
                                       ts_mod.tv_sec * 10**9 + ts_mod.tv_nsec))

    def open(self, path, flags):
        try:
            os.close(os.open(self._path(path), flags & ~(os.O_CREAT | os.O_EXCL | os.O_TRUNC)))
        except OSError as e:
            return -e.errno
        return 0

    def create(self, path, flags, mode):
        try:
            os.close(os.open(self._path(path), flags | os.O_CREAT, mode))
        except OSError as e:
            return -e.errno
        return 0

    def read(self, path, size, offset):
        with open(self._path(path), 'rb') as f:
            f.seek(offset)
            return f.read(size)

    def write(self, path, buf, offset):
        time.sleep(self.delay)
        fd = os.open(self._path(path), os.O_WRONLY)
        try:
            return os.pwrite(fd, buf, offset)
        finally:
            os.close(fd)

    def fsync(self, path, isfsyncfile):
        return 0

    def flush(self, path):
        return 0

    def release(self, path, flags):
        return 0


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    backing, mountpoint, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
    server = SlowFS(os.path.abspath(backing), delay, version='slowfs', usage='',
                    dash_s_do='setsingle')
    # Foreground, one thread, big writes let through as the kernel sends them.
    server.parse(['slowfs', mountpoint, '-f', '-s', '-o', 'big_writes'], errex=1)
    server.main()
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except OSError as e:
        print(f'slowfs: {e}', file=sys.stderr)
        sys.exit(errno.EIO)
