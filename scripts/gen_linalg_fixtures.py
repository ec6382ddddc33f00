#!/usr/bin/env python3
"""Fixtures for np.linalg's decompositions and matrix norms (engine/test/linalg-decompositions.test.ts).

Run with Debian's numpy: /usr/bin/python3 scripts/gen_linalg_fixtures.py
Writes engine/test/fixtures/linalg.json: named float64 matrices and numpy's answers for them.
Eigenvector and singular-vector signs are arbitrary: the test compares them sign-invariantly.
"""
import json, os
import numpy as np

rng = np.random.default_rng(16)
def enc(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "data": [float(v) if np.isfinite(v) else str(v) for v in x.astype(np.float64).ravel()]}

def sym(n):
    a = rng.standard_normal((n, n)); return (a + a.T) / 2

q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
mats = {
    "tall": rng.standard_normal((5, 3)),
    "wide": rng.standard_normal((3, 5)),
    "square": rng.standard_normal((4, 4)),
    "sym4": sym(4),
    "sym1": np.array([[2.5]]),
    # Degenerate eigenvalues (1, 1, 1, 3): only the eigenspaces are defined.
    "symDegenerate": q @ np.diag([1.0, 1.0, 1.0, 3.0]) @ q.T,
    # Rank 2, 5 x 3: lstsq is minimum-norm, rank counts 2, a singular value is ~0.
    "rankDeficient": rng.standard_normal((5, 2)) @ rng.standard_normal((2, 3)),
    "batch": rng.standard_normal((2, 3, 3)),
    "issueExample": np.array([[1.0, -2.0, 0.5], [0.3, 1.1, -1.9], [0.7, 0.2, 0.9]]),
}
out = {"matrices": {k: enc(v) for k, v in mats.items()}, "norms": [], "eigh": {}, "svd": {}, "qr": {}, "pinv": {}, "rank": {}, "lstsq": {}}

ords = [1, -1, 2, -2, "inf", "-inf", "fro", "nuc"]
for name in ["tall", "wide", "square", "rankDeficient", "issueExample", "batch"]:
    a = mats[name]
    for o in ords:
        ordv = np.inf if o == "inf" else -np.inf if o == "-inf" else o
        axes = [(-2, -1)] if a.ndim == 3 else [None, (1, 0)]
        for ax in axes:
            out["norms"].append({"matrix": name, "ord": o, "axis": list(ax) if ax else None,
                                 "value": enc(np.linalg.norm(a, ord=ordv, axis=ax))})

for name in ["sym4", "sym1", "symDegenerate", "batch"]:
    a = mats[name]
    if name == "batch": a = (a + np.swapaxes(a, -1, -2)) / 2
    w, v = np.linalg.eigh(a)
    out["eigh"][name] = {"w": enc(w), "v": enc(v)}

for name in ["tall", "wide", "square", "rankDeficient", "batch"]:
    a = mats[name]
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    out["svd"][name] = {"s": enc(s), "u": enc(u), "vh": enc(vh)}
    q_, r_ = np.linalg.qr(a)
    qc, rc = np.linalg.qr(a, mode="complete")
    out["qr"][name] = {"q": enc(q_), "r": enc(r_), "qc": enc(qc), "rc": enc(rc)}
    out["pinv"][name] = enc(np.linalg.pinv(a))
    out["rank"][name] = enc(np.linalg.matrix_rank(a))

b = rng.standard_normal((5, 2))
out["lstsq"]["b"] = enc(b)
for name in ["tall", "rankDeficient"]:
    x, resid, rank, s = np.linalg.lstsq(mats[name], b, rcond=None)
    # numpy returns residuals only for full rank; the test compares them there.
    out["lstsq"][name] = {"x": enc(x), "resid": enc(resid) if resid.size else None, "rank": int(rank), "s": enc(s)}

# einsum with ellipsis (broadcast, right-aligned), repeated indices (diagonals), implicit outputs.
einsum_cases = [
    ("...ij,jk->...ik", [(2, 3, 4, 5), (5, 2)]),
    ("...ij,...jk", [(3, 2, 4), (1, 4, 2)]),
    ("i...,i...", [(2, 3), (2, 1)]),
    ("ij...,jk...->ik...", [(2, 3), (3, 4, 5)]),
    ("...", [(2, 3)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("iji->j", [(3, 2, 3)]),
    ("ii,jj->ij", [(2, 2), (3, 3)]),
    ("bii,bi->b", [(2, 3, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
]
out["einsum"] = []
for spec, shapes in einsum_cases:
    ops = [rng.standard_normal(sh) for sh in shapes]
    out["einsum"].append({"spec": spec, "operands": [enc(o) for o in ops], "out": enc(np.einsum(spec, *ops))})

# The functions these fixtures compare with numpy (read by scripts/api-coverage.ts).
out["covers"] = ["linalg.qr", "linalg.eigh", "linalg.eigvalsh", "linalg.svd", "linalg.svdvals", "linalg.pinv", "linalg.lstsq",
                 "linalg.matrixRank", "linalg.norm", "linalg.matrixNorm", "einsum"]
path = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "linalg.json")
with open(path, "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
print("wrote", path)
