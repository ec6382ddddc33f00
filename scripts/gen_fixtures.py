#!/usr/bin/python3
"""Writes the engine's op-test fixtures: numpy forward results, PyTorch autograd gradients and
numpy's printing of arrays, from seeded small inputs. Run with Debian's python3 (numpy, torch):

    /usr/bin/python3 scripts/gen_fixtures.py

Tests read engine/test/fixtures/*.json and never run Python. Each op case lists the TS function
(np.<fn>), its arguments (arrays, or JSON literals passed through), an options object, numpy's
outputs, the dtype JAX gives (numpy's with 64-bit types narrowed, unless the case says), and for
differentiable ops the gradient of sum(f(x) * w) w.r.t. each float argument from torch, in float64.
"""
import json, math, os, re
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures")

def enc_num(v):
    if isinstance(v, (bool, np.bool_)): return bool(v)
    v = float(v)
    if math.isnan(v): return "nan"
    if math.isinf(v): return "inf" if v > 0 else "-inf"
    if v == 0 and math.copysign(1, v) < 0: return -0.0
    return int(v) if v.is_integer() and abs(v) < 2**53 else v

JAX_DTYPE = {"float64": "float32", "int64": "int32", "uint64": "uint32", "float32": "float32", "float16": "float16",
             "int32": "int32", "uint32": "uint32", "bool": "bool", "int8": "int32", "uint8": "uint32", "int16": "int32"}

def enc_arr(a, dtype=None):
    a = np.asarray(a)
    return {"dtype": dtype or JAX_DTYPE[str(a.dtype)], "shape": list(a.shape), "data": [enc_num(v) for v in a.ravel()]}

class A:
    """An array argument: random values of a dtype and domain."""
    def __init__(self, shape, dtype="float32", lo=-2.0, hi=2.0, values=None):
        if values is not None:
            self.v = np.asarray(values, dtype=dtype)
        elif dtype == "bool":
            self.v = rng.random(shape) < 0.5
        elif dtype in ("int32", "uint32"):
            self.v = rng.integers(int(lo), int(hi) + 1, size=shape).astype(dtype)
        else:
            self.v = rng.uniform(lo, hi, size=shape).astype(dtype)

def P(x): return x  # a literal passed through to TS as is

NP_ALIAS = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh", "acosh": "arccosh", "atanh": "arctanh",
            "atan2": "arctan2", "pow": "power", "concat": "concatenate", "bitwiseInvert": "invert", "bitwiseNot": "invert",
            "bitwiseLeftShift": "left_shift", "bitwiseRightShift": "right_shift", "permuteDims": "transpose", "trueDivide": "true_divide",
            "atleast1d": "atleast_1d", "atleast2d": "atleast_2d", "atleast3d": "atleast_3d", "nanToNum": "nan_to_num", "ix_": "ix_",
            "trapezoid": "trapz", "cumulativeSum": "cumsum", "cumulativeProd": "cumprod", "floatPower": "float_power"}
def snake(n): return NP_ALIAS.get(n) or re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), n)

cases = []
def case(fn, args, opts=None, np_fn=None, torch_fn=None, dtype=None, rtol=None, atol=None, id=None, np_kwargs=None, grad_args=None):
    vals = [a.v if isinstance(a, A) else a for a in args]
    if np_fn is None:
        f = getattr(np, snake(fn))
        kw = np_kwargs if np_kwargs is not None else {snake(k): v for k, v in (opts or {}).items()}
        out = f(*vals, **kw)
    else:
        out = np_fn(*vals)
    def enc_out(o):
        if isinstance(o, (tuple, list)): return {"list": [enc_out(x) for x in o]}
        if isinstance(o, dict): return {"dict": {k: enc_out(x) for k, x in o.items()}}
        if isinstance(o, (bool, int, float)) and not isinstance(o, np.generic): return {"value": enc_num(o) if not isinstance(o, bool) else o}
        return {"array": enc_arr(o, dtype)}
    c = {"id": id or f"{fn}#{sum(1 for x in cases if x['fn'] == fn)}", "fn": fn,
         "args": [{"array": enc_arr(a.v)} if isinstance(a, A) else {"value": a} for a in args],
         "out": enc_out(out)}
    if opts is not None: c["opts"] = opts
    if rtol is not None: c["rtol"] = rtol
    if atol is not None: c["atol"] = atol
    if torch_fn is not None:
        ts = [torch.tensor(a.v.astype("float64"), requires_grad=True) if isinstance(a, A) and a.v.dtype.kind == "f" else
              (torch.tensor(a.v) if isinstance(a, A) else a) for a in args]
        y = torch_fn(*ts)
        w = rng.uniform(-1, 1, size=tuple(y.shape))
        (y * torch.tensor(w)).sum().backward()
        c["grad"] = {"w": enc_arr(w, "float64"),
                     "grads": [enc_arr(t.grad.numpy(), "float64") if isinstance(t, torch.Tensor) and t.requires_grad and t.grad is not None else
                               ({"zero": True} if isinstance(t, torch.Tensor) and t.requires_grad else None) for t in ts]}
    cases.append(c)

T = torch
# ---- elementwise unary: (name, domain lo, hi, torch function or None) ----
UNARY = [
    ("exp", -2, 2, T.exp), ("exp2", -2, 2, T.exp2), ("expm1", -2, 2, T.expm1), ("log", 0.1, 3, T.log), ("log1p", -0.5, 2, T.log1p),
    ("log2", 0.1, 3, T.log2), ("log10", 0.1, 3, T.log10), ("sqrt", 0.1, 3, T.sqrt), ("cbrt", 0.1, 3, lambda x: x ** (1 / 3)),
    ("sin", -3, 3, T.sin), ("cos", -3, 3, T.cos), ("tan", -1.2, 1.2, T.tan), ("arcsin", -0.9, 0.9, T.asin), ("arccos", -0.9, 0.9, T.acos),
    ("arctan", -3, 3, T.atan), ("sinh", -2, 2, T.sinh), ("cosh", -2, 2, T.cosh), ("tanh", -2, 2, T.tanh), ("arcsinh", -2, 2, T.asinh),
    ("arccosh", 1.1, 3, T.acosh), ("arctanh", -0.9, 0.9, T.atanh), ("asin", -0.9, 0.9, T.asin), ("acos", -0.9, 0.9, T.acos), ("atan", -3, 3, T.atan),
    ("asinh", -2, 2, T.asinh), ("acosh", 1.1, 3, T.acosh), ("atanh", -0.9, 0.9, T.atanh),
    ("negative", -2, 2, T.neg), ("positive", -2, 2, lambda x: x), ("square", -2, 2, T.square), ("absolute", 0.1, 2, T.abs), ("abs", 0.1, 2, T.abs),
    ("fabs", 0.1, 2, T.abs), ("reciprocal", 0.5, 2, T.reciprocal), ("sign", -2, 2, None), ("floor", -3, 3, None), ("ceil", -3, 3, None),
    ("trunc", -3, 3, None), ("fix", -3, 3, None), ("rint", -3, 3, None), ("deg2rad", -3, 3, T.deg2rad), ("rad2deg", -3, 3, T.rad2deg),
    ("radians", -3, 3, T.deg2rad), ("degrees", -3, 3, T.rad2deg), ("sinc", -2, 2, T.sinc), ("isfinite", -2, 2, None), ("isnan", -2, 2, None),
    ("isinf", -2, 2, None), ("isposinf", -2, 2, None), ("isneginf", -2, 2, None), ("signbit", -2, 2, None), ("spacing", -2, 2, None),
    ("conj", -2, 2, lambda x: x), ("conjugate", -2, 2, lambda x: x), ("real", -2, 2, lambda x: x), ("imag", -2, 2, None), ("angle", -2, 2, None),
    ("iscomplex", -2, 2, None), ("isreal", -2, 2, None), ("logicalNot", -1, 1, None),
]
for name, lo, hi, tf in UNARY:
    for shape in [(3, 4), (0,), ()]:
        case(name, [A(shape, lo=lo, hi=hi)], torch_fn=tf if shape == (3, 4) else None)
SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.5, -2.5, 2.5, 0.5, -0.5, 1e-30, 3.0], dtype="float32")
for name in ["isfinite", "isnan", "isinf", "isposinf", "isneginf", "signbit", "floor", "ceil", "trunc", "rint", "sign", "abs", "negative", "exp", "sqrt", "square"]:
    case(name, [A(None, values=SPECIALS)], id=f"{name}#specials")
case("round", [A((3, 4), lo=-5, hi=5)]); case("round", [A(None, values=[0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 1.125])])
case("round", [A((5,), lo=-5, hi=5), P(2)]); case("around", [A((4,), lo=-5, hi=5)])
case("nanToNum", [A(None, values=SPECIALS)]); case("nanToNum", [A(None, values=SPECIALS)], opts={"nan": 1.0, "posinf": 9.0, "neginf": -9.0})
for name in ["negative", "square", "abs", "sign", "bitwiseNot", "invert", "bitwiseInvert", "logicalNot", "positive"]:
    case(name, [A((5,), "int32", -5, 5)], np_fn=getattr(np, {"bitwiseInvert": "invert", "logicalNot": "logical_not", "bitwiseNot": "invert"}.get(name, name)))
for name in ["logicalNot", "bitwiseNot", "invert"]:
    case(name, [A((6,), "bool")], np_fn=np.logical_not if name == "logicalNot" else np.invert)
case("frexp", [A(None, values=[0.5, 3.0, -10.0, 0.0, 1.0, 1024.0, 1e-5, -0.75])])
case("modf", [A((3, 4), lo=-5, hi=5)], torch_fn=None)
case("isscalar", [P(3)], np_fn=lambda x: True); case("iscomplexobj", [A((2,))]); case("isrealobj", [A((2,))])
case("unwrap", [A(None, values=[0.0, 3.0, 6.5, -2.0, 1.0, 7.0, 12.0])]); case("unwrap", [A((3, 5), lo=-7, hi=7)], opts={"axis": 0})

