"""inotify(7) through ctypes: recursive watches over a Tree, names of the changed files."""

from __future__ import annotations

import ctypes
import errno
import os
import struct

from .files import Tree

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_ISDIR = 0x1000000, 0x2000000, 0x4000000, 0x40000000
IN_NONBLOCK, IN_CLOEXEC = 0o4000, 0o2000000
WATCH_MASK = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
    | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
)
EVENT = struct.Struct("iIII")


class Inotify:
    """inotify(7) through ctypes: recursive watches, names of changed files."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        fd: int = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1: " + os.strerror(ctypes.get_errno()))
        self.fd = fd
        self.paths: dict[int, str] = {}
        for root in tree.roots:
            self.add_tree(root)

    def fileno(self) -> int:
        return self.fd

    def add_tree(self, top: str) -> None:
        for directory in self.tree.dirs(top):
            wd: int = self.libc.inotify_add_watch(self.fd, os.fsencode(directory), WATCH_MASK)
            if wd < 0:
                err = ctypes.get_errno()
                if err in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                    continue
                raise OSError(err, f"inotify_add_watch {directory}: {os.strerror(err)}")
            self.paths[wd] = directory

    def read(self) -> tuple[set[str], bool]:
        """(changed wanted paths, rescan needed) from the events waiting."""
        changed: set[str] = set()
        rescan = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            except InterruptedError:
                continue
            if not data:
                break
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size : offset + EVENT.size + length].rstrip(b"\0")
                offset += EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    rescan = True
                    continue
                directory = self.paths.get(wd)
                if mask & IN_IGNORED:
                    self.paths.pop(wd, None)
                    continue
                if directory is None:
                    continue
                if not name:  # the watched directory itself went away or moved
                    if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                        rescan = True
                    continue
                path = os.path.join(directory, os.fsdecode(name))
                if mask & IN_ISDIR:
                    if not self.tree.wanted_dir(os.path.basename(path)):
                        continue
                    if mask & (IN_CREATE | IN_MOVED_TO):
                        self.add_tree(path)
                        changed.update(self.tree.snapshot(path))
                    elif mask & (IN_MOVED_FROM | IN_DELETE):
                        rescan = True
                elif self.tree.wanted_path(path):
                    changed.add(path)
        return changed, rescan

    def close(self) -> None:
        os.close(self.fd)
