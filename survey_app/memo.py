"""Values made once per process from objects that never change (parsed questionnaire
versions, their items, the views drawn from them), keyed by those very objects."""

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

Value = TypeVar("Value")


def by_identity(
    cache: dict, objects: Sequence, extra: Hashable, make: Callable[[], Value]
) -> Value:
    """`make()` for these objects (and `extra`, such as a language), kept in `cache`.
    Keyed by the objects' ids, not their contents: hashing a questionnaire would cost
    what the cache saves. The objects are kept with the value, so that their ids cannot
    be reused by others while they are keys."""
    key = (*map(id, objects), extra)
    cached = cache.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], objects, strict=True)):
        cached = cache[key] = (tuple(objects), make())
    return cached[1]
