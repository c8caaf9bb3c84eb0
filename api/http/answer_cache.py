"""Encoded answers kept by what they are a function of, so an advice read again before anything
changed is not folded, validated and encoded again.

`GET /adviezen/{id}` answers from the views at the position they reached (read-your-writes),
for one municipality, advice and business date: the same key gives the same bytes. Any new event
moves the position, so an answer is never served for a later state than it was made from; old
keys simply age out (least recently used first). Time travel (`vastgelegdTot`) is not kept.
`ADVIESSPOOR_ANSWER_CACHE=0` switches it off.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class AnswerCache(Generic[V]):
    """At most `size` answers, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
