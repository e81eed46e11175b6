"""Rate limits and one-time marks shared by every app process through one storage.

``OPCERT_REDIS_URL`` set: the counts live in Redis, so every process and machine sees the same
count and a used captcha token is refused everywhere. Unset: in memory (one process, for
development and tests). The limiter is the ``limits`` library's moving window.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from opcert.domain.errors import DomainError
from opcert.services.abuse.addresses import Network, client_address, counted_as, parse_networks
from opcert.services.abuse.policy import Limit, Per, default_policy

log = logging.getLogger(__name__)
RETRY_WHEN_STORE_DOWN = 30
T = TypeVar("T")


class TooManyRequests(DomainError):
    """A named limit is used up; ``retry_after`` whole seconds until one more request fits."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        wait = _human_wait(retry_after)
        super().__init__(
            "TOO_MANY_REQUESTS",
            f"{limit.refusal_zh}，请 {wait[0]} 后再试",
            f"{limit.refusal_en}: try again in {wait[1]}",
        )
        self.limit = limit.name
        self.retry_after = retry_after


class AbuseStoreUnavailable(DomainError):
    """The shared store (Redis) did not answer: refuse rather than run without limits."""

    def __init__(self) -> None:
        super().__init__(
            "ABUSE_STORE_UNAVAILABLE",
            "服务繁忙，请稍后再试",
            "the service is busy: try again shortly",
        )
        self.retry_after = RETRY_WHEN_STORE_DOWN


def _human_wait(seconds: int) -> tuple[str, str]:
    if seconds < 120:
        return f"{seconds} 秒", f"{seconds} s"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} 分钟", f"{minutes} min"
    hours = math.ceil(minutes / 60)
    return f"{hours} 小时", f"{hours} h"


class AbuseControls:
    """The policy's limits over one storage; built once per process by ``opcert.bootstrap``.

    ``prefix`` separates deployments (and test runs) sharing one Redis.
    """

    def __init__(
        self,
        redis_url: str | None = None,
        *,
        policy: dict[str, Limit] | None = None,
        trusted_proxies: Sequence[str] = (),
        prefix: str = "opcert",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy or default_policy()
        self.proxies: tuple[Network, ...] = parse_networks(trusted_proxies)
        self.prefix = prefix
        self.clock = clock
        self.redis: redis.Redis | None = None
        if redis_url is None:
            self.storage: MemoryStorage | RedisStorage = MemoryStorage()
        else:
            # One connection pool for the limiter and the one-time marks.
            self.redis = redis.Redis.from_url(
                redis_url, socket_timeout=2.0, socket_connect_timeout=2.0
            )
            self.storage = RedisStorage(
                redis_url,
                connection_pool=self.redis.connection_pool,
                key_prefix=f"{prefix}:limits",
                wrap_exceptions=True,
            )
        self.limiter = MovingWindowRateLimiter(self.storage)

    # -- addresses -----------------------------------------------------------------------------

    def client_address(self, peer: str | None, forwarded_for: Sequence[str]) -> str:
        return client_address(peer, forwarded_for, self.proxies)

    # -- limits --------------------------------------------------------------------------------

    def hit(self, name: str, subject: str) -> None:
        """Count one request of ``subject`` against limit ``name``; TooManyRequests when any
        part of its rule is used up (the refused request is not counted)."""
        limit, key = self._limit(name), self._key(name, subject)
        self._refuse_if_full(limit, key)
        for item in limit.items:
            if not self._store(self.limiter.hit, item, key):
                raise TooManyRequests(limit, self._wait(limit, key))

    def check(self, name: str, subject: str) -> None:
        """TooManyRequests when ``subject`` has no room left under ``name``; counts nothing."""
        self._refuse_if_full(self._limit(name), self._key(name, subject))

    def record(self, name: str, subject: str) -> None:
        """Count one event (a failure, a code sent) without refusing anything now."""
        limit, key = self._limit(name), self._key(name, subject)
        for item in limit.items:
            self._store(self.limiter.hit, item, key)

    def forget(self, name: str, subject: str) -> None:
        limit, key = self._limit(name), self._key(name, subject)
        for item in limit.items:
            self._store(self.limiter.clear, item, key)

    def remaining(self, name: str, subject: str) -> int:
        limit, key = self._limit(name), self._key(name, subject)
        return min(
            self._store(self.limiter.get_window_stats, item, key).remaining for item in limit.items
        )

    def _refuse_if_full(self, limit: Limit, key: str) -> None:
        for item in limit.items:
            if not self._store(self.limiter.test, item, key):
                raise TooManyRequests(limit, self._wait(limit, key))

    def _wait(self, limit: Limit, key: str) -> int:
        now = self.clock()
        waits = [self._store(self.limiter.get_window_stats, item, key) for item in limit.items]
        longest = max(
            (stats.reset_time - now for stats in waits if stats.remaining <= 0), default=1
        )
        return max(1, math.ceil(longest))

    def _limit(self, name: str) -> Limit:
        return self.policy[name]

    def _key(self, name: str, subject: str) -> str:
        per = self.policy[name].per
        if per is Per.ADDRESS:
            value = counted_as(subject)
        elif per is Per.ID_NUMBER:
            value = subject.strip().upper()
        else:
            value = subject.strip().casefold()
        # ID numbers and account names are not written into the store as they are; the hash
        # also bounds the key length whatever was typed.
        return f"{name}:{hashlib.sha256(value.encode('utf-8', 'replace')).hexdigest()[:32]}"

    # -- one-time marks ------------------------------------------------------------------------

    def consume_once(self, kind: str, token: str, ttl: int) -> bool:
        """True the first time ``token`` of ``kind`` is presented, False every later time, on
        any process sharing the store, for ``ttl`` seconds. Redis: one ``SET NX EX``."""
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        key = f"{self.prefix}:once:{kind}:{digest}"
        ttl = max(1, int(ttl))
        if self.redis is not None:
            return bool(self._store(self.redis.set, key, b"1", nx=True, ex=ttl))
        return self.storage.incr(key, ttl) == 1

    # -- housekeeping --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every count and mark under this prefix (tests; an operator after an incident)."""
        self._store(self.storage.reset)
        if self.redis is not None:
            keys = list(self.redis.scan_iter(match=f"{self.prefix}:once:*", count=1000))
            if keys:
                self.redis.delete(*keys)

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()

    def _store(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return call(*args, **kwargs)
        except (StorageError, redis.RedisError, OSError) as error:
            log.warning("abuse store unavailable: %s", type(error).__name__)
            raise AbuseStoreUnavailable() from None
