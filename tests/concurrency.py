"""Requests released together, for the race tests: `at_once(n, call)` runs call(0..n-1) in n
threads that start at the same moment (a barrier) and returns their results in order."""
from __future__ import annotations

import threading


def at_once(n: int, call) -> list:
    start, results = threading.Barrier(n), [None] * n

    def one(i):
        start.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
