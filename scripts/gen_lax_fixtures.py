#!/usr/bin/env python3
"""Fixtures for lax.topK, lax.associativeScan, lax.reduceWindow and the size= forms of
unique / nonzero / argwhere (engine/test/lax-extra.test.ts), computed with numpy.

Run with Debian's numpy: /usr/bin/python3 scripts/gen_lax_fixtures.py
"""
import json, os, itertools
import numpy as np

rng = np.random.default_rng(5)
def enc(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "dtype": str(x.dtype), "data": [float(v) if np.isfinite(v) else str(v) for v in x.astype(np.float64).ravel()]}

out = {}
# topK: descending, ties by lower index (a stable argsort of -x).
x = np.round(rng.standard_normal((3, 6)), 1); x[0, 1] = x[0, 4]
out["topK"] = []
for k in [0, 1, 3, 6]:
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    out["topK"].append({"x": enc(x), "k": k, "values": enc(np.take_along_axis(x, idx, -1)), "indices": enc(idx)})

# associativeScan: sums, running max, and the linear recurrence h_t = a_t h_{t-1} + b_t as pairs.
v = rng.standard_normal((7, 3))
a, b = rng.uniform(0.5, 1.0, 6), rng.standard_normal(6)
h = np.zeros(6); acc = 0.0
for t in range(6): acc = a[t] * acc + b[t]; h[t] = acc
hr = np.zeros(6); acc = 0.0
for t in reversed(range(6)): acc = a[t] * acc + b[t]; hr[t] = acc
out["assoc"] = {"v": enc(v), "cumsum0": enc(np.cumsum(v, 0)), "cumsum1": enc(np.cumsum(v, 1)), "cummax0": enc(np.maximum.accumulate(v, 0)),
                "revcumsum0": enc(np.cumsum(v[::-1], 0)[::-1]), "a": enc(a), "b": enc(b), "h": enc(h), "hr": enc(hr)}

def reduce_window(x, init, op, window, strides, padding, base_dil, win_dil):
    nd = x.ndim
    # base dilation: holes filled with init
    shp = [(d - 1) * bd + 1 if d else 0 for d, bd in zip(x.shape, base_dil)]
    xd = np.full(shp, init, dtype=np.float64)
    xd[tuple(slice(None, None, bd) for bd in base_dil)] = x
    effw = [(w - 1) * wd + 1 for w, wd in zip(window, win_dil)]
    if padding == "VALID": pads = [(0, 0)] * nd
    elif padding == "SAME":
        pads = []
        for d, s, e in zip(shp, strides, effw):
            o = -(-d // s); t = max((o - 1) * s + e - d, 0); pads.append((t // 2, t - t // 2))
    else: pads = padding
    xp = np.pad(xd, pads, constant_values=init)
    outs = [max(0, (p - e) // s + 1) for p, e, s in zip(xp.shape, effw, strides)]
    res = np.full(outs, init, dtype=np.float64)
    for o in itertools.product(*[range(n) for n in outs]):
        vals = [xp[tuple(oi * s + k * wd for oi, s, k, wd in zip(o, strides, ks, win_dil))] for ks in itertools.product(*[range(w) for w in window])]
        r = init
        for val in vals: r = op(r, val)
        res[o] = r
    return res

xw = rng.standard_normal((5, 6))
out["reduceWindow"] = []
for comp, init, op in [("add", 0.0, lambda p, q: p + q), ("max", -np.inf, max), ("min", np.inf, min)]:
    for window, strides, padding, bd, wd in [
        ((2, 3), (1, 1), "VALID", (1, 1), (1, 1)),
        ((3, 3), (2, 2), "SAME", (1, 1), (1, 1)),
        ((2, 2), (1, 2), [(1, 0), (2, 1)], (1, 1), (1, 1)),
        ((2, 2), (1, 1), "VALID", (2, 1), (1, 2)),
    ]:
        out["reduceWindow"].append({"computation": comp, "init": init if np.isfinite(init) else str(init), "window": window, "strides": strides,
            "padding": padding if isinstance(padding, str) else [list(p) for p in padding], "baseDilation": bd, "windowDilation": wd,
            "out": enc(reduce_window(xw, init, op, window, strides, padding, bd, wd))})
out["reduceWindowX"] = enc(xw)

# size= on unique / nonzero / argwhere (jnp's semantics: truncate or pad with fill_value).
m = np.array([[0, 2, 0], [1, 0, 3]], dtype=np.float64)
u = np.array([3.0, 1.0, 3.0, np.nan, 2.0, 1.0, np.nan])
def pad(arr, size, fill):
    arr = list(arr)[:size]; return arr + [fill] * (size - len(arr))
nz = np.nonzero(m)
out["sized"] = {"m": enc(m), "u": enc(u),
    "nonzero": [{"size": s, "fill": f, "out": [enc(pad(c, s, f)) for c in nz]} for s, f in [(2, 0), (3, 0), (6, -1)]],
    "argwhere": [{"size": s, "fill": f, "out": enc(np.array([pad(c, s, f) for c in nz]).T.reshape(s, 2))} for s, f in [(2, 0), (5, 9)]],
    "unique": [{"size": s, "fill": f, "out": enc(pad(np.unique(u), s, f if f is not None else np.unique(u)[0]))} for s, f in [(2, None), (4, None), (6, None), (6, -5.0)]]}

# take's out-of-range modes: numpy's clip and wrap; JAX's fill (NaN / fill_value) built from numpy's in-range take.
ta = np.arange(12.0).reshape(3, 4); ti = np.array([[0, 5], [-1, -7]])
fill = np.take(ta, np.clip(np.where(ti < 0, ti + 4, ti), 0, 3), axis=1)
bad = np.broadcast_to(((ti < -4) | (ti >= 4))[None], fill.shape)
out["take"] = {"a": enc(ta), "i": enc(ti), "clip": enc(np.take(ta, ti, axis=1, mode="clip")), "wrap": enc(np.take(ta, ti, axis=1, mode="wrap")),
               "fill": enc(np.where(bad, np.nan, fill)), "fill7": enc(np.where(bad, 7.0, fill))}

# The functions these fixtures compare with numpy (read by scripts/api-coverage.ts).
out["covers"] = ["lax.topK", "lax.associativeScan", "lax.reduceWindow", "nonzero", "argwhere", "unique", "take"]
path = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "lax-extra.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
