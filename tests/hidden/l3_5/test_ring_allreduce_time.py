"""Hidden checks for `ring_allreduce_time`: T = 2 (p - 1) (latency + num_bytes / (p bandwidth)) on
several settings, a Python float, 0.0 for one worker, latency alone for an empty message, and
ValueError for impossible settings."""

from __future__ import annotations

from looplab.checks import (as_float, assert_float, describe, diagnose, expect, expect_raises, points)

from .yardsticks import ring_time

NAME = "ring_allreduce_time"
MESSAGES = {
    "one_phase": "only the reduce-scatter phase is counted: the all-gather sends p - 1 more chunks, "
                 "2 (p - 1) steps in all",
    "whole_message": "each step sends the whole message; the ring sends a chunk of num_bytes / p per step",
    "latency_once": "latency is paid once; it is paid on each of the 2 (p - 1) steps",
    "p_not_p_minus_1": "the ring has 2 (p - 1) steps, not 2 p",
}


@points(NAME, 2)
def test_matches_the_ring_formula(student):
    for p, n, bw, lat in ((2, 1e6, 1e9, 1e-5), (8, 4e8, 1.25e10, 5e-6), (64, 1.4e10, 5e10, 2e-5),
                          (3, 1000.0, 1e6, 1e-3), (1024, 1e9, 2.5e10, 1e-6)):
        got = as_float(student.call(NAME, p, n, bw, lat)["result"], NAME)
        setting = describe(num_workers=p, num_bytes=n, bandwidth=bw, latency=lat)
        assert_float(got, ring_time(p, n, bw, lat), what=NAME, setting=setting, rtol=1e-9, atol=1e-15,
                     diagnose=lambda: diagnose(got, ((m, (lambda k=k: ring_time(p, n, bw, lat, k)))
                                                     for k, m in MESSAGES.items()),
                                               same=lambda a, b: abs(a - b) <= 1e-9 * abs(b) + 1e-15))


@points(NAME, 1)
def test_one_worker_empty_message_and_float(student):
    got = student.call(NAME, 1, 1e9, 1e9, 1e-5)["result"]
    expect(type(got) is float and got == 0.0,
           f"{NAME}(num_workers=1, ...) returned {got!r}; one worker exchanges nothing: 0.0, a Python float")
    got = as_float(student.call(NAME, 16, 0.0, 1e9, 1e-5)["result"], NAME, strict=True)
    assert_float(got, 30 * 1e-5, what=NAME, setting=describe(num_workers=16, num_bytes=0.0, latency=1e-5),
                 rtol=1e-9, atol=1e-15,
                 diagnose=lambda: MESSAGES["latency_once"] if abs(got - 1e-5) < 1e-12 else None)


@points(NAME, 1)
def test_impossible_settings_raise(student):
    for args, setting in (((0, 1e6, 1e9, 1e-5), "num_workers=0"), ((4, -1.0, 1e9, 1e-5), "num_bytes=-1"),
                          ((4, 1e6, 0.0, 1e-5), "bandwidth=0"), ((4, 1e6, 1e9, -1e-5), "latency=-1e-5")):
        expect_raises(student, NAME, args, "ValueError", setting=setting)
