#!/usr/bin/env python3
"""Fixtures for the small dtypes (engine/test/dtypes-small.test.ts): int8, uint8, int16 and
bfloat16 next to the others.

Run with Debian's numpy: /usr/bin/python3 scripts/gen_dtype_fixtures.py

- arithmetic: numpy's answers on int8/uint8/int16 arrays (wraparound included, numpy wraps as C
  and XLA do), and on bfloat16 arrays: numpy has no bfloat16, so the oracle computes in float32
  and rounds the result to bfloat16 by bit manipulation (round to nearest even on the upper 16
  bits of the float32), which is what XLA does for a bfloat16 op;
- casts between every pair of dtypes, on values where numpy defines the result (float to int only
  in the target's range: numpy leaves the rest undefined);
- promotion: JAX's table (jax.readthedocs.io, "Type promotion semantics") for our dtypes, in x32
  mode (int64 becomes int32). Where JAX and numpy agree (two ints, two IEEE floats) numpy's
  promote_types is the oracle; an int with a float gives the float (JAX's rule, numpy widens);
  bfloat16 with an int or bool gives bfloat16, with float16 or float32 float32, with float64
  float64 (JAX's table; numpy has no bfloat16);
- bfloat16 rounding of float32 values (ties, subnormals, overflow, NaN, inf);
- reductions: jnp.sum / prod / cumsum of small ints accumulate in int32 (uint8 in uint32); max
  keeps the dtype; an explicit dtype= wraps.
"""
import json, os
import numpy as np

rng = np.random.default_rng(16)
INTS = ["int8", "uint8", "int16"]
ALL = ["bool", "int8", "uint8", "int16", "int32", "uint32", "bfloat16", "float16", "float32", "float64"]


def bf16(x):
    """float32 -> nearest bfloat16 (ties to even), as float32; NaN kept."""
    x = np.atleast_1d(np.asarray(x, dtype=np.float32))
    b = x.view(np.uint32).astype(np.uint64)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), x, r)


def enc(x):
    out = []
    for v in np.asarray(x).ravel().tolist():
        if isinstance(v, float) and np.isnan(v): out.append("nan")
        elif isinstance(v, float) and np.isinf(v): out.append("inf" if v > 0 else "-inf")
        else: out.append(v)
    return out


def ints(dtype, n):
    info = np.iinfo(dtype)
    edge = [info.min, info.max, 0, 1, info.max - 1, info.min + 1 if info.min else 2]
    return np.concatenate([np.array(edge, dtype=dtype), rng.integers(info.min, int(info.max) + 1, n - len(edge)).astype(dtype)])


# ---- integer arithmetic -------------------------------------------------------------------------
arith = []
with np.errstate(over="ignore"):
    for d in INTS:
        bits = np.iinfo(d).bits
        a, b = ints(d, 24), ints(d, 24)[::-1].copy()
        nz = np.where((b == 0) | (b == -1), np.array(3, dtype=d), b).astype(d)  # no division by 0 or MIN / -1
        sh = rng.integers(0, bits, 24).astype(d)
        for fn, args in [("add", [a, b]), ("subtract", [a, b]), ("multiply", [a, b]), ("negative", [a]), ("abs", [a]),
                         ("bitwise_and", [a, b]), ("bitwise_or", [a, b]), ("bitwise_xor", [a, b]), ("invert", [a]),
                         ("maximum", [a, b]), ("minimum", [a, b]), ("floor_divide", [a, nz]), ("remainder", [a, nz]),
                         ("left_shift", [a, sh]), ("right_shift", [a, sh]), ("equal", [a, b]), ("less", [a, b])]:
            out = getattr(np, fn)(*args)
            arith.append({"fn": fn, "dtype": d, "args": [enc(x) for x in args], "out": enc(out), "outDtype": str(out.dtype)})
        # A weakly typed JS number keeps the array's dtype (JAX): x + 1 and x * 3 wrap in d.
        for fn, k in [("add", 1), ("multiply", 3)]:
            out = getattr(np, fn)(a, np.array(k, dtype=d))
            arith.append({"fn": fn, "dtype": d, "args": [enc(a)], "scalar": k, "out": enc(out), "outDtype": d})