# ---- binary (broadcasting shape pairs) ----
BIN = [
    ("add", T.add), ("subtract", T.sub), ("multiply", T.mul), ("divide", T.div), ("trueDivide", T.div), ("maximum", T.maximum),
    ("minimum", T.minimum), ("power", None), ("pow", None), ("arctan2", T.atan2), ("atan2", T.atan2), ("hypot", T.hypot),
    ("fmax", T.fmax), ("fmin", T.fmin), ("logaddexp", T.logaddexp), ("logaddexp2", T.logaddexp2), ("copysign", None),
    ("equal", None), ("notEqual", None), ("less", None), ("lessEqual", None), ("greater", None), ("greaterEqual", None),
    ("floorDivide", None), ("remainder", None), ("mod", None), ("fmod", None), ("nextafter", None), ("heaviside", None),
    ("logicalAnd", None), ("logicalOr", None), ("logicalXor", None), ("floatPower", None),
]
PAIRS = [((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((0, 3), (1, 3)), ((), (5,))]
for name, tf in BIN:
    for i, (s1, s2) in enumerate(PAIRS):
        pos = name in ("power", "pow", "floatPower")
        a, b = (A(s1, lo=0.2, hi=2), A(s2, lo=-2, hi=2)) if pos else (A(s1), A(s2, lo=0.5, hi=2) if name in ("divide", "trueDivide", "floorDivide", "remainder", "mod", "fmod") else A(s2))
        if name in ("floorDivide", "remainder", "mod", "fmod"):
            b = A(s2, lo=0.5, hi=2); b.v = np.where(rng.random(b.v.shape) < 0.5, -b.v, b.v).astype("float32")
        npf = getattr(np, {"trueDivide": "true_divide", "pow": "power", "atan2": "arctan2"}.get(name, snake(name)))
        t = tf if i == 0 else None
        if name in ("power", "pow", "floatPower") and i == 0: t = T.pow
        case(name, [a, b], np_fn=npf, torch_fn=t)
for name in ["add", "subtract", "multiply", "floorDivide", "remainder", "mod", "fmod", "maximum", "minimum", "power", "bitwiseAnd", "bitwiseOr", "bitwiseXor", "leftShift", "rightShift", "bitwiseLeftShift", "bitwiseRightShift", "gcd", "lcm", "equal", "less"]:
    lo2, hi2 = (1, 4) if name in ("floorDivide", "remainder", "mod", "fmod") else ((0, 4) if "hift" in name or name == "power" else (-9, 9))
    b = A((4,), "int32", lo2, hi2)
    if name in ("floorDivide", "remainder", "mod", "fmod"): b.v = (b.v * np.array([1, -1, 1, -1])).astype("int32")
    npf = getattr(np, {"bitwiseLeftShift": "left_shift", "bitwiseRightShift": "right_shift"}.get(name, snake(name)))
    case(name, [A((3, 4), "int32", -20, 20), b], np_fn=npf)
for name in ["logicalAnd", "logicalOr", "logicalXor", "bitwiseAnd", "bitwiseOr", "bitwiseXor", "equal"]:
    case(name, [A((3, 4), "bool"), A((4,), "bool")])
# weak-typed scalars keep the array's dtype
case("add", [A((3,)), P(2)], np_fn=lambda a, b: a + np.float32(b), id="add#weak-int-scalar")
case("multiply", [A((3,), "int32", -5, 5), P(2.5)], np_fn=lambda a, b: (a * b).astype("float32"), id="multiply#int-times-weak-float")
case("add", [A((3,), "int32", -5, 5), A((3,))], id="add#int32+float32")
case("ldexp", [A((3, 4)), A((4,), "int32", -3, 3)], np_fn=lambda a, b: np.ldexp(a, b))
case("divmod", [A((3, 4), lo=-5, hi=5), A((4,), lo=0.5, hi=2)])
case("divmod", [A((3, 4), "int32", -20, 20), A((4,), "int32", 1, 5)])
case("isclose", [A((3, 4)), A((4,))]); case("isclose", [A(None, values=[1.0, np.nan, np.inf, 1e-9]), A(None, values=[1.0 + 1e-7, np.nan, np.inf, 0.0])], opts={"equalNan": True})
case("allclose", [A((3,)), A((3,))]); case("allclose", [A(None, values=[1.0, 2.0]), A(None, values=[1.0, 2.0 + 1e-6])])
case("arrayEqual", [A(None, values=[1.0, 2.0]), A(None, values=[1.0, 2.0])]); case("arrayEqual", [A((2,)), A((3,))]); case("arrayEqual", [A(None, values=[1.0, np.nan]), A(None, values=[1.0, np.nan])], opts={"equalNan": True})
case("arrayEquiv", [A(None, values=[[1.0, 2.0]]), A(None, values=[1.0, 2.0])]); case("arrayEquiv", [A((2,)), A((3,))])
case("where", [A((3, 4), "bool"), A((4,)), A((3, 1))], torch_fn=T.where)
case("where", [A((0, 2), "bool"), A((1,)), A(())])
case("clip", [A((3, 4)), P(-0.5), P(0.5)], torch_fn=lambda x, lo, hi: T.clamp(x, lo, hi))
case("clip", [A((3, 4)), P(None), P(0.5)], np_fn=lambda x, lo, hi: np.clip(x, None, hi))
case("isin", [A((3, 4), "int32", 0, 6), A((3,), "int32", 0, 6)]); case("isin", [A((5,), "int32", 0, 4), A((2,), "int32", 0, 4)], opts={"invert": True})

# ---- reductions ----
RED = [("sum", T.sum), ("prod", T.prod), ("max", T.amax), ("min", T.amin), ("amax", T.amax), ("amin", T.amin), ("mean", T.mean),
       ("var", None), ("std", None), ("all", None), ("any", None), ("ptp", None), ("countNonzero", None), ("logsumexp", T.logsumexp),
       ("nansum", None), ("nanprod", None), ("nanmax", None), ("nanmin", None), ("nanmean", None), ("nanvar", None), ("nanstd", None),
       ("median", None), ("nanmedian", None)]
for name, tf in RED:
    for axis, keep in [(None, False), (1, False), ((0, 2), True), (-1, True)]:
        x = A((2, 3, 4), lo=0.5 if name == "prod" else -2, hi=1.5 if name == "prod" else 2)
        if name.startswith("nan"): x.v.ravel()[[1, 7, 13]] = np.nan
        if name in ("median", "nanmedian") and isinstance(axis, tuple): continue
        opts = {"axis": list(axis) if isinstance(axis, tuple) else axis, "keepdims": keep}
        if name == "logsumexp":
            npf = lambda v, axis=axis, keep=keep: np.log(np.sum(np.exp(v.astype("float64")), axis=axis, keepdims=keep)).astype("float32")
        elif name == "countNonzero":
            npf = lambda v, axis=axis, keep=keep: np.count_nonzero(v, axis=axis, keepdims=keep)
        elif name == "ptp":
            npf = lambda v, axis=axis, keep=keep: np.ptp(v, axis=axis, keepdims=keep)
        else:
            npf = lambda v, axis=axis, keep=keep, f=getattr(np, snake(name)): f(v, axis=axis, keepdims=keep)
        t = None
        if tf is not None and axis is not None:
            dim = list(axis) if isinstance(axis, tuple) else axis
            if name in ("max", "min", "amax", "amin", "prod") and isinstance(dim, list): t = None
            elif name == "prod": t = (lambda v, d=dim, k=keep: T.prod(v, dim=d, keepdim=k))
            else: t = (lambda v, d=dim, k=keep, f=tf: f(v, dim=d, keepdim=k))
        elif tf is not None and name in ("sum", "mean", "logsumexp"):
            t = (lambda v, f=tf: f(v, dim=[0, 1, 2]) if name != "logsumexp" else T.logsumexp(v.reshape(-1), 0))
        case(name, [x], opts=opts, np_fn=npf, torch_fn=t)
    if name in ("sum", "prod", "mean", "all", "any", "nansum", "nanprod", "countNonzero"):
        case(name, [A((0, 3))], opts={"axis": 0}, np_fn=lambda v, n=name: (np.count_nonzero if n == "countNonzero" else getattr(np, snake(n)))(v, axis=0), id=f"{name}#empty")
case("sum", [A((3, 4), "int32", -5, 5)], opts={"axis": 0}); case("sum", [A((3, 4), "bool")]); case("mean", [A((3, 4), "int32", -5, 5)], opts={"axis": 1})
case("var", [A((3, 4))], opts={"ddof": 1, "axis": 0}, np_kwargs={"ddof": 1, "axis": 0}); case("std", [A((5,))], opts={"ddof": 1}, np_kwargs={"ddof": 1})
case("all", [A((3, 4), "bool")], opts={"axis": 1}); case("any", [A((3, 4), "bool")], opts={"axis": 0})
for name in ["argmax", "argmin", "nanargmax", "nanargmin"]:
    x = A((3, 5)); x2 = A((3, 5))
    if name.startswith("nan"): x.v[0, 1] = np.nan; x2.v[1, 2] = np.nan
    case(name, [x]); case(name, [x2], opts={"axis": 1}); case(name, [A((2, 3, 4))], opts={"axis": 0, "keepdims": True})
for name, tf in [("cumsum", T.cumsum), ("cumprod", T.cumprod), ("cumulativeSum", T.cumsum), ("cumulativeProd", T.cumprod), ("nancumsum", None), ("nancumprod", None)]:
    x = A((3, 4), lo=0.5, hi=1.5)
    if name.startswith("nan"): x.v[1, 2] = np.nan
    npf = getattr(np, {"cumulativeSum": "cumsum", "cumulativeProd": "cumprod"}.get(name, name))
    case(name, [x], opts={"axis": 1}, np_fn=lambda v, f=npf: f(v, axis=1), torch_fn=(lambda v, f=tf: f(v, dim=1)) if tf else None)
    if not name.startswith("cumulative"): case(name, [A((2, 3))], np_fn=lambda v, f=npf: f(v))
case("cumsum", [A((4,), "bool")], opts={"axis": 0}, np_fn=lambda v: np.cumsum(v, axis=0))
case("average", [A((3, 4))], opts={"axis": 1}); case("average", [A((3, 4)), ], opts={"axis": 0, "weights": [0.5, 1.0, 2.0]}, np_fn=lambda v: np.average(v, axis=0, weights=[0.5, 1.0, 2.0]))
for name in ["quantile", "nanquantile", "percentile", "nanpercentile"]:
    q = 0.3 if "quantile" in name else 30.0
    x = A((4, 5))
    if name.startswith("nan"): x.v[0, 1] = np.nan; x.v[2, 2] = np.nan
    case(name, [x, P(q)], opts={"axis": 1}, np_fn=lambda v, q, f=getattr(np, name): f(v, q, axis=1))
    case(name, [A((7,)), P([0.1, 0.5, 0.9] if "quantile" in name else [10.0, 50.0, 90.0])], np_fn=lambda v, q, f=getattr(np, name): f(v, q))
case("median", [A((4, 5))], opts={"axis": 0}, np_fn=lambda v: np.median(v, axis=0))

# ---- creation ----
case("zeros", [P([2, 3])], np_fn=lambda s: np.zeros(s, "float32")); case("ones", [P([3]), P("int32")], np_fn=lambda s, d: np.ones(s, d))
case("full", [P([2, 2]), P(7.5)], np_fn=lambda s, v: np.full(s, v, "float32")); case("empty", [P([0, 2])], np_fn=lambda s: np.zeros(s, "float32"))
case("zerosLike", [A((2, 3), "int32")]); case("onesLike", [A((2,))]); case("fullLike", [A((2, 2)), P(3.0)]); case("emptyLike", [A((0,))], np_fn=np.zeros_like)
case("arange", [P(5)]); case("arange", [P(1), P(7), P(2)]); case("arange", [P(0.5), P(3.0), P(0.5)], np_fn=lambda *a: np.arange(*a).astype("float32")); case("arange", [P(5), P(0), P(-2)])
case("linspace", [P(0), P(1), P(5)], np_fn=lambda a, b, n: np.linspace(a, b, n, dtype="float32")); case("linspace", [P(2), P(3), P(50)], opts={"endpoint": False}, np_fn=lambda a, b, n: np.linspace(a, b, n, endpoint=False, dtype="float32"))
case("logspace", [P(0), P(2), P(5)], np_fn=lambda a, b, n: np.logspace(a, b, n).astype("float32")); case("geomspace", [P(1), P(1000), P(4)], np_fn=lambda a, b, n: np.geomspace(a, b, n).astype("float32"))
case("eye", [P(3)], np_fn=lambda n: np.eye(n, dtype="float32")); case("eye", [P(3), P(4), P(1)], np_fn=lambda n, m, k: np.eye(n, m, k, dtype="float32")); case("identity", [P(2)], np_fn=lambda n: np.identity(n, "float32"))
case("tri", [P(3), P(4), P(-1)], np_fn=lambda n, m, k: np.tri(n, m, k, dtype="float32"))
case("tril", [A((3, 4))]); case("triu", [A((3, 4)), P(1)]); case("tril", [A((2, 3, 3)), P(-1)]); case("triu", [A((4, 3))], torch_fn=T.triu)
case("diag", [A((3,))]); case("diag", [A((3,)), P(1)]); case("diag", [A((3,)), P(-2)]); case("diag", [A((3, 4))]); case("diag", [A((3, 4)), P(-1)])
case("diagflat", [A((2, 2))]); case("diagonal", [A((3, 4))], torch_fn=lambda x: T.diagonal(x)); case("diagonal", [A((2, 3, 4)), P(1), P(1), P(2)])
case("meshgrid", [A((3,)), A((2,))]); case("meshgrid", [A((3,)), A((2,)), P({"indexing": "ij"})], np_fn=lambda a, b, o: np.meshgrid(a, b, indexing="ij"))
case("indices", [P([2, 3])]); case("vander", [A((4,))]); case("vander", [A((3,)), P(4)], opts={"increasing": True}, np_fn=lambda x, n: np.vander(x, n, increasing=True))
case("fromfunction", [P("i+j"), P([3, 4])], np_fn=lambda f, s: np.fromfunction(lambda i, j: i + 2 * j, s).astype("float32"))
case("copy", [A((2, 3))]); case("asarray", [A((3,), "int32")]); case("array", [P([[1, 2], [3, 4]])], np_fn=lambda v: np.array(v, "float32")); case("array", [P([True, False])])

# ---- manipulation ----
case("reshape", [A((2, 6)), P([3, -1])], torch_fn=lambda x, s: x.reshape(s)); case("reshape", [A((0, 4)), P([-1, 2])]); case("ravel", [A((2, 3))])
case("transpose", [A((2, 3, 4))], torch_fn=lambda x: x.permute(2, 1, 0)); case("transpose", [A((2, 3, 4)), P([1, 0, 2])]); case("permuteDims", [A((2, 3)), P([1, 0])], np_fn=lambda x, p: np.transpose(x, p))
case("matrixTranspose", [A((2, 3, 4))], np_fn=lambda x: np.swapaxes(x, -1, -2)); case("swapaxes", [A((2, 3, 4)), P(0), P(2)]); case("moveaxis", [A((2, 3, 4)), P(0), P(-1)]); case("moveaxis", [A((2, 3, 4)), P([0, 1]), P([2, 0])])
case("rollaxis", [A((2, 3, 4)), P(2)]); case("rollaxis", [A((2, 3, 4)), P(0), P(2)])
case("expandDims", [A((2, 3)), P(1)], np_fn=lambda x, a: np.expand_dims(x, a)); case("expandDims", [A((2,)), P([0, 2])], np_fn=lambda x, a: np.expand_dims(x, tuple(a)))
case("squeeze", [A((1, 3, 1))]); case("squeeze", [A((1, 3, 1)), P(0)])
case("broadcastTo", [A((3, 1)), P([2, 3, 4])], np_fn=lambda x, s: np.broadcast_to(x, s), torch_fn=lambda x, s: x.expand(s)); case("broadcastArrays", [A((3, 1)), A((4,))], np_fn=lambda a, b: list(np.broadcast_arrays(a, b)))
case("broadcastShapes", [P([3, 1]), P([4])], np_fn=lambda a, b: list(np.broadcast_shapes(tuple(a), tuple(b))), id="broadcastShapes#0")
for name in ["concatenate", "stack", "vstack", "hstack", "dstack", "columnStack", "rowStack", "concat"]:
    shapes = [(2, 3), (2, 3)] if name in ("stack", "dstack") else ([(2, 3), (1, 3)] if name in ("concatenate", "vstack", "rowStack", "concat") else [(2, 3), (2, 1)])
    npf = getattr(np, {"columnStack": "column_stack", "rowStack": "vstack", "concat": "concatenate"}.get(name, name))
    case(name, [[A(s) for s in shapes][0], [A(s) for s in shapes][1]], np_fn=lambda a, b, f=npf: f([a, b]), id=f"{name}#0")
for name in ["hstack", "vstack", "stack", "columnStack", "dstack"]:
    npf = getattr(np, {"columnStack": "column_stack"}.get(name, name))
    case(name, [A((3,)), A((3,))], np_fn=lambda a, b, f=npf: f([a, b]), id=f"{name}#1d")
case("concatenate", [A((2, 2)), A((3,))], np_fn=lambda a, b: np.concatenate([a, b], axis=None), id="concatenate#axisnull")
case("stack", [A((2, 3)), A((2, 3))], np_fn=lambda a, b: np.stack([a, b], axis=-1), id="stack#axis-1")
case("append", [A((2, 3)), A((1, 3)), P(0)]); case("append", [A((2,)), A((2, 2))])
case("split", [A((6, 2)), P(3)]); case("split", [A((5, 2)), P([1, 3])]); case("split", [A((2, 6)), P(2), P(1)])
case("arraySplit", [A((7,)), P(3)], np_fn=np.array_split); case("hsplit", [A((2, 4)), P(2)]); case("vsplit", [A((4, 2)), P(2)]); case("dsplit", [A((1, 2, 4)), P(2)])
case("unstack", [A((3, 2))], np_fn=lambda x: list(x)); case("unstack", [A((3, 2)), P(1)], np_fn=lambda x, a: list(np.moveaxis(x, a, 0)))
case("tile", [A((2, 3)), P([2, 1, 2])], torch_fn=lambda x, r: x.repeat(r)); case("tile", [A((3,)), P(2)])
case("repeat", [A((2, 3)), P(2), P(1)], torch_fn=lambda x, r, a: T.repeat_interleave(x, r, dim=a)); case("repeat", [A((2, 2)), P(3)])
case("pad", [A((2, 3)), P([[1, 0], [2, 1]])], torch_fn=lambda x, p: T.nn.functional.pad(x, (2, 1, 1, 0)))
for mode in ["edge", "reflect", "wrap"]:
    case("pad", [A((3, 4)), P([[1, 2], [2, 1]])], opts={"mode": mode}, np_fn=lambda x, p, m=mode: np.pad(x, p, mode=m))
case("pad", [A((3,)), P(2)], opts={"constantValues": 5.0}, np_fn=lambda x, p: np.pad(x, p, constant_values=5.0))
case("flip", [A((2, 3, 4)), P(1)], torch_fn=lambda x, a: T.flip(x, [a])); case("flip", [A((2, 3))]); case("fliplr", [A((2, 3))]); case("flipud", [A((2, 3))])
case("roll", [A((2, 5)), P(2), P(1)], torch_fn=lambda x, s, a: T.roll(x, s, a)); case("roll", [A((2, 3)), P(-4)])
case("rot90", [A((2, 3))]); case("rot90", [A((2, 3, 2)), P(3)]); case("rot90", [A((3, 2)), P(2)])
case("atleast1d", [A(())], np_fn=np.atleast_1d); case("atleast2d", [A((3,))], np_fn=np.atleast_2d); case("atleast3d", [A((2, 3))], np_fn=np.atleast_3d)
case("resize", [A((3,)), P([2, 4])]); case("resize", [A((2, 2)), P(3)])
case("insert", [A((5,)), P(2), A(())]); case("insert", [A((2, 3)), P(1), A((3,)), P(0)]); case("insert", [A((6,)), P([1, 4, 1]), A((3,))]); case("insert", [A((2, 3)), P([0, 3]), A(()), P(1)])
case("delete", [A((6,)), P([0, 3])]); case("delete", [A((3, 4)), P(1), P(1)]); case("delete", [A((3, 4)), P(-1), P(0)])
case("trimZeros", [A(None, values=[0.0, 0.0, 1.0, 0.0, 2.0, 0.0])]); case("trimZeros", [A(None, values=[0.0, 1.0, 0.0])], opts=None, id="trimZeros#f")
cases[-1]["args"].append({"value": "f"}); cases[-1]["out"] = {"array": enc_arr(np.trim_zeros(np.array([0.0, 1.0, 0.0], "float32"), "f"))}

# ---- linear algebra ----
case("matmul", [A((3, 4)), A((4, 2))], torch_fn=T.matmul); case("matmul", [A((2, 1, 3, 4)), A((5, 4, 2))], torch_fn=T.matmul)
case("matmul", [A((4,)), A((2, 4, 3))], torch_fn=T.matmul); case("matmul", [A((3, 4)), A((4,))], torch_fn=T.matmul); case("matmul", [A((4,)), A((4,))])
case("matmul", [A((0, 4)), A((4, 2))]); case("matmul", [A((3, 4), "int32", -3, 3), A((4, 2), "int32", -3, 3)])
case("dot", [A((3, 4)), A((4,))], torch_fn=T.matmul); case("dot", [A((2, 3, 4)), A((5, 4, 2))]); case("dot", [A(()), A((3,))])
case("vdot", [A((2, 3)), A((3, 2))]); case("vecdot", [A((3, 4)), A((4,))], np_fn=lambda a, b: np.sum(a * b, axis=-1))
case("inner", [A((2, 4)), A((3, 4))]); case("outer", [A((3,)), A((4,))], torch_fn=T.outer)
case("tensordot", [A((2, 3, 4)), A((3, 4, 5))], torch_fn=lambda a, b: T.tensordot(a, b, 2)); case("tensordot", [A((2, 3, 4)), A((4, 2)), P([[2, 0], [0, 1]])], np_fn=lambda a, b, ax: np.tensordot(a, b, ax)); case("tensordot", [A((3,)), A((2,)), P(0)])
case("einsum", [P("ij,jk->ik"), A((2, 3)), A((3, 4))], torch_fn=T.einsum); case("einsum", [P("bij,bjk->bik"), A((2, 2, 3)), A((2, 3, 2))], torch_fn=T.einsum)
case("einsum", [P("ij->ji"), A((2, 3))]); case("einsum", [P("i,i->"), A((3,)), A((3,))]); case("einsum", [P("ij,k->ijk"), A((2, 3)), A((2,))]); case("einsum", [P("ijk->j"), A((2, 3, 4))])
case("trace", [A((3, 4))], torch_fn=T.trace); case("trace", [A((3, 3)), P(1)])
case("kron", [A((2, 2)), A((2, 3))], torch_fn=T.kron); case("cross", [A((4, 3)), A((3,))], torch_fn=lambda a, b: T.cross(a, b.expand(4, 3), dim=-1))
case("norm", [A((3, 4))], np_fn=np.linalg.norm, torch_fn=lambda x: T.linalg.norm(x)); case("norm", [A((3, 4))], opts={"axis": 1, "ord": 1}, np_fn=lambda x: np.linalg.norm(x, ord=1, axis=1))
case("norm", [A((3, 4))], opts={"axis": 0, "ord": np.inf if False else 3}, np_fn=lambda x: np.linalg.norm(x, ord=3, axis=0)); case("norm", [A((3, 4))], opts={"axis": 1, "keepdims": True}, np_fn=lambda x: np.linalg.norm(x, axis=1, keepdims=True))
case("matvec", [A((2, 3, 4)), A((4,))], np_fn=lambda a, b: a @ b); case("vecmat", [A((3,)), A((2, 3, 4))], np_fn=lambda a, b: np.einsum("i,bij->bj", a, b))
SPD = lambda n: (lambda m: (m @ m.T + n * np.eye(n)).astype("float32"))(rng.uniform(-1, 1, (n, n)))
for fn, npf, tf in [("linalg.det", np.linalg.det, T.linalg.det), ("linalg.inv", np.linalg.inv, T.linalg.inv), ("linalg.cholesky", np.linalg.cholesky, None)]:
    case(fn, [A(None, values=SPD(3))], np_fn=npf, torch_fn=tf); case(fn, [A(None, values=np.stack([SPD(2), SPD(2)]))], np_fn=npf)
case("linalg.det", [A((4, 4))], np_fn=np.linalg.det, torch_fn=T.linalg.det, rtol=1e-4)
case("linalg.solve", [A((3, 3)), A((3,))], np_fn=np.linalg.solve, torch_fn=T.linalg.solve, rtol=1e-4); case("linalg.solve", [A(None, values=SPD(3)), A((3, 2))], np_fn=np.linalg.solve)
case("linalg.slogdet", [A((3, 3))], np_fn=lambda a: {"sign": np.linalg.slogdet(a)[0], "logabsdet": np.linalg.slogdet(a)[1]})
case("linalg.matrixPower", [A((3, 3)), P(3)], np_fn=np.linalg.matrix_power); case("linalg.matrixPower", [A(None, values=SPD(2)), P(-2)], np_fn=np.linalg.matrix_power, rtol=1e-4)
case("linalg.norm", [A((3, 4))], np_fn=np.linalg.norm); case("linalg.vectorNorm", [A((3, 4))], np_fn=lambda x: np.linalg.norm(x.ravel())); case("linalg.matrixNorm", [A((2, 3, 4))], np_fn=lambda x: np.linalg.norm(x, axis=(-2, -1)))

# ---- indexing, sorting, selection ----
case("take", [A((3, 4)), A(None, "int32", values=[2, 0, -1]), P(1)], torch_fn=None); case("take", [A((3, 4)), A(None, "int32", values=[[1, 5], [11, 0]])])
case("takeAlongAxis", [A((3, 4)), A((3, 2), "int32", 0, 3), P(1)], torch_fn=lambda x, i, a: T.take_along_dim(x, i.long(), a))
case("putAlongAxis", [A((3, 4)), A(None, "int32", values=[[0], [2], [3]]), A((3, 1)), P(1)], np_fn=lambda a, i, v, ax: (lambda c: (np.put_along_axis(c, i, v, ax), c)[1])(a.copy()))
case("put", [A((3, 4)), A(None, "int32", values=[0, 5, -1]), A((3,))], np_fn=lambda a, i, v: (lambda c: (np.put(c, i, v), c)[1])(a.copy()))
case("place", [A((3, 4)), A((3, 4), "bool"), A((2,))], np_fn=lambda a, m, v: (lambda c: (np.place(c, m, v), c)[1])(a.copy()))
case("fillDiagonal", [A((3, 4)), P(5.0)], np_fn=lambda a, v: (lambda c: (np.fill_diagonal(c, v), c)[1])(a.copy())); case("fillDiagonal", [A((5, 2)), P(1.0)], opts={"wrap": True}, np_fn=lambda a, v: (lambda c: (np.fill_diagonal(c, v, wrap=True), c)[1])(a.copy()))
case("compress", [A(None, "bool", values=[True, False, True]), A((3, 2)), P(0)]); case("extract", [A((2, 3), "bool"), A((2, 3))])
case("choose", [A((2, 3), "int32", 0, 2), A((3,)), A((2, 3)), A(())], np_fn=lambda i, a, b, c: np.choose(i, [a, b, c]), id="choose#0")
case("choose", [A(None, "int32", values=[0, 4, -1, 2]), A((4,)), A((4,)), P({"mode": "wrap"})], np_fn=lambda i, a, b, o: np.choose(i, [a, b], mode="wrap"), id="choose#wrap")
case("sort", [A((3, 5))], torch_fn=lambda x: T.sort(x, dim=-1).values); case("sort", [A((3, 5))], opts={"axis": 0}); case("sort", [A((2, 3))], opts={"axis": None}, np_fn=lambda x: np.sort(x, axis=None))
case("sort", [A(None, values=[3.0, np.nan, 1.0, -np.inf, 2.0])]); case("sort", [A((6,), "int32", -5, 5)])
case("argsort", [A((3, 5))]); case("argsort", [A((4, 3))], opts={"axis": 0}); case("argsort", [A(None, "int32", values=[2, 1, 2, 0, 1])])
case("lexsort", [A(None, "int32", values=[1, 0, 1, 0]), A(None, "int32", values=[2, 2, 1, 1])], np_fn=lambda a, b: np.lexsort([a, b]), id="lexsort#0")
case("searchsorted", [A(None, values=[1.0, 2.0, 2.0, 3.0, 5.0]), A(None, values=[0.0, 2.0, 2.5, 6.0])]); case("searchsorted", [A(None, values=[1.0, 2.0, 2.0, 3.0]), A(None, values=[2.0, 3.0])], opts={"side": "right"})
case("digitize", [A((6,), lo=0, hi=5), A(None, values=[1.0, 2.0, 3.0, 4.0])]); case("digitize", [A(None, values=[1.0, 2.0, 2.5, 4.0]), A(None, values=[4.0, 3.0, 2.0, 1.0])], opts={"right": True})
case("bincount", [A(None, "int32", values=[0, 1, 1, 3, 2, 1, 7])]); case("bincount", [A(None, "int32", values=[0, 1, 1, 3])], opts={"weights": [0.5, 1.0, 2.0, 3.0], "minlength": 6}, np_fn=lambda x: np.bincount(x, weights=[0.5, 1.0, 2.0, 3.0], minlength=6).astype("float32"))
case("histogram", [A((20,))], np_fn=lambda x: [np.histogram(x)[0].astype("float32"), np.histogram(x)[1].astype("float32")]); case("histogram", [A((15,)), P(4)], opts={"range": [-1, 1]}, np_fn=lambda x, b: [np.histogram(x, b, range=(-1, 1))[0].astype("float32"), np.histogram(x, b, range=(-1, 1))[1].astype("float32")])
case("histogramBinEdges", [A((10,)), P(5)], np_fn=lambda x, b: np.histogram_bin_edges(x, b).astype("float32"))
case("nonzero", [A((3, 4), "bool")], np_fn=lambda x: list(np.nonzero(x))); case("flatnonzero", [A((2, 3), "int32", 0, 1)]); case("argwhere", [A((2, 3), "bool")])
case("countNonzero", [A((3, 4), "int32", 0, 1)], opts={"axis": 1}, np_fn=lambda x: np.count_nonzero(x, axis=1))
case("unique", [A((10,), "int32", 0, 4)]); case("uniqueValues", [A((8,), "int32", 0, 3)], np_fn=np.unique)
case("uniqueCounts", [A((8,), "int32", 0, 3)], np_fn=lambda x: dict(zip(["values", "counts"], np.unique(x, return_counts=True))))
case("uniqueInverse", [A((2, 4), "int32", 0, 3)], np_fn=lambda x: {"values": np.unique(x), "inverseIndices": np.unique(x, return_inverse=True)[1].reshape(x.shape)})
case("uniqueAll", [A((7,), "int32", 0, 3)], np_fn=lambda x: dict(zip(["values", "indices", "inverseIndices", "counts"], np.unique(x, return_index=True, return_inverse=True, return_counts=True))))
for name in ["union1d", "intersect1d", "setdiff1d", "setxor1d"]:
    case(name, [A((6,), "int32", 0, 6), A((5,), "int32", 0, 6)])
case("triuIndices", [P(3)], np_fn=lambda n: list(np.triu_indices(n))); case("triuIndices", [P(3), P(1), P(4)], np_fn=lambda n, k, m: list(np.triu_indices(n, k, m)))
case("trilIndices", [P(4), P(-1)], np_fn=lambda n, k: list(np.tril_indices(n, k))); case("triuIndicesFrom", [A((3, 4))], np_fn=lambda a: list(np.triu_indices_from(a))); case("trilIndicesFrom", [A((3, 3)), P(1)], np_fn=lambda a, k: list(np.tril_indices_from(a, k)))
case("diagIndices", [P(3)], np_fn=lambda n: list(np.diag_indices(n))); case("diagIndices", [P(2), P(3)], np_fn=lambda n, d: list(np.diag_indices(n, d))); case("diagIndicesFrom", [A((3, 3))], np_fn=lambda a: list(np.diag_indices_from(a)))
case("ravelMultiIndex", [P([[3, 1, 0], [2, 0, 4]]), P([5, 6])], np_fn=lambda m, d: np.ravel_multi_index(m, d)); case("ravelMultiIndex", [P([[3, 7], [2, -1]]), P([5, 6]), P({"mode": "clip"})], np_fn=lambda m, d, o: np.ravel_multi_index(m, d, mode="clip"))
case("unravelIndex", [A(None, "int32", values=[0, 7, 29, 13]), P([5, 6])], np_fn=lambda i, s: list(np.unravel_index(i, s)))
case("ix_", [A(None, "int32", values=[0, 2]), A(None, "int32", values=[1, 2, 3])], np_fn=lambda a, b: list(np.ix_(a, b)))
case("partition", [A((8,)), P(3)], np_fn=lambda x, k: np.sort(x)); case("argpartition", [A((8,)), P(3)], np_fn=lambda x, k: np.argsort(x, kind="stable"))

# ---- numeric: differences, integrals, convolutions, polynomials, statistics ----
case("diff", [A((3, 5))], torch_fn=lambda x: T.diff(x)); case("diff", [A((4, 3))], opts={"n": 2, "axis": 0}); case("diff", [A((5,))], opts={"prepend": 0.0, "append": [1.0, 2.0]}, np_fn=lambda x: np.diff(x, prepend=0.0, append=[1.0, 2.0]))
case("diff", [A((5,), "bool")]); case("diff", [A((6,), "int32", -5, 5)])
case("ediff1d", [A((2, 3))], torch_fn=None); case("ediff1d", [A((4,))], opts={"toBegin": [-1.0], "toEnd": [9.0, 8.0]}, np_fn=lambda x: np.ediff1d(x, to_begin=[-1.0], to_end=[9.0, 8.0]))
case("gradient", [A((6,))]); case("gradient", [A((3, 4))], np_fn=lambda x: list(np.gradient(x))); case("gradient", [A((3, 4))], opts={"axis": 1, "spacing": 0.5}, np_fn=lambda x: np.gradient(x, 0.5, axis=1))
case("trapezoid", [A((3, 5))], np_fn=lambda y: np.trapz(y)); case("trapezoid", [A((3, 5))], opts={"dx": 0.5, "axis": 0}, np_fn=lambda y: np.trapz(y, dx=0.5, axis=0)); case("trapezoid", [A((5,))], opts={"x": [0.0, 0.5, 1.5, 2.0, 4.0]}, np_fn=lambda y: np.trapz(y, x=[0.0, 0.5, 1.5, 2.0, 4.0]))
for mode in ["full", "same", "valid"]:
    case("convolve", [A((6,)), A((3,)), P(mode)], torch_fn=None); case("correlate", [A((6,)), A((3,)), P(mode)])
    case("convolve", [A((3,)), A((5,)), P(mode)]); case("correlate", [A((3,)), A((4,)), P(mode)])
case("interp", [A((7,), lo=-1, hi=5), A(None, values=[0.0, 1.0, 2.5, 4.0]), A((4,))]); case("interp", [A((5,), lo=-1, hi=5), A(None, values=[0.0, 1.0, 4.0]), A((3,))], opts={"left": -9.0, "right": 9.0})
case("cov", [A((3, 6))]); case("cov", [A((6, 2))], opts={"rowvar": False, "ddof": 0}, np_fn=lambda m: np.cov(m, rowvar=False, ddof=0)); case("cov", [A((5,))], opts={"y": [1.0, 2.0, 0.0, 3.0, 1.0]}, np_fn=lambda m: np.cov(m, y=np.array([1.0, 2.0, 0.0, 3.0, 1.0], "float32")))
case("corrcoef", [A((3, 6))])
case("polyval", [A((4,)), A((2, 3))], torch_fn=None); case("polyadd", [A((3,)), A((5,))]); case("polysub", [A((4,)), A((2,))]); case("polymul", [A((3,)), A((2,))])
case("polyder", [A((5,))]); case("polyder", [A((5,)), P(2)]); case("polyint", [A((3,))]); case("polyint", [A((3,))], opts={"m": 2, "k": 1.0}, np_fn=lambda p: np.polyint(p, 2, 1.0))
case("poly", [A((3,))])
case("sinc", [A(None, values=[0.0, 0.5, -1.5, 2.0])])
case("ndim", [A((2, 3))], np_fn=lambda a: np.ndim(a)); case("size", [A((2, 3))], np_fn=lambda a: np.size(a)); case("size", [A((2, 3)), P(1)], np_fn=lambda a, ax: np.size(a, ax)); case("shape", [A((2, 3))], np_fn=lambda a: list(np.shape(a)))

# ---- dtype utilities (values from numpy's tables) ----
for d in ["float16", "float32", "float64"]:
    fi = np.finfo(d)
    case("finfo", [P(d)], np_fn=lambda _, fi=fi: {"eps": float(fi.eps), "max": float(fi.max), "min": float(fi.min), "tiny": float(fi.tiny), "bits": fi.bits, "resolution": float(fi.resolution)}, id=f"finfo#{d}")
for d in ["int32", "uint32"]:
    ii = np.iinfo(d)
    case("iinfo", [P(d)], np_fn=lambda _, ii=ii: {"min": int(ii.min), "max": int(ii.max), "bits": ii.bits}, id=f"iinfo#{d}")

# ---- nn functions (torch forward and gradients as the oracle) ----
NN = [("relu", T.relu), ("relu6", T.nn.functional.relu6), ("sigmoid", T.sigmoid), ("logSigmoid", T.nn.functional.logsigmoid), ("softplus", T.nn.functional.softplus),
      ("softSign", T.nn.functional.softsign), ("silu", T.nn.functional.silu), ("swish", T.nn.functional.silu), ("tanh", T.tanh), ("hardTanh", T.nn.functional.hardtanh),
      ("hardSigmoid", lambda x: T.nn.functional.relu6(x + 3) / 6), ("hardSilu", lambda x: x * T.nn.functional.relu6(x + 3) / 6), ("hardSwish", lambda x: x * T.nn.functional.relu6(x + 3) / 6),
      ("leakyRelu", lambda x: T.nn.functional.leaky_relu(x, 0.01)), ("elu", T.nn.functional.elu), ("celu", T.nn.functional.celu), ("selu", T.nn.functional.selu),
      ("gelu", lambda x: T.nn.functional.gelu(x, approximate="tanh")), ("mish", T.nn.functional.mish), ("softmax", lambda x: T.softmax(x, -1)),
      ("logSoftmax", lambda x: T.log_softmax(x, -1)), ("glu", lambda x: T.nn.functional.glu(x, -1)), ("standardize", lambda x: (x - x.mean(-1, keepdim=True)) / T.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5)),
      ("logsumexp", lambda x: T.logsumexp(x.reshape(-1), 0)), ("identity", lambda x: x), ("sparsePlus", lambda x: T.where(x <= -1, T.zeros_like(x), T.where(x >= 1, x, (x + 1) ** 2 / 4)))]
nn_cases = []
for name, tf in NN:
    for shape in [(3, 4), (0, 4)] if name not in ("logsumexp",) else [(3, 4)]:
        x = A(shape, lo=-4, hi=4)
        x.v.ravel()[::5] *= 0.9  # stay clear of kinks exactly at 0
        with torch.no_grad():
            y = tf(torch.tensor(x.v.astype("float64"))).numpy().astype("float32")
        case("nn." + name, [x], np_fn=lambda v, y=y: y, torch_fn=tf if shape == (3, 4) else None)
case("nn.gelu", [A((3, 4), lo=-3, hi=3), P(False)], np_fn=lambda v, a: T.nn.functional.gelu(T.tensor(v.astype("float64"))).numpy().astype("float32"), torch_fn=lambda x, a: T.nn.functional.gelu(x))
case("nn.softmax", [A((2, 3, 4)), P(1)], np_fn=lambda v, a: T.softmax(T.tensor(v.astype("float64")), 1).numpy().astype("float32"), torch_fn=lambda x, a: T.softmax(x, a))
case("nn.oneHot", [A(None, "int32", values=[0, 2, 1, 5]), P(3)], np_fn=lambda v, n: (v[:, None] == np.arange(n)).astype("float32"))

op_cases = [c for c in cases if not c["fn"].startswith("nn.")]
nn_cases = [c for c in cases if c["fn"].startswith("nn.")]

# ---- printing: numpy's repr, the engine's prefix ----
def repr_case(a, id):
    """numpy's repr rules (array2string with ', ' and the prefix's indent; the dtype moves to its
    own line when the last line would pass the width), with the engine's prefix "DeviceArray(" and
    its habit of always naming the dtype."""
    dt = JAX_DTYPE[str(a.dtype)] if str(a.dtype) != "float64" else "float64"
    prefix = "DeviceArray("
    if a.size == 0 and a.shape != (0,):
        text = f"{prefix}[], shape={a.shape}, dtype={dt})"
    else:
        lst = np.array2string(a, max_line_width=75, separator=", ", prefix=prefix, suffix=")")
        arr_str = prefix + lst + ","
        last_line_len = len(arr_str) - (arr_str.rfind("\n") + 1)
        typename = f"dtype={dt}"
        spacer = "\n" + " " * len(prefix) if last_line_len + len(typename) + 1 > 75 else " "
        text = arr_str + spacer + typename + ")"
    return {"id": id, "array": enc_arr(a, dt), "repr": text}

prints = []
R = np.random.default_rng(1)
def add(a, id):
    prints.append(repr_case(a, id))
P32 = lambda v: np.array(v, dtype="float32")
add(P32([[21, 2, 3, 0], [1, 2, 3, 4]]), "tutorial-ints-as-floats")
add(P32(R.normal(size=(3, 4))), "normal-3x4")
add(P32(R.normal(size=(2, 3, 4))), "normal-2x3x4")
add(P32([1.5, -0.0, 0.0, np.nan, np.inf, -np.inf]), "specials")
add(P32([1e-5, 1.0, 1000.0]), "sci-small")
add(P32([1e9, 1.0]), "sci-large")
add(P32([0.1, 0.25, 100.125]), "fixed-mixed")
add(P32(3.5), "0d-float"); add(np.array(7, "int32"), "0d-int"); add(np.array(True), "0d-bool")
add(np.array([True, False, True]), "bools"); add(np.array([[1, -20, 300], [4, 5, 6]], "int32"), "ints")
add(np.zeros((0,), "float32"), "empty-1d"); add(np.zeros((2, 0), "float32"), "empty-2x0")
add(P32(R.normal(size=(40,))), "wrap-40"); add(np.arange(30, dtype="int32"), "wrap-ints")
add(P32(R.normal(size=(2000,))), "summarize-2000"); add(np.arange(1200, dtype="int32").reshape(30, 40), "summarize-30x40")
add(np.array([1.5, 2.25, -3.0], "float16"), "float16"); add(np.array([0.1, 1.0 / 3.0], "float16"), "float16-digits")
add(P32([1.0, 2.0, 3.0]), "integral-floats"); add(P32([-1.0, 0.5]), "neg-half")
add(P32([1 / 3, 2 / 3, 1e-3]), "thirds"); add(P32([123456.789, 0.001]), "wide-range")
add(P32(R.normal(size=(2, 2, 2, 2))), "4d")

os.makedirs(OUT, exist_ok=True)
def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
dump("numpy-ops.json", op_cases); dump("nn-functions.json", nn_cases); dump("format.json", prints)
print(f"{len(op_cases)} op cases ({len(set(c['fn'] for c in op_cases))} functions), {len(nn_cases)} nn cases, {len(prints)} print cases")
