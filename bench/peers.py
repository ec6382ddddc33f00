# Times numpy and PyTorch on the benchmark's cases; run by bench/run.ts with /usr/bin/python3
# (Debian's numpy and torch, OpenBLAS when libopenblas0-pthread is installed). Prints JSON.
#
# Peers at their best: run.ts starts this with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (the
# machines pin OpenBLAS to its AVX2 kernel; a user's machine does not), and the kernel OpenBLAS
# chose is reported (openblas_get_corename). PyTorch runs each case on 1 and on 2 threads, with
# OpenBLAS's own threads set to match (2 torch threads over 2 OpenBLAS threads oversubscribe 2
# cores), and keeps the better; every case is warmed up for at least a second. Each figure is
# {"med", "q1", "q3"}: the median and the quartiles of the timed runs.
import ctypes, json, os, sys, time

cfg = json.loads(sys.argv[1])
out = {}
WARM_S = 1.0
GEMM = cfg.get("gemm", [])   # bench/gemm-shapes.ts: the matmul cases, each with its thread count
ONLY_GEMM = cfg.get("gemmOnly", False)

def timed(fn, min_runs=5, min_time=0.3, warm_s=WARM_S):
    t_end = time.perf_counter() + warm_s
    i = 0
    while i < 3 or time.perf_counter() < t_end:
        fn(); i += 1
    ts = []
    t_end = time.perf_counter() + min_time
    while len(ts) < min_runs or time.perf_counter() < t_end:
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        if len(ts) > 100000: break
    ts.sort()
    q = lambda f: ts[min(len(ts) - 1, int(f * len(ts)))]
    return {"med": ts[len(ts) // 2], "q1": q(0.25), "q3": q(0.75)}

def openblas():
    """The OpenBLAS library this process loaded (after numpy/torch), or None."""
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1]
                if ("openblas" in p or "libblas" in p) and p not in paths: paths.append(p)
    except OSError:
        pass
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib, p
        except (OSError, AttributeError):
            continue
    return None, None

def blas_threads(lib, n):
    if lib is not None:
        try: lib.openblas_set_num_threads(n)
        except AttributeError: pass

def gemm_operands(c, rand):
    """op(A), op(B) of a bench/gemm-shapes.ts case: stored as Tensorlens stores them, transposed
    ones used through transposed views (BLAS's trans flags), batched ones as stacks."""
    lead = [c["batch"]] if c["batch"] > 1 else []
    a = rand(lead + ([c["k"], c["m"]] if c["ta"] else [c["m"], c["k"]]))
    b = rand(lead + ([c["n"], c["k"]] if c["tb"] else [c["k"], c["n"]]))
    return (a.swapaxes(-1, -2) if c["ta"] else a), (b.swapaxes(-1, -2) if c["tb"] else b)

try:
    import numpy as np
    out["numpy_version"] = np.__version__
    try:
        cfgs = np.show_config(mode="dicts")
        out["numpy_blas"] = cfgs["Build Dependencies"]["blas"]["name"]
    except Exception:
        out["numpy_blas"] = "unknown"
    lib, path = openblas()
    out["openblas"] = {"corename": lib.openblas_get_corename().decode() if lib else None, "library": path,
                       "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}}
    for c in GEMM:
        blas_threads(lib, c["threads"])
        a, b = gemm_operands(c, lambda s: np.random.rand(*s).astype(np.float32))
        out[f"numpy.gemm.{c['case']}"] = timed(lambda: a @ b, min_runs=3 if c["m"] * c["n"] * c["k"] > 2.5e10 else 5, min_time=cfg["minTime"])
    blas_threads(lib, os.cpu_count())
    if ONLY_GEMM: raise StopIteration
    for n in cfg["sgemm"]:
        a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
        out[f"numpy.sgemm{n}"] = timed(lambda: a @ b, min_time=cfg["minTime"])
    x8 = np.ones(8, np.float32); y8 = np.ones(8, np.float32)
    out["numpy.add8"] = timed(lambda: x8 + y8, min_time=cfg["minTime"])
    big = np.random.randn(cfg["chainN"]).astype(np.float32); dst = np.empty_like(big)
    out["numpy.memcpy"] = timed(lambda: np.copyto(dst, big), min_time=cfg["minTime"])
    def chain():
        t = np.maximum(big * 2 + 1, 0) - 0.5
        return 1 / (1 + np.exp(-t))
    out["numpy.chain_eager"] = timed(chain, min_time=cfg["minTime"])
except StopIteration:
    pass
except Exception as e:
    out["numpy_error"] = repr(e)

try:
    import torch
    out["torch_version"] = torch.__version__
    lib, _ = openblas()
    # The matmul cases on the case's own thread count (torch's and OpenBLAS's).
    for c in GEMM:
        torch.set_num_threads(c["threads"]); blas_threads(lib, c["threads"])
        a, b = gemm_operands(c, lambda s: torch.rand(*s))
        out[f"torch.gemm.{c['case']}"] = timed(lambda: a @ b, min_runs=3 if c["m"] * c["n"] * c["k"] > 2.5e10 else 5, min_time=cfg["minTime"])
    if ONLY_GEMM: raise StopIteration
    cases = {}
    for n in cfg["sgemm"]:
        a = torch.rand(n, n); b = torch.rand(n, n)
        cases[f"sgemm{n}"] = (lambda a=a, b=b: a @ b)
    x8 = torch.ones(8); y8 = torch.ones(8)
    cases["add8"] = lambda: x8 + y8
    big = torch.randn(cfg["chainN"])
    # The five-op chain, eager (as in the issue: mul, add, relu, sub, sigmoid).
    cases["chain_eager"] = lambda: torch.sigmoid(torch.relu(big * 2 + 1) - 0.5)

    # The tutorial's update_step, eager autograd (torch has no jit of the whole step here).
    inp = torch.tensor([[1., 2.], [3., 4.], [5., 6.]]); tgt = torch.tensor([[1.], [0.], [1.]])
    layers = [torch.randn(2, 4, requires_grad=True), torch.randn(4, 1, requires_grad=True)]
    def update_step():
        h = torch.relu(inp @ layers[0]); o = torch.sigmoid(h @ layers[1])
        loss = -torch.mean(tgt * torch.log(o + 1e-8) + (1 - tgt) * torch.log(1 - o + 1e-8))
        gs = torch.autograd.grad(loss, layers)
        with torch.no_grad():
            return [w - 0.1 * g for w, g in zip(layers, gs)]
    cases["update_step"] = update_step

    B, sizes = cfg["mlpBatch"], cfg["mlpSizes"]
    g = torch.Generator().manual_seed(0)
    params = []
    for i in range(len(sizes) - 1):
        params += [(torch.randn(sizes[i], sizes[i + 1], generator=g) * (2 / sizes[i]) ** 0.5).requires_grad_(), torch.zeros(sizes[i + 1], requires_grad=True)]
    x = torch.randn(B, sizes[0], generator=g); y = torch.randint(0, sizes[-1], (B,), generator=g)
    def mlp_step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params): h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, y)
        gs = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, gr in zip(params, gs): p -= 0.01 * gr
    cases["mlp"] = mlp_step

    # The bench's CNN step: conv(32,3x3)-relu-conv(64,3x3,stride 2)-relu-dense(10), NCHW, B=cnnBatch.
    Bc = cfg["cnnBatch"]
    cw = [(torch.rand(32, 1, 3, 3) * 0.3).requires_grad_(), (torch.rand(64, 32, 3, 3) * 0.05).requires_grad_(),
          (torch.rand(64 * 14 * 14, 10) * 0.01).requires_grad_()]
    cx = torch.rand(Bc, 1, 28, 28); cy = torch.arange(Bc) % 10
    def cnn_step():
        h = torch.relu(torch.nn.functional.conv2d(cx, cw[0], padding=1))
        h = torch.relu(torch.nn.functional.conv2d(h, cw[1], stride=2, padding=1))
        loss = torch.nn.functional.cross_entropy(h.reshape(Bc, -1) @ cw[2], cy)
        gs = torch.autograd.grad(loss, cw)
        with torch.no_grad():
            for p, gr in zip(cw, gs): p -= 0.01 * gr
    cases["cnn"] = cnn_step

    # Each case on 1 and on min(2, cores) threads; the better median is kept, with its thread count.
    for name, fn in cases.items():
        best = None
        for t in sorted({1, min(2, os.cpu_count() or 1)}):
            torch.set_num_threads(t); blas_threads(lib, t)
            r = timed(fn, min_time=cfg["minTime"])
            r["threads"] = t
            if best is None or r["med"] < best["med"]: best = r
        out[f"torch.{name}"] = best
except StopIteration:
    pass
except ImportError as e:
    out["torch_error"] = f"not installed ({e})"
except Exception as e:
    out["torch_error"] = repr(e)

print(json.dumps(out))