# ---- bfloat16 arithmetic -------------------------------------------------------------------------
xa = bf16(rng.standard_normal(32).astype(np.float32) * 10)
xb = bf16(rng.standard_normal(32).astype(np.float32) * 10)
bfops = []
for fn, f in [("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply), ("divide", np.divide)]:
    bfops.append({"fn": fn, "args": [enc(xa), enc(xb)], "out": enc(bf16(f(xa, xb)))})
for fn, f in [("exp", np.exp), ("sqrt", lambda v: np.sqrt(np.abs(v))), ("tanh", np.tanh)]:
    # Transcendentals: float32 results within a float32 ulp of numpy, so compared after rounding with a 1-ulp tolerance.
    bfops.append({"fn": fn, "args": [enc(xa)], "out": enc(bf16(f(xa).astype(np.float32)))})

# ---- bfloat16 rounding ---------------------------------------------------------------------------
specials = np.array([1.0, 1.00390625, 1.01171875, 1.0039063, -1.00390625, 3.3895314e38, 3.3961775e38, 3.4e38,
                     -3.4e38, 1e-40, -1e-40, 9.2e-41, 1.1754944e-38, 0.0, -0.0, np.inf, -np.inf, np.nan, 65504.0, 2.0 ** -133],
                    dtype=np.float32)
randf = (rng.standard_normal(200) * np.exp2(rng.integers(-30, 30, 200))).astype(np.float32)
rnd = np.concatenate([specials, randf])
rounding = {"in": enc(rnd), "out": enc(bf16(rnd))}

# ---- casts ----------------------------------------------------------------------------------------
def source_values(d):
    if d == "bool": return np.array([True, False, True], dtype=bool)
    if d in INTS + ["int32", "uint32"]:
        info = np.iinfo(d)
        vals = [info.min, info.max, 0, 1, 127, 128, 255, 256, 300, -1, -129, 40000, -40000, 70000]
        return np.array([v for v in vals if info.min <= v <= info.max], dtype=d)
    vals = np.array([0.0, -0.0, 1.5, -1.5, 2.7, -2.7, 100.25, -100.75, 127.9, -128.9, 255.5, 1e4 + 0.5, -3e4, 65504.0,
                     3e38, -3e38, np.inf, -np.inf, np.nan, 1e-30], dtype=np.float64)
    if d == "bfloat16": return bf16(vals.astype(np.float32))
    return vals.astype(d)


def cast(x, src, dst):
    """numpy's astype, bfloat16 through float32; None where numpy leaves the value undefined."""
    v = x.astype(np.float32) if src == "bfloat16" else x
    if dst == "bfloat16":
        return bf16(v.astype(np.float32))
    if dst in INTS + ["int32", "uint32"] and v.dtype.kind == "f":
        info = np.iinfo(dst)
        keep = np.isfinite(v) & (np.trunc(v) >= info.min) & (np.trunc(v) <= info.max)
        out = np.where(keep, v, 0).astype(dst)
        return [int(o) if k else None for o, k in zip(out.tolist(), keep.tolist())]
    if dst == "bool" and v.dtype.kind == "f":
        return [None if np.isnan(o) else bool(o) for o in v.tolist()]  # NaN: numpy True, the engine 0 (see the test)
    return v.astype(dst)


casts = []
with np.errstate(all="ignore"):
    for s in ALL:
        x = source_values(s)
        for t in ALL:
            out = cast(x, s, t)
            casts.append({"from": s, "to": t, "in": enc(x), "out": out if isinstance(out, list) else enc(out)})

# ---- promotion -------------------------------------------------------------------------------------
def jax_promote(a, b):
    fl = lambda d: d in ("bfloat16", "float16", "float32", "float64")
    if a == b: return a
    if "bfloat16" in (a, b):
        o = b if a == "bfloat16" else a
        return "float32" if o in ("float16", "float32") else "float64" if o == "float64" else "bfloat16"
    if fl(a) and not fl(b): return a
    if fl(b) and not fl(a): return b
    r = str(np.promote_types(a, b))
    return {"int64": "int32", "uint64": "uint32"}.get(r, r)


promotion = [[a, b, jax_promote(a, b)] for a in ALL for b in ALL]

# ---- reductions ------------------------------------------------------------------------------------
red = []
with np.errstate(over="ignore"):
    for d in INTS:
        x = ints(d, 40).reshape(5, 8)
        acc = "uint32" if d == "uint8" else "int32"
        red.append({"fn": "sum", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": None, "out": enc(np.sum(x, dtype=np.int64)), "outDtype": acc})
        red.append({"fn": "sum", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 1, "out": enc(np.sum(x, axis=1, dtype=np.int64)), "outDtype": acc})
        red.append({"fn": "sum", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 0, "sumDtype": d, "out": enc(np.sum(x, axis=0, dtype=d)), "outDtype": d})
        red.append({"fn": "max", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 0, "out": enc(np.max(x, axis=0)), "outDtype": d})
        red.append({"fn": "min", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 1, "out": enc(np.min(x, axis=1)), "outDtype": d})
        small = (x % 3).astype(d)
        red.append({"fn": "prod", "dtype": d, "in": enc(small), "shape": [5, 8], "axis": 1, "out": enc(np.prod(small, axis=1, dtype=np.int64)), "outDtype": acc})
        red.append({"fn": "cumsum", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 1, "out": enc(np.cumsum(x, axis=1, dtype=np.int64)), "outDtype": acc})
        red.append({"fn": "cumsum", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 1, "sumDtype": d, "out": enc(np.cumsum(x, axis=1, dtype=d)), "outDtype": d})
        red.append({"fn": "mean", "dtype": d, "in": enc(x), "shape": [5, 8], "axis": 1, "out": enc(np.mean(x, axis=1).astype(np.float32)), "outDtype": "float32"})
    xb16 = bf16(rng.standard_normal(40).astype(np.float32))
    # A bfloat16 sum accumulates in float32 and rounds once (XLA), so compare with a bfloat16 ulp.
    red.append({"fn": "sum", "dtype": "bfloat16", "in": enc(xb16), "shape": [40], "axis": None, "out": enc(bf16(np.sum(xb16, dtype=np.float64))), "outDtype": "bfloat16"})

out = {"arith": arith, "bfloat16": bfops, "rounding": rounding, "casts": casts, "promotion": promotion, "reductions": red,
       # The functions these fixtures compare with numpy / JAX's table (read by scripts/api-coverage.ts).
       "covers": ["astype", "promoteTypes"]}
path = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "dtypes-small.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path, len(arith), "arithmetic,", len(casts), "casts,", len(promotion), "promotions,", len(red), "reductions")
