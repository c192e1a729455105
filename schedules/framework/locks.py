"""One run per interface and job at a time. PostgreSQL: a session advisory lock, released by
the server if the worker dies. Elsewhere (SQLite): a lock row with an expiry, kept alive by a
heartbeat while the run lives."""

import datetime as dt
import logging
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import JobLock

logger = logging.getLogger(__name__)


# The lock, and server-side TCP keepalives for the session that holds it: if the worker's host
# is lost, the server drops the session (and the lock) within about two minutes, not hours.
_TRY_ADVISORY_LOCK = (
    "SELECT pg_try_advisory_lock(%s), set_config('tcp_keepalives_idle', '60', false), "
    "set_config('tcp_keepalives_interval', '10', false), "
    "set_config('tcp_keepalives_count', '6', false)"
)


def advisory_key(interface_id: int, job: str) -> int:
    """A signed 64-bit key: the job's CRC-32 in the high half, the interface id in the low."""
    key = (zlib.crc32(job.encode()) << 32) | (interface_id & 0xFFFFFFFF)
    return key - (1 << 64) if key >= (1 << 63) else key


class Lock:
    def __init__(self, *, interface_id: int, job: str):
        self.interface_id = interface_id
        self.job = job
        self.acquired = False
        self.token = uuid.uuid4().hex
        self.key = advisory_key(interface_id, job)
        self.advisory = connection.vendor == "postgresql"
        self._session = None

    def acquire(self) -> bool:
        if self.advisory:
            with connection.cursor() as cursor:
                cursor.execute(_TRY_ADVISORY_LOCK, [self.key])
                self.acquired = bool(cursor.fetchone()[0])
            # The session that holds the lock: if it is lost, so is the lock (server side).
            self._session = connection.connection
            return self.acquired
        now = timezone.now()
        try:
            with transaction.atomic():
                JobLock.objects.filter(
                    interface_id=self.interface_id, job=self.job, expires_at__lt=now
                ).delete()
                JobLock.objects.create(
                    interface_id=self.interface_id, job=self.job, token=self.token,
                    expires_at=now + self._ttl(),
                )
        except IntegrityError:
            self.acquired = False
        else:
            self.acquired = True
        return self.acquired

    def refresh(self) -> None:
        """Push the expiry of a lock row back (long jobs call it through their progress)."""
        if self.acquired and not self.advisory:
            JobLock.objects.filter(token=self.token).update(
                expires_at=timezone.now() + self._ttl()
            )

    @contextmanager
    def heartbeat(self) -> Iterator[None]:
        """While the block runs, push the lock row's expiry back every fifth of its TTL, so a
        run that reports no progress for a while is not taken for dead. Advisory locks need
        none: the server releases them when the session ends."""
        if not self.acquired or self.advisory:
            yield
            return
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(stop,), daemon=True,
                                name=f"job-heartbeat-{self.job}")
        beat.start()
        try:
            yield
        finally:
            stop.set()
            beat.join()

    def _beat(self, stop: threading.Event) -> None:
        interval = max(1.0, settings.SCHEDULES_LOCK_TTL / 5)
        try:
            while not stop.wait(interval):
                try:
                    self.refresh()
                except Exception:  # noqa: BLE001 - a missed beat is logged, the next may work
                    logger.warning("Heartbeat of the %s lock of interface %s failed", self.job,
                                   self.interface_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def release(self) -> None:
        if not self.acquired:
            return
        self.acquired = False
        if self.advisory:
            if connection.connection is not self._session:
                return  # its session was lost, and the server released the lock with it
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            except Exception:
                # The session is broken: closing it is what releases the lock then.
                logger.exception("Could not release advisory lock %s; closing the connection",
                                 self.key)
                connection.close()
            return
        JobLock.objects.filter(token=self.token).delete()

    @staticmethod
    def _ttl() -> dt.timedelta:
        return dt.timedelta(seconds=settings.SCHEDULES_LOCK_TTL)


@contextmanager
def job_lock(*, interface_id: int, job: str) -> Iterator[Lock]:
    """Try the lock without waiting; `lock.acquired` says whether this caller holds it."""
    lock = Lock(interface_id=interface_id, job=job)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()
