"""Identifier bytes come from a buffer of the OS's CSPRNG: each byte handed out once, in
any thread, and never in both a forked child and its parent."""

from __future__ import annotations

import os
import threading

import pytest

from folio import entropy
from folio.db.base import new_public_id, new_uuid


def test_draws_have_the_length_asked_for_across_block_boundaries() -> None:
    sizes = [1, 7, 16, 24, entropy.BLOCK - 3, 5, entropy.BLOCK * 2 + 1, 16]
    assert [len(entropy.random_bytes(n)) for n in sizes] == sizes


def test_threads_are_never_handed_the_same_bytes() -> None:
    drawn: list[bytes] = []
    lock = threading.Lock()

    def draw() -> None:
        mine = [entropy.random_bytes(16) for _ in range(2_000)]
        with lock:
            drawn.extend(mine)

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(drawn)) == len(drawn) == 16_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_repeat_its_parents_bytes() -> None:
    entropy.random_bytes(8)  # the buffer holds bytes the parent has not handed out yet
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its first draw and leave at once
        os.write(write_end, entropy.random_bytes(32))
        os._exit(0)
    os.close(write_end)
    parents = entropy.random_bytes(32)
    childs = os.read(read_end, 32)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert len(childs) == 32
    assert childs != parents


def test_ids_drawn_from_it_are_distinct_and_well_formed() -> None:
    uuids = {new_uuid() for _ in range(5_000)}
    ids = {new_public_id("in") for _ in range(5_000)}
    assert len(uuids) == len(ids) == 5_000
    assert all(u[14] == "4" and u[19] in "89ab" for u in uuids)
    assert all(len(i) == 27 and i[3:].isalnum() for i in ids)
