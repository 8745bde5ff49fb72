#!/usr/bin/python3
"""Writes test/fixtures/float32-vectors.json: calculator vectors computed by numpy's float32 arithmetic, an
implementation independent of the server (JavaScript doubles and Math.fround) and of the BigInt oracle.

numpy computes float32 + - * / as IEEE 754 single-precision operations, each correctly rounded to nearest,
ties to even: the result the calculator's contract asks for. Operands are float32 bit patterns: random ones
from a seeded generator plus the edges (zeros, subnormals, the largest finite value, values around 1).

    /usr/bin/python3 apps/reliability/scripts/float32-vectors.py    # Debian: apt-get install python3-numpy
"""
import json
import pathlib

import numpy as np

OPERATIONS = ["ADD", "SUBTRACT", "MULTIPLY", "DIVIDE"]  # names from calculator.proto's Operation
SEED = 20261201
COUNT = 2000

rng = np.random.default_rng(SEED)
edges = np.array(
    [0.0, -0.0, 1.0, -1.0, 1.5, 3.0, 0.1, 2.0**-149, -(2.0**-149), 2.0**-126, 2.0**-24, 1.0 + 2.0**-23,
     3.4028234663852886e38, -3.4028234663852886e38, 2.0**104, 2.0**127],
    dtype=np.float32,
)


def finite_float32(n):
    """n random finite float32 values, spread over every exponent (random bit patterns, NaN/Inf redrawn)."""
    out = np.empty(0, dtype=np.float32)
    while out.size < n:
        values = rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32).view(np.float32)
        out = np.concatenate([out, values[np.isfinite(values)]])
    return out[:n]


def bits(value):
    return int(np.float32(value).view(np.uint32))


vectors = []
pairs = [(a, b) for a in edges for b in edges]
pairs += list(zip(finite_float32(COUNT), finite_float32(COUNT)))
with np.errstate(all="ignore"):
    for index, (a, b) in enumerate(pairs):
        operation = index % 4
        a, b = np.float32(a), np.float32(b)
        if operation == 3 and b == 0:
            expected = "INVALID_ARGUMENT"
        else:
            result = [a + b, a - b, a * b, a / b][operation]
            expected = f"{bits(result):08x}" if np.isfinite(result) else "OUT_OF_RANGE"
        vectors.append([f"{bits(a):08x}", f"{bits(b):08x}", OPERATIONS[operation], expected])

out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "float32-vectors.json"
out.write_text(
    json.dumps(
        {
            "generator": "apps/reliability/scripts/float32-vectors.py",
            "numpy": np.__version__,
            "seed": SEED,
            "format": "[first operand bits, second operand bits, operation, result bits | status name]",
            "vectors": vectors,
        },
        separators=(",", ":"),
    )
    + "\n"
)
print(f"wrote {len(vectors)} vectors to {out}")
