#!/usr/bin/env python3
"""Fixtures for np.fft (engine/test/fft.test.ts): numpy's answers on real and complex inputs,
odd and even lengths, n (truncation and zero padding), every norm, multi-axis transforms.

Run with Debian's numpy: /usr/bin/python3 scripts/gen_fft_fixtures.py
Complex values are stored as {"re": ..., "im": ...}.
"""
import json, os
import numpy as np

rng = np.random.default_rng(4)
def enc(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        return {"re": enc(x.real), "im": enc(x.imag)}
    return {"shape": list(x.shape), "data": [float(v) for v in x.astype(np.float64).ravel()]}

real5 = rng.standard_normal(5)
real8 = rng.standard_normal(8)
cplx7 = rng.standard_normal(7) + 1j * rng.standard_normal(7)
mat = rng.standard_normal((3, 4))
cmat = rng.standard_normal((3, 5)) + 1j * rng.standard_normal((3, 5))
cube = rng.standard_normal((2, 3, 4))
half6 = rng.standard_normal(4) + 1j * rng.standard_normal(4)
inputs = {"real5": real5, "real8": real8, "cplx7": cplx7, "mat": mat, "cmat": cmat, "cube": cube, "half6": half6}
cases = []
def case(fn, x, **kw):
    out = getattr(np.fft, fn)(inputs[x], **kw)
    cases.append({"fn": fn, "x": x, "kw": kw, "out": enc(out)})

for norm in [None, "ortho", "forward"]:
    for x in ["real5", "real8", "cplx7"]:
        case("fft", x, norm=norm); case("ifft", x, norm=norm)
    for x in ["real5", "real8"]:
        case("rfft", x, norm=norm)
    case("irfft", "half6", norm=norm); case("irfft", "half6", n=7, norm=norm)
    case("hfft", "half6", norm=norm); case("ihfft", "real5", norm=norm)
case("fft", "real5", n=8); case("fft", "real8", n=5); case("ifft", "cplx7", n=4)
case("rfft", "real5", n=9); case("irfft", "half6", n=3)
case("fft", "mat", axis=0); case("rfft", "mat", axis=0)
case("fft2", "mat"); case("ifft2", "cmat"); case("fftn", "cube"); case("ifftn", "cube", axes=[0, 2])
case("fftn", "cube", s=[4, 2], axes=[0, 2]); case("rfft2", "mat"); case("rfftn", "cube")
case("irfft2", "cmat"); case("irfftn", "cmat", s=[3, 6])
freqs = {"fftfreq": [[n, d, enc(np.fft.fftfreq(n, d))] for n, d in [(5, 1.0), (8, 0.1), (1, 1.0)]],
         "rfftfreq": [[n, d, enc(np.fft.rfftfreq(n, d))] for n, d in [(5, 1.0), (8, 0.1)]]}
shifts = {"fftshift": [enc(np.fft.fftshift(mat)), enc(np.fft.fftshift(mat, axes=1)), enc(np.fft.fftshift(real5))],
          "ifftshift": [enc(np.fft.ifftshift(mat)), enc(np.fft.ifftshift(mat, axes=1)), enc(np.fft.ifftshift(real5))]}
out = {"inputs": {k: enc(v) for k, v in inputs.items()}, "cases": cases, "freqs": freqs, "shifts": shifts}
# The functions these fixtures compare with numpy (read by scripts/api-coverage.ts).
out["covers"] = ["fft." + n for n in ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
                                     "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]]
path = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "fft.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path, len(cases), "cases")

# Large lengths (engine/test/fft-large.test.ts): the O(n log n) paths, radix-2 (4096) and
# Bluestein (1000, and the prime 1009), in float64. Inputs are formulas the test recomputes
# (x_j = cos(1.3 j) + sin(0.021 j (j mod 17)), y_j = sin(0.77 j + 0.5) cos(0.013 j), z = x + i y),
# outputs are kept to 10 significant digits (ifft is checked by the round trip): the fixture stays small.
def enc_short(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        return {"re": enc_short(x.real), "im": enc_short(x.imag)}
    return {"shape": list(x.shape), "data": [float(f"{v:.10g}") for v in x.astype(np.float64).ravel()]}

large = {"cases": []}
for n in [1000, 1009, 4096]:
    j = np.arange(n, dtype=np.float64)
    x = np.cos(1.3 * j) + np.sin(0.021 * j * (j % 17))
    z = x + 1j * (np.sin(0.77 * j + 0.5) * np.cos(0.013 * j))
    large["cases"].append({"n": n, "fft_x": enc_short(np.fft.fft(x)), "fft_z": enc_short(np.fft.fft(z)),
                           "rfft_x": enc_short(np.fft.rfft(x)), "irfft_h": enc_short(np.fft.irfft(z[: n // 2 + 1], n))})
path = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "fft-large.json")
with open(path, "w") as f:
    json.dump(large, f, separators=(",", ":"))
print("wrote", path, len(large["cases"]), "lengths")
