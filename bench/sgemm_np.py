# numpy SGEMM n=512/1024/2048: median GFLOP/s (same protocol as bench/sgemm.ts).
import time, numpy as np
out = []
for n in (512, 1024, 2048):
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
    for _ in range(3): a @ b
    runs = 61 if n <= 512 else 21 if n <= 1024 else 9
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
    ts.sort()
    out.append(f"{n}: {2 * n**3 / ts[runs // 2] / 1e9:.0f}")
print("numpy GFLOP/s " + ", ".join(out))
