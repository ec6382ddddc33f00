"""Generates engine/test/fixtures/nn/*.json with PyTorch 1.13 (and numpy for Optax rules that
PyTorch does not share). Run: /usr/bin/python3 scripts/gen_nn_fixtures.py. Tests need no Python."""
import json, math, os
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "engine", "test", "fixtures", "nn")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)
rng = np.random.default_rng(0)

def arr(x):
    x = x.detach().double().numpy() if isinstance(x, torch.Tensor) else np.asarray(x, dtype=np.float64)
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1)]}

def dump(name, obj):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f)

# --- conv_general_dilated forward and gradients (NCHW / OIHW), explicit (lo, hi) padding ---
conv_cases = [
    dict(lhs=[2, 3, 7, 6], rhs=[4, 3, 3, 3], strides=[1, 1], padding=[[1, 1], [1, 1]], dil=[1, 1], groups=1),
    dict(lhs=[2, 4, 9, 8], rhs=[6, 2, 3, 2], strides=[2, 3], padding=[[0, 1], [2, 0]], dil=[1, 1], groups=2),
    dict(lhs=[1, 2, 10, 9], rhs=[4, 2, 3, 3], strides=[2, 1], padding=[[2, 2], [0, 0]], dil=[2, 2], groups=1),
    dict(lhs=[2, 4, 6, 6], rhs=[4, 1, 3, 3], strides=[1, 2], padding=[[1, 1], [1, 0]], dil=[1, 1], groups=4),
    dict(lhs=[3, 2, 11], rhs=[3, 2, 4], strides=[3], padding=[[1, 2]], dil=[2], groups=1),
    dict(lhs=[2, 3, 6, 7], rhs=[5, 3, 2, 2], strides=[2, 2], padding=[[0, 0], [0, 0]], dil=[1, 1], groups=1),
]
out = []
for c in conv_cases:
    x = torch.randn(*c["lhs"], dtype=torch.float64, requires_grad=True)
    w = torch.randn(*c["rhs"], dtype=torch.float64, requires_grad=True)
    pads = []
    for lo, hi in reversed(c["padding"]):
        pads += [lo, hi]
    xp = F.pad(x, pads)
    fn = F.conv1d if len(c["lhs"]) == 3 else F.conv2d
    y = fn(xp, w, stride=c["strides"], dilation=c["dil"], groups=c["groups"])
    ct = torch.randn(*y.shape, dtype=torch.float64)
    y.backward(ct)
    out.append(dict(c, x=arr(x), w=arr(w), y=arr(y), ct=arr(ct), dx=arr(x.grad), dw=arr(w.grad)))
dump("conv.json", out)

# --- losses ---
logits = torch.randn(5, 7, dtype=torch.float64) * 3
logits[0, 0] = 120.0; logits[1, 2] = -150.0  # far from zero: the stable forms must not overflow
labels_int = torch.tensor([0, 3, 6, 2, 2])
probs = torch.softmax(torch.randn(5, 7, dtype=torch.float64), -1)
bin_targets = torch.rand(5, 7, dtype=torch.float64)
pred = torch.randn(5, 7, dtype=torch.float64); target = torch.randn(5, 7, dtype=torch.float64)
losses = dict(
    logits=arr(logits), labelsInt=labels_int.tolist(), probs=arr(probs), binTargets=arr(bin_targets), pred=arr(pred), target=arr(target),
    sigmoidBce=arr(F.binary_cross_entropy_with_logits(logits, bin_targets, reduction="none")),
    softmaxCe=arr(F.cross_entropy(logits, probs, reduction="none")),
    softmaxCeInt=arr(F.cross_entropy(logits, labels_int, reduction="none")),
    l2=arr(0.5 * (pred - target) ** 2),
    huber=arr(F.huber_loss(pred, target, reduction="none", delta=0.7)),
    cosine=arr(F.cosine_similarity(pred, target, dim=-1)),
)
# gradients of the mean losses with respect to the logits
for key, f in [("sigmoidBceGrad", lambda z: F.binary_cross_entropy_with_logits(z, bin_targets)),
               ("softmaxCeGrad", lambda z: F.cross_entropy(z, probs)),
               ("softmaxCeIntGrad", lambda z: F.cross_entropy(z, labels_int))]:
    z = logits.clone().requires_grad_(True); f(z).backward(); losses[key] = arr(z.grad)
dump("losses.json", losses)

# --- optimizers: a fixed parameter vector and a fixed sequence of gradients ---
p0 = rng.standard_normal((2, 3))
grads = [rng.standard_normal((2, 3)) for _ in range(6)]
def run_torch(make):
    p = torch.tensor(p0, requires_grad=True)
    opt = make([p])
    traj = []
    for g in grads:
        p.grad = torch.tensor(g); opt.step(); traj.append(arr(p))
    return traj
def run_np(step):
    p = p0.copy(); state = {}; traj = []
    for t, g in enumerate(grads, 1):
        p = p + step(g, p, state, t); traj.append(arr(p))
    return traj
def rmsprop(lr, decay=0.9, eps=1e-8):
    def step(g, p, s, t):  # optax.scale_by_rms: nu = decay nu + (1-decay) g^2; g / sqrt(nu + eps)
        s["nu"] = decay * s.get("nu", 0.0) + (1 - decay) * g * g
        return -lr * g / np.sqrt(s["nu"] + eps)
    return step
def adagrad(lr, init=0.1, eps=1e-7):
    def step(g, p, s, t):  # optax.scale_by_rss
        s["sum"] = s.get("sum", init) + g * g
        return -lr * np.where(s["sum"] > 0, 1 / np.sqrt(s["sum"] + eps), 0.0) * g
    return step
def lion(lr, b1=0.9, b2=0.99, wd=1e-3):
    def step(g, p, s, t):
        mu = s.get("mu", 0.0)
        u = np.sign(b1 * mu + (1 - b1) * g)
        s["mu"] = b2 * mu + (1 - b2) * g
        return -lr * (u + wd * p)
    return step
def clipped_sgd(lr, max_norm):
    def step(g, p, s, t):
        n = np.sqrt(np.sum(g * g))
        return -lr * (g if n < max_norm else g * max_norm / n)
    return step
opt = dict(p0=arr(p0), grads=[arr(g) for g in grads], cases=dict(
    sgd=run_torch(lambda ps: torch.optim.SGD(ps, lr=0.1)),
    sgdMomentum=run_torch(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
    sgdNesterov=run_torch(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
    adam=run_torch(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8)),
    adamw=run_torch(lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
    rmsprop=run_np(rmsprop(0.01)),
    adagrad=run_np(adagrad(0.1)),
    lion=run_np(lion(0.01)),
    clippedSgd=run_np(clipped_sgd(0.1, 1.0)),
))
dump("optim.json", opt)
print("wrote", OUT)
