#!/usr/bin/env python3
"""Fixtures for scipy (special, linalg, stats.norm) and the rejection samplers of jax.random
(gamma, beta, dirichlet, poisson: scipy's quantiles, against which the tests compare empirical
fractions). engine/test/scipy.test.ts reads engine/test/fixtures/scipy.json.

Run with Debian's numpy and scipy: /usr/bin/python3 scripts/gen_scipy_fixtures.py
"""
import json, os
import numpy as np
from scipy import special, linalg, stats

rng = np.random.default_rng(9)
def enc(x):
    x = np.asarray(x, dtype=np.float64)
    return {"shape": list(x.shape), "data": [float(v) if np.isfinite(v) else str(v) for v in x.ravel()]}

x = np.array([0.1, 0.5, 1.0, 2.5, 7.0, 30.0])
xs = np.array([-40.0, -10.0, -3.0, -0.5, 0.0, 0.5, 3.0, 10.0])
p = np.array([1e-10, 0.01, 0.3, 0.5, 0.9, 0.999])
xy_x = np.array([0.0, 0.0, 1.5, 2.0, -1.0]); xy_y = np.array([0.0, 2.0, 3.0, 0.5, 4.0])
out = {"special": {
    "x": enc(x), "xs": enc(xs), "p": enc(p), "xy_x": enc(xy_x), "xy_y": enc(xy_y),
    "gammaln": enc(special.gammaln(x)), "digamma": enc(special.digamma(x)), "erf": enc(special.erf(xs)), "erfc": enc(special.erfc(xs)),
    "ndtr": enc(special.ndtr(xs)), "log_ndtr": enc(special.log_ndtr(xs)), "ndtri": enc(special.ndtri(p)), "erfinv": enc(special.erfinv(2 * p - 1)),
    "expit": enc(special.expit(xs)), "logit": enc(special.logit(p)),
    "xlogy": enc(special.xlogy(xy_x, xy_y)), "xlog1py": enc(special.xlog1py(xy_x, xy_y)),
}}
loc, scale = 1.5, 2.0
out["norm"] = {"x": enc(xs), "p": enc(p), "loc": loc, "scale": scale,
    "pdf": enc(stats.norm.pdf(xs, loc, scale)), "logpdf": enc(stats.norm.logpdf(xs, loc, scale)),
    "cdf": enc(stats.norm.cdf(xs, loc, scale)), "logcdf": enc(stats.norm.logcdf(xs, loc, scale)),
    "sf": enc(stats.norm.sf(xs, loc, scale)), "logsf": enc(stats.norm.logsf(xs, loc, scale)), "ppf": enc(stats.norm.ppf(p, loc, scale))}

a = np.tril(rng.standard_normal((4, 4))) + 4 * np.eye(4)
b = rng.standard_normal((4, 2)); bv = rng.standard_normal(4)
spd = a @ a.T
out["linalg"] = {"a": enc(a), "b": enc(b), "bv": enc(bv), "spd": enc(spd), "cases": []}
for lower in [True, False]:
    m = a if lower else a.T
    for trans in [0, 1]:
        for unit in [False, True]:
            out["linalg"]["cases"].append({"lower": lower, "trans": trans, "unit": unit,
                "x": enc(linalg.solve_triangular(m, b, trans=trans, lower=lower, unit_diagonal=unit)),
                "xv": enc(linalg.solve_triangular(m, bv, trans=trans, lower=lower, unit_diagonal=unit))})
out["linalg"]["cho"] = {"lower": enc(linalg.cho_solve(linalg.cho_factor(spd, lower=True), b)),
                        "upper": enc(linalg.cho_solve(linalg.cho_factor(spd, lower=False), b))}

probs = [0.1, 0.25, 0.5, 0.75, 0.9]
out["samplers"] = {"probs": probs,
    "gamma": [{"a": a_, "q": list(stats.gamma.ppf(probs, a_))} for a_ in [0.3, 1.0, 2.5, 9.0]],
    "beta": [{"a": a_, "b": b_, "q": list(stats.beta.ppf(probs, a_, b_))} for a_, b_ in [(0.5, 0.5), (2.0, 5.0)]],
    # Poisson is discrete: P(X <= k) at a few k.
    "poisson": [{"lam": lam, "k": ks, "cdf": list(stats.poisson.cdf(ks, lam))} for lam, ks in [(0.7, [0, 1, 2]), (4.0, [2, 4, 6]), (25.0, [20, 25, 30]), (300.0, [280, 300, 320])]],
}
# The functions these fixtures compare with scipy (read by scripts/api-coverage.ts).
out["covers"] = ["scipy.special." + n for n in ["gammaln", "digamma", "erf", "erfc", "erfinv", "expit", "logit", "logNdtr", "ndtr", "ndtri", "xlogy", "xlog1py"]] + \
    ["scipy.stats.norm." + n for n in ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf"]] + \
    ["scipy.linalg.solveTriangular", "scipy.linalg.choSolve", "scipy.linalg.choFactor"]
path = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "scipy.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path)
