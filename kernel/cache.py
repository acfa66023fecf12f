"""What a cache that does not answer raises, named once for every caller.

Django's cache API has no error of its own. With `REDIS_URL` the caches are Redis, whose client
raises `redis.RedisError` (`ConnectionError` when the server is gone, `TimeoutError` when it
does not answer within the settings' socket timeouts); the embedded caches (local memory, the
database cache of the throttles) raise nothing of their own, and the database's errors are the
database's 503. A cache that is an optimisation catches `CACHE_ERRORS` and does without it; a
cache that something depends on (the throttle counts) turns them into a 503.
"""

from redis.exceptions import RedisError

CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError,)
