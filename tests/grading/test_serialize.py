"""Plain-data messages between the grader and its workers (``ce_course.grading.serialize``)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from ce_course.grading.serialize import (
    EncodedObject,
    ProtocolError,
    decode,
    encode,
    frame,
    read_frame,
)


def roundtrip(value):
    return decode(json.loads(json.dumps(encode(value))))


@pytest.mark.parametrize(
    "arr",
    [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.array([1 + 2j, 3 - 1j]),
        np.array([True, False]),
        np.array(3.5),
        np.zeros((0, 4)),
        np.array([np.nan, np.inf, -np.inf]),
        np.arange(5, dtype=">i4"),
        np.arange(12.0).reshape(3, 4).T,
    ],
)
def test_arrays_roundtrip_exactly(arr: np.ndarray) -> None:
    out = roundtrip(arr)
    assert type(out) is np.ndarray
    assert out.shape == arr.shape
    assert out.dtype == arr.dtype.newbyteorder("=")
    assert out.tobytes() == arr.astype(arr.dtype.newbyteorder("=")).tobytes()
    assert out.flags.writeable


def test_structures_keep_their_kind() -> None:
    value = (1, 2.5, None, True, [np.float32(1.5), {"W1": np.ones(2)}], "text")
    out = roundtrip(value)
    assert isinstance(out, tuple) and isinstance(out[4], list) and isinstance(out[4][1], dict)
    assert out[0] == 1 and out[1] == 2.5 and out[2] is None and out[3] is True
    assert out[4][0].dtype == np.float32 and out[4][0].shape == ()
    assert out[5] == "text"
    assert np.isnan(roundtrip(float("nan")))


def test_objects_become_names_only() -> None:
    class FakeArray:
        def __eq__(self, other):
            return True

        def __array__(self, *args, **kwargs):
            raise RuntimeError("never called")

    out = roundtrip(FakeArray())
    assert isinstance(out, EncodedObject)
    assert out.type_name.endswith("FakeArray")
    assert out != np.zeros(3).tolist()
    assert isinstance(roundtrip(lambda x: x), EncodedObject)
    assert isinstance(roundtrip(np.array(["a"])), EncodedObject)
    assert isinstance(roundtrip(np.array([1.0, None], dtype=object)), EncodedObject)
    assert isinstance(roundtrip(10**100), EncodedObject)


def test_ndarray_subclass_is_sent_as_its_data() -> None:
    class Always(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, dtype=bool)

    out = roundtrip(np.arange(3.0).view(Always))
    assert type(out) is np.ndarray
    assert out.tolist() == [0.0, 1.0, 2.0]


def test_subclassed_containers_are_not_trusted() -> None:
    class Sneaky(list):
        def __iter__(self):
            raise RuntimeError("boom")

    assert isinstance(roundtrip(Sneaky([1, 2])), EncodedObject)


def test_size_and_depth_limits() -> None:
    big = encode(np.zeros(1000), max_bytes=100)
    assert "too large" in decode(big).note
    deep: list = []
    for _ in range(40):
        deep = [deep]
    out = roundtrip(deep)
    depth = 0
    while isinstance(out, list):
        out, depth = out[0], depth + 1
    assert isinstance(out, EncodedObject) and depth < 20


@pytest.mark.parametrize(
    "bad",
    [
        {"$nd": ["|O", [1], "AAAAAAAAAAA="]},
        {"$nd": ["<f8", [2], "AAAAAAAAAAA="]},
        {"$nd": ["<f8", [-1], ""]},
        {"$nd": ["<f8", [1], "not base64!"]},
        {"$nd": ["V8", [1], "AAAAAAAAAAA="]},
        {"$probe": ["poly", {"$dict": []}]},
        {"$eval": "__import__('os')"},
        {"a": 1, "b": 2, "c": 3},
        {"$dict": [[1, 2]]},
        [1, 2],
    ],
)
def test_decode_rejects_anything_else(bad) -> None:
    with pytest.raises(ProtocolError):
        decode(bad)


def test_probes_only_with_a_factory() -> None:
    made = decode(
        {"$probe": ["poly", encode({"a": np.ones(2)})]},
        probe_factory=lambda name, params: (name, params["a"].tolist()),
    )
    assert made == ("poly", [1.0, 1.0])


def test_frames() -> None:
    stream = io.BytesIO(frame({"type": "case", "value": encode(np.ones(2))}) + frame({"x": 1}))
    assert read_frame(stream)["type"] == "case"
    assert read_frame(stream) == {"x": 1}
    assert read_frame(stream) is None
    with pytest.raises(ProtocolError, match="truncated"):
        read_frame(io.BytesIO(frame({"x": 1})[:-2]))
    with pytest.raises(ProtocolError, match="too large"):
        read_frame(io.BytesIO(b"\xff\xff\xff\xff"))
    with pytest.raises(ProtocolError, match="JSON"):
        read_frame(io.BytesIO(b"\x00\x00\x00\x03abc"))
