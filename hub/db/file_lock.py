"""The turn to write to an SQLite file across processes: an exclusive `flock` on a file beside it.

Two `hub run` workers and `hub worker` write to one file. Meeting at SQLite's own lock, a writer
that finds it taken sleeps in the busy handler with back-off (up to 100 ms a try) while the other
process may take the lock again and again: under load a few writes waited seconds. The kernel
wakes a process waiting on `flock` as soon as the lock is let go.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path


class FileWriteLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0
        # One thread waits on the lock at a time; a wait given up still ends in this thread,
        # so the next one queues behind it instead of taking a pooled connection's thread.
        self._waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-write-turn")

    def _descriptor(self) -> int:
        """The lock file opened in this process: a descriptor inherited through a fork shares its
        lock with the parent, so a child opens its own."""
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    async def acquire(self) -> None:
        fd = self._descriptor()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waiting = self._waiter.submit(fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.shield(asyncio.wrap_future(waiting))
        except BaseException:
            # Given up (a timeout or a cancelled request): the lock is let go once it comes.
            waiting.add_done_callback(self._let_go_when_taken)
            raise

    def release(self) -> None:
        fcntl.flock(self._descriptor(), fcntl.LOCK_UN)

    def _let_go_when_taken(self, waiting: Future[None]) -> None:
        if not waiting.cancelled() and waiting.exception() is None:
            self.release()

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
