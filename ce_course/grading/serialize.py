"""Plain-data messages between the grader and its worker processes.

The grader never unpickles anything a submission produced. Values cross the process boundary as
JSON built from a few tagged forms, decoded on the grader's side with strict checks:

=================================  =================================================================
Python value                       encoded as
=================================  =================================================================
``None``, ``bool``, ``int``,       themselves (``nan`` and ``inf`` use Python's JSON extension)
``float``, short ``str``
NumPy array or scalar              ``{"$nd": [dtype, shape, base64 bytes]}``; numeric dtypes only
``complex``                        a 0-d ``complex128`` array
``tuple`` / ``list``               ``{"$tuple": [...]}`` / ``{"$list": [...]}``
``dict``                           ``{"$dict": [[key, value], ...]}`` (keys become strings)
anything else                      ``{"$obj": "module.TypeName"}``: only the name of its type
probe function (grader to worker)  ``{"$probe": [name, params]}``, see :mod:`.probes`
=================================  =================================================================

An ndarray subclass is sent as its raw data, so a subclass that overrides ``__eq__`` or
``__array_ufunc__`` cannot pretend to be equal to anything; an object with an ``__eq__`` that
always returns ``True`` arrives as ``{"$obj": ...}``, which is never equal to an array.

Messages are framed as a 4-byte big-endian length followed by the UTF-8 JSON text.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

__all__ = [
    "MAX_ARRAY_BYTES",
    "MAX_MESSAGE_BYTES",
    "EncodedObject",
    "ProtocolError",
    "decode",
    "encode",
    "frame",
    "read_frame",
]

MAX_MESSAGE_BYTES = 24 * 2**20
MAX_ARRAY_BYTES = 16 * 2**20
_MAX_DEPTH = 12
_MAX_ITEMS = 10_000
_MAX_TOTAL_ITEMS = 200_000
_MAX_STR = 500
_MAX_NDIM = 32
_HEADER = struct.Struct(">I")


class ProtocolError(ValueError):
    """A message from a worker that is not well-formed plain data."""


@dataclass(frozen=True)
class EncodedObject:
    """Stand-in for a value that is not plain data (a function, a custom class, ...).

    Attributes
    ----------
    type_name : str
        ``module.QualifiedName`` of the value's type, as the worker saw it.
    note : str
        Why it was not sent as data (``""``, ``"too large"``, ``"dtype object"``...).
    """

    type_name: str
    note: str = ""

    def describe(self) -> str:
        """A short phrase for feedback: ``"a FakeArray object"``."""
        name = self.type_name.rsplit(".", 1)[-1]
        return f"a {name} object" + (f" ({self.note})" if self.note else "")


def _type_name(value: Any) -> str:
    t = type(value)
    try:
        module = t.__module__
        qual = t.__qualname__
        if not isinstance(module, str) or not isinstance(qual, str):
            raise TypeError
    except BaseException:  # a hostile metaclass
        return "object"
    name = qual if module in ("builtins", "__main__") else f"{module}.{qual}"
    return name[:100]


def _encode_array(arr: np.ndarray, budget: list[int]) -> Any:
    base = np.ndarray.view(arr, np.ndarray) if type(arr) is not np.ndarray else arr
    dtype = base.dtype
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return {"$obj": "numpy.ndarray", "note": f"dtype {str(dtype)[:40]}"}
    if base.ndim > _MAX_NDIM:
        return {"$obj": "numpy.ndarray", "note": f"{base.ndim} dimensions"}
    nbytes = int(base.size) * dtype.itemsize
    if nbytes > min(MAX_ARRAY_BYTES, budget[0]):
        return {"$obj": "numpy.ndarray", "note": f"too large: shape {tuple(base.shape)}"}
    budget[0] -= nbytes
    native = base.astype(dtype.newbyteorder("="), copy=False)
    data = np.ascontiguousarray(native).tobytes()
    return {"$nd": [native.dtype.str, list(base.shape), base64.b64encode(data).decode("ascii")]}


def encode(value: Any, *, max_bytes: int = MAX_ARRAY_BYTES, _depth: int = 0, _budget=None) -> Any:
    """Turn ``value`` into JSON-ready plain data (see the module docstring).

    Never raises: whatever cannot be encoded becomes ``{"$obj": type name}``. Used by the worker
    on a submission's return values and by the grader on test inputs.

    Parameters
    ----------
    value : object
        What to encode.
    max_bytes : int
        Budget for the raw bytes of all arrays in ``value`` together.

    Returns
    -------
    object
        Nested dicts, lists, strings and numbers that :func:`json.dumps` accepts.

    Examples
    --------
    >>> import numpy as np
    >>> encode((1.5, np.array([1, 2], dtype=np.int8)))
    {'$tuple': [1.5, {'$nd': ['|i1', [2], 'AQI=']}]}
    """
    budget = [max_bytes, _MAX_TOTAL_ITEMS] if _budget is None else _budget
    try:
        return _encode(value, _depth, budget)
    except BaseException:  # a hostile __array__, __len__, __iter__...
        return {"$obj": _type_name(value), "note": "could not be read"}


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    t = type(value)
    if value is None or t is bool:
        return value
    if t is int:
        return value if abs(value) < 2**63 else {"$obj": "int", "note": "too large"}
    if t is float:
        return value
    if t is str:
        return value[:_MAX_STR]
    if depth >= _MAX_DEPTH:
        return {"$obj": _type_name(value), "note": "nested too deeply"}
    if issubclass(t, np.ndarray):
        return _encode_array(value, budget)
    if issubclass(t, np.generic):
        return _encode_array(np.asarray(np.ndarray.view(np.asarray(value), np.ndarray)), budget)
    if t is complex:
        return _encode_array(np.asarray(value, dtype=np.complex128), budget)
    if t is tuple or t is list or t is dict:
        budget[1] -= len(value)
        if budget[1] < 0:
            return {"$obj": t.__name__, "note": "too many items"}
    if t is tuple or t is list:
        if len(value) > _MAX_ITEMS:
            return {"$obj": t.__name__, "note": f"too long: {len(value)} items"}
        items = [encode(v, _depth=depth + 1, _budget=budget) for v in value]
        return {"$tuple" if t is tuple else "$list": items}
    if t is dict:
        if len(value) > _MAX_ITEMS:
            return {"$obj": "dict", "note": f"too long: {len(value)} items"}
        pairs = []
        for k, v in list(dict.items(value)):
            key = k if type(k) is str else f"{_type_name(k)}"
            pairs.append([key[:_MAX_STR], encode(v, _depth=depth + 1, _budget=budget)])
        return {"$dict": pairs}
    return {"$obj": _type_name(value)}


def _decode_array(spec: Any) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise ProtocolError("malformed array")
    dtype_str, shape, data = spec
    if not isinstance(dtype_str, str) or len(dtype_str) > 8:
        raise ProtocolError("malformed array dtype")
    try:
        dtype = np.dtype(dtype_str)
    except TypeError:
        raise ProtocolError(f"unknown dtype {dtype_str!r}") from None
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.itemsize > 32:
        raise ProtocolError(f"dtype {dtype_str!r} is not a plain numeric type")
    if (
        not isinstance(shape, list)
        or len(shape) > _MAX_NDIM
        or not all(type(n) is int and n >= 0 for n in shape)
    ):
        raise ProtocolError("malformed array shape")
    if not isinstance(data, str):
        raise ProtocolError("malformed array data")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ProtocolError("array data is not base64") from None
    size = math.prod(shape)
    if size * dtype.itemsize != len(raw):
        raise ProtocolError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(
    obj: Any,
    *,
    probe_factory: Callable[[str, Any], Any] | None = None,
    _depth: int = 0,
) -> Any:
    """Rebuild a value from :func:`encode`'s output, checking every part of it.

    Parameters
    ----------
    obj : object
        Parsed JSON.
    probe_factory : callable, optional
        ``probe_factory(name, params)`` builds the callable for a ``$probe`` entry. Only the
        worker passes one; on the grader's side a ``$probe`` from a worker is a protocol error.

    Returns
    -------
    object
        ``None``, bools, numbers, strings, ndarrays (always plain, owned, writable), tuples,
        lists, dicts of str keys, :class:`EncodedObject`.

    Raises
    ------
    ProtocolError
        On anything but the forms listed in the module docstring.

    Examples
    --------
    >>> decode({"$tuple": [1.5, {"$nd": ["|i1", [2], "AQI="]}]})
    (1.5, array([1, 2], dtype=int8))
    """
    if _depth > _MAX_DEPTH + 1:
        raise ProtocolError("nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is not dict or len(obj) not in (1, 2):
        raise ProtocolError(f"unexpected {type(obj).__name__} in a message")
    (tag, body), *rest = obj.items()
    if tag == "$nd" and not rest:
        return _decode_array(body)
    if tag in ("$tuple", "$list") and not rest and type(body) is list:
        items = [decode(v, probe_factory=probe_factory, _depth=_depth + 1) for v in body]
        return tuple(items) if tag == "$tuple" else items
    if tag == "$dict" and not rest and type(body) is list:
        out = {}
        for pair in body:
            if not (type(pair) is list and len(pair) == 2 and type(pair[0]) is str):
                raise ProtocolError("malformed dict entry")
            out[pair[0]] = decode(pair[1], probe_factory=probe_factory, _depth=_depth + 1)
        return out
    if tag == "$obj" and type(body) is str:
        note = rest[0][1] if rest and rest[0][0] == "note" and type(rest[0][1]) is str else ""
        return EncodedObject(body[:100], note[:100])
    if tag == "$probe" and not rest and probe_factory is not None:
        if not (type(body) is list and len(body) == 2 and type(body[0]) is str):
            raise ProtocolError("malformed probe")
        params = decode(body[1], probe_factory=None, _depth=_depth + 1)
        return probe_factory(body[0], params)
    raise ProtocolError(f"unexpected entry {tag!r} in a message")


def frame(message: Any, *, max_bytes: int = MAX_MESSAGE_BYTES) -> bytes:
    """Serialise one message: a 4-byte length, then compact JSON (at most ``max_bytes``)."""
    payload = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(payload) > max_bytes:
        raise ValueError(f"frame: message of {len(payload)} bytes is too large")
    return _HEADER.pack(len(payload)) + payload


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> Any:
    """Read one framed message; ``None`` at a clean end of stream.

    Raises
    ------
    ProtocolError
        On a truncated frame, an oversized one, or text that is not JSON.
    """
    header = _read_exact(stream, _HEADER.size)
    if not header:
        return None
    if len(header) != _HEADER.size:
        raise ProtocolError("truncated message header")
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {size} bytes is too large")
    payload = _read_exact(stream, size)
    if len(payload) != size:
        raise ProtocolError("truncated message")
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ProtocolError("message is not valid JSON") from None
