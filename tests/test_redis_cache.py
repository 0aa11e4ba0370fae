"""The Redis cache keeps one client per server (casedesk/redis_cache.py) and still works
where a kept object could go wrong: in a forked process (Celery's prefork pool forks with
Django loaded), after its connections are dropped, and with several servers."""

from __future__ import annotations

import multiprocessing
import os
import uuid

import pytest
from django.core.cache import cache, caches

from casedesk.redis_cache import RedisCache

pytestmark = pytest.mark.redis

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def redis_cache() -> RedisCache:
    # The redis mark has skipped (or, under CI, failed) the test without TEST_REDIS_URL;
    # with it the test settings make the cache Redis, through this backend.
    default = caches["default"]
    assert isinstance(default, RedisCache)
    return default


def test_every_call_uses_the_same_client(redis_cache):
    first = redis_cache._cache.get_client(write=True)
    redis_cache.set("kept-client", "one")
    assert redis_cache.get("kept-client") == "one"
    assert redis_cache._cache.get_client() is first


def _child(key: str, queue) -> None:
    queue.put(cache.get(key))
    cache.set(f"{key}:child", os.getpid())


def test_a_forked_process_reads_and_writes_through_the_kept_client(redis_cache):
    key = f"forked-{uuid.uuid4().hex}"
    redis_cache.set(key, "from the parent")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(key, queue))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == "from the parent"
    assert redis_cache.get(f"{key}:child") == child.pid
    # The parent's own connections were left alone by the child.
    assert redis_cache.get(key) == "from the parent"


def test_dropped_connections_are_made_again(redis_cache):
    redis_cache.set("dropped", 1)
    client = redis_cache._cache.get_client(write=True)
    # As when Redis restarts or a proxy closes idle connections: the pool's connection
    # is closed from the server's side (only ours: other tests' workers share Redis).
    client.client_kill_filter(_id=client.client_id(), skipme=False)
    assert redis_cache.get("dropped") == 1


def test_with_several_servers_writes_go_to_the_first_and_reads_to_the_others():
    base = TEST_REDIS_URL.rsplit("/", 1)[0]
    # Two databases of one server stand for a primary and its replica.
    several = RedisCache(f"{base}/13,{base}/14", {"KEY_PREFIX": f"several-{uuid.uuid4().hex}"})
    try:
        several.set("where", "written")
        assert several.get("where") is None  # read from the second, which has nothing
        writer = several._cache.get_client(write=True)
        reader = several._cache.get_client()
        assert writer is not reader
        assert several._cache.get_client(write=True) is writer
        assert several._cache.get_client() is reader
        reader.set(several.make_key("where"), several._cache._serializer.dumps("replicated"))
        assert several.get("where") == "replicated"
    finally:
        several._cache.get_client(write=True).delete(several.make_key("where"))
        reader.delete(several.make_key("where"))
