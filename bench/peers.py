# Times numpy and PyTorch on the benchmark's cases; run by bench/run.ts with /usr/bin/python3
# (Debian's numpy and torch, OpenBLAS when libopenblas0-pthread is installed). Prints JSON.
import json, sys, time

cfg = json.loads(sys.argv[1])
out = {}

def median(fn, min_runs=5, min_time=0.3, warmup=3):
    for _ in range(warmup): fn()
    ts = []
    t_end = time.perf_counter() + min_time
    while len(ts) < min_runs or time.perf_counter() < t_end:
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        if len(ts) > 100000: break
    ts.sort()
    return ts[len(ts) // 2]

try:
    import numpy as np
    out["numpy_version"] = np.__version__
    try:
        cfgs = np.show_config(mode="dicts")
        out["numpy_blas"] = cfgs["Build Dependencies"]["blas"]["name"]
    except Exception:
        out["numpy_blas"] = "unknown"
    for n in cfg["sgemm"]:
        a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
        out[f"numpy.sgemm{n}"] = median(lambda: a @ b, min_time=cfg["minTime"])
    x8 = np.ones(8, np.float32); y8 = np.ones(8, np.float32)
    out["numpy.add8"] = median(lambda: x8 + y8, min_time=cfg["minTime"])
    big = np.random.randn(cfg["chainN"]).astype(np.float32); dst = np.empty_like(big)
    out["numpy.memcpy"] = median(lambda: np.copyto(dst, big), min_time=cfg["minTime"])
    def chain():
        t = np.maximum(big * 2 + 1, 0) - 0.5
        return 1 / (1 + np.exp(-t))
    out["numpy.chain"] = median(chain, min_time=cfg["minTime"])
except Exception as e:
    out["numpy_error"] = repr(e)

try:
    import torch, os
    torch.set_num_threads(os.cpu_count())  # all cores, as the other engines here
    out["torch_version"] = torch.__version__
    out["torch_threads"] = torch.get_num_threads()
    for n in cfg["sgemm"]:
        a = torch.rand(n, n); b = torch.rand(n, n)
        out[f"torch.sgemm{n}"] = median(lambda: a @ b, min_time=cfg["minTime"])
    x8 = torch.ones(8); y8 = torch.ones(8)
    out["torch.add8"] = median(lambda: x8 + y8, min_time=cfg["minTime"])
    big = torch.randn(cfg["chainN"])
    out["torch.chain"] = median(lambda: torch.sigmoid(torch.relu(big * 2 + 1) - 0.5), min_time=cfg["minTime"])

    # The tutorial's update_step, eager autograd (torch has no jit of the whole step here).
    inp = torch.tensor([[1., 2.], [3., 4.], [5., 6.]]); tgt = torch.tensor([[1.], [0.], [1.]])
    layers = [torch.randn(2, 4, requires_grad=True), torch.randn(4, 1, requires_grad=True)]
    def update_step():
        h = torch.relu(inp @ layers[0]); o = torch.sigmoid(h @ layers[1])
        loss = -torch.mean(tgt * torch.log(o + 1e-8) + (1 - tgt) * torch.log(1 - o + 1e-8))
        gs = torch.autograd.grad(loss, layers)
        with torch.no_grad():
            return [w - 0.1 * g for w, g in zip(layers, gs)]
    out["torch.update_step"] = median(update_step, min_time=cfg["minTime"])

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
    out["torch.mlp"] = median(mlp_step, min_time=cfg["minTime"])
except Exception as e:
    out["torch_error"] = repr(e)

print(json.dumps(out))
