#!/usr/bin/python3
"""Independent reference for tensorlens.random: writes engine/test/fixtures/prng/*.json.

Written from the Threefry spec (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2,
3", Threefry-2x32 with 20 rounds) and from the way JAX lays out threefry counters in its two
schemes (jax/_src/prng.py: threefry_split, threefry_fold_in, threefry_random_bits, partitionable
and original). It needs numpy only (not jax, not the engine), so the fixtures are an oracle the
TypeScript code cannot influence. Run: /usr/bin/python3 scripts/prng_reference.py
"""
import json
import math
import os

import numpy as np

U32 = np.uint32
MASK = 0xFFFFFFFF
ROT = [(13, 15, 26, 6), (17, 29, 16, 24)]


def rotl(x, r):
    return ((x << U32(r)) | (x >> U32(32 - r))).astype(U32)


def threefry2x32(k0, k1, x0, x1):
    """Threefry-2x32-20 on numpy uint32 arrays (broadcast). Key schedule: ks2 = k0^k1^C240."""
    with np.errstate(over="ignore"):
        k0, k1, x0, x1 = (np.asarray(v, dtype=U32) for v in (k0, k1, x0, x1))
        ks = [k0, k1, (k0 ^ k1 ^ U32(0x1BD11BDA)).astype(U32)]
        a = (x0 + ks[0]).astype(U32)
        b = (x1 + ks[1]).astype(U32)
        for i in range(5):  # 5 groups of 4 rounds, a key injection after each
            for r in ROT[i % 2]:
                a = (a + b).astype(U32)
                b = (rotl(b, r) ^ a).astype(U32)
            a = (a + ks[(i + 1) % 3]).astype(U32)
            b = (b + ks[(i + 2) % 3] + U32(i + 1)).astype(U32)
        return a, b


# Random123's published known-answer vectors for threefry2x32_20 (kat_vectors).
KAT = [
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
]
for key, ctr, want in KAT:
    got = threefry2x32(key[0], key[1], ctr[0], ctr[1])
    assert (int(got[0]), int(got[1])) == want, (key, ctr, got, want)


# ---- JAX's key layouts -----------------------------------------------------------------------

def seed_key(seed, x64=False):
    """random.key(seed): int64 seeds are bit-cast to [hi, lo] with x64; in x32 mode JAX first
    narrows the seed to int32, so the high word is 0 and the low word is seed mod 2**32."""
    if x64:
        s = seed & 0xFFFFFFFFFFFFFFFF
        return [s >> 32, s & MASK]
    return [0, seed & MASK]


def key_words(key):
    return U32(key[0]), U32(key[1])


def threefry_flat(key, counts):
    """JAX's threefry_2x32(keypair, count): the flat counts padded to even length, the first
    half as x0 and the second as x1, the outputs concatenated and the pad dropped."""
    counts = np.asarray(counts, dtype=U32).ravel()
    n = counts.size
    padded = np.concatenate([counts, np.zeros(n % 2, U32)])
    half = padded.size // 2
    y0, y1 = threefry2x32(*key_words(key), padded[:half], padded[half:])
    return np.concatenate([y0, y1])[:n]


def split(key, num, partitionable):
    if partitionable:
        y0, y1 = threefry2x32(*key_words(key), np.zeros(num, U32), np.arange(num, dtype=U32))
        return np.stack([y0, y1], axis=1)
    return threefry_flat(key, np.arange(2 * num, dtype=U32)).reshape(num, 2)


def fold_in(key, data):
    return threefry_flat(key, np.array([0, data & MASK], U32))


def bits32(key, shape, partitionable):
    size = int(np.prod(shape, dtype=np.int64))
    if partitionable:
        # iota_2x32_shape: (hi, lo) words of the row-major position; hi is 0 below 2**32 elements.
        y0, y1 = threefry2x32(*key_words(key), np.zeros(size, U32), np.arange(size, dtype=U32))
        return (y0 ^ y1).reshape(shape)
    return threefry_flat(key, np.arange(size, dtype=U32)).reshape(shape)


# ---- float transforms (float32) ---------------------------------------------------------------

F32 = np.float32


def uniform(key, shape, partitionable, minval=0.0, maxval=1.0):
    b = bits32(key, shape, partitionable)
    # The top 23 bits become the mantissa of a float in [1, 2); subtracting 1 gives [0, 1).
    floats = ((b >> U32(9)) | U32(0x3F800000)).view(F32) - F32(1)
    lo, hi = F32(minval), F32(maxval)
    return np.maximum(lo, floats * (hi - lo) + lo).astype(F32)


def uniform64(key, shape, partitionable):
    """float64 uniform from 64 random bits: (hi, lo) words, the top 52 bits as the mantissa."""
    size = int(np.prod(shape, dtype=np.int64))
    if partitionable:
        hi, lo = threefry2x32(*key_words(key), np.zeros(size, U32), np.arange(size, dtype=U32))
    else:
        words = threefry_flat(key, np.arange(2 * size, dtype=U32))
        hi, lo = words[:size], words[size:]
    b = (hi.astype(np.uint64) << np.uint64(32)) | lo.astype(np.uint64)
    f = ((b >> np.uint64(12)) | np.uint64(0x3FF0000000000000)).view(np.float64) - 1.0
    return f.reshape(shape)


def uniform16(key, shape, partitionable):
    """float16 uniform from 16 random bits: the top 10 become the mantissa."""
    size = int(np.prod(shape, dtype=np.int64))
    if partitionable:
        y0, y1 = threefry2x32(*key_words(key), np.zeros(size, U32), np.arange(size, dtype=U32))
        b = ((y0 ^ y1) & U32(0xFFFF)).astype(np.uint16)
    else:
        words = threefry_flat(key, np.arange((size + 1) // 2, dtype=U32))
        b = words.astype("<u4").view("<u2")[:size]  # each word as two 16-bit values, low half first
    f = ((b >> np.uint16(6)) | np.uint16(0x3C00)).view(np.float16) - np.float16(1)
    return f.reshape(shape)


def erfinv(y):
    """erfinv in float64: bisection-free Newton from a rough start, to ~1e-15."""
    y = np.asarray(y, dtype=np.float64)
    out = np.empty_like(y)
    for i, v in np.ndenumerate(y):
        if v <= -1:
            out[i] = -math.inf
            continue
        if v >= 1:
            out[i] = math.inf
            continue
        # Start from the logistic-ish approximation of Winitzki, then Newton on erf.
        a = 0.147
        ln = math.log(1 - v * v)
        t = 2 / (math.pi * a) + ln / 2
        x = math.copysign(math.sqrt(math.sqrt(t * t - ln / a) - t), v)
        for _ in range(60):
            err = math.erf(x) - v
            step = err / (2 / math.sqrt(math.pi) * math.exp(-x * x))
            x -= step
            if abs(step) <= 1e-16 * max(1.0, abs(x)):
                break
        out[i] = x
    return out


SQRT2_F32 = F32(math.sqrt(2))


def normal(key, shape, partitionable):
    lo = np.nextafter(F32(-1), F32(0))
    u = uniform(key, shape, partitionable, lo, 1.0)
    # erf_inv rounded to float32, then the float32 product with sqrt(2) as float32.
    return (SQRT2_F32 * erfinv(u).astype(F32)).astype(F32)


def truncated_normal(key, lower, upper, shape, partitionable):
    lower, upper = F32(lower), F32(upper)
    a = F32(math.erf(float(lower / SQRT2_F32)))
    b = F32(math.erf(float(upper / SQRT2_F32)))
    u = uniform(key, shape, partitionable, a, b)
    out = (SQRT2_F32 * erfinv(u).astype(F32)).astype(F32)
    return np.clip(out, np.nextafter(lower, F32(np.inf)), np.nextafter(upper, F32(-np.inf))).astype(F32)


def randint(key, shape, minval, maxval, partitionable):
    """JAX's randint for int32: two 32-bit draws from split(key) combined modulo the span."""
    k1, k2 = split(key, 2, partitionable)
    hi = bits32(k1, shape, partitionable).astype(np.uint64)
    lo = bits32(k2, shape, partitionable).astype(np.uint64)
    span = (maxval - minval) & MASK if maxval > minval else 1
    # JAX squares 2**16 mod span in uint32, which wraps (to 0 when span > 2**16): kept as is.
    mult = (((2 ** 16 % span) * (2 ** 16 % span)) & MASK) % span
    off = (((hi % span) * mult) & MASK) + (lo % span)
    off = (off & MASK) % span
    return (minval + off.astype(np.int64)).astype(np.int32)


def permutation(key, n, partitionable):
    rounds = math.ceil(3 * math.log(max(1, n)) / math.log(MASK))
    x = np.arange(n, dtype=np.int32)
    k = key
    for _ in range(rounds):
        k, sub = split(k, 2, partitionable)
        sort_keys = bits32(sub, (n,), partitionable)
        x = x[np.argsort(sort_keys, kind="stable")]
    return x


def u32list(a):
    return np.asarray(a, dtype=U32).astype(np.int64).tolist()


def f32bits(a):
    """Floats as their uint32 bit patterns, so JSON round-trips them exactly."""
    return np.asarray(a, dtype=F32).view(U32).astype(np.int64).tolist()


def scheme(partitionable):
    k0 = seed_key(0)
    k42 = seed_key(42)
    out = {
        "split_key0": u32list(split(k0, 2, partitionable)),
        "split_key42_num5": u32list(split(k42, 5, partitionable)),
        "split_key42_num1": u32list(split(k42, 1, partitionable)),
        "fold_in_key0_7": u32list(fold_in(k0, 7)),
        "fold_in_key42_123456789": u32list(fold_in(k42, 123456789)),
        "fold_in_key42_neg1": u32list(fold_in(k42, -1)),
        "bits_key0_shape3x5": u32list(bits32(k0, (3, 5), partitionable)),
        "bits_key42_shape7": u32list(bits32(k42, (7,), partitionable)),
        "bits_key42_scalar": u32list(bits32(k42, (), partitionable)),
        "uniform_key0_4": f32bits(uniform(k0, (4,), partitionable)),
        "uniform_key42_2x3_minus2_5": f32bits(uniform(k42, (2, 3), partitionable, -2.0, 5.0)),
        "uniform64_key0_5": np.asarray(uniform64(k0, (5,), partitionable)).tolist(),
        "uniform16_key42_7": np.asarray(uniform16(k42, (7,), partitionable)).astype(np.float64).tolist(),
        "normal_key0_16": f32bits(normal(k0, (16,), partitionable)),
        "normal_key42_3x3": f32bits(normal(k42, (3, 3), partitionable)),
        "truncated_normal_key0_m1_2_10": f32bits(truncated_normal(k0, -1.0, 2.0, (10,), partitionable)),
        "randint_key0_10_0_10": randint(k0, (10,), 0, 10, partitionable).tolist(),
        "randint_key42_8_m5_100000": randint(k42, (8,), -5, 100000, partitionable).tolist(),
        "randint_key42_6_big": randint(k42, (6,), -2000000000, 2000000000, partitionable).tolist(),
        "permutation_key0_10": permutation(k0, 10, partitionable).tolist(),
        "permutation_key42_2000": permutation(k42, 2000, partitionable).tolist(),
    }
    # A chain of splits, as a training loop does it.
    k = k0
    chain = []
    for _ in range(3):
        k, sub = split(k, 2, partitionable)
        chain.append(u32list(sub))
    out["split_chain_key0"] = chain
    return out


def main():
    fixtures = {
        "kat": [{"key": list(k), "ctr": list(c), "out": list(o)} for k, c, o in KAT],
        "seeds_x32": {str(s): seed_key(s) for s in [0, 1, 42, -1, 2**31 - 1 + 100, -(2**31) - 100, 2**32 + 5]},
        "seeds_x64": {str(s): seed_key(s, True) for s in [0, 42, -1, -3, 2**32 + 5, 2**40 + 7, -(2**31) - 100]},
        "partitionable": scheme(True),
        "original": scheme(False),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    dest = os.path.join(here, "..", "engine", "test", "fixtures", "prng")
    os.makedirs(dest, exist_ok=True)
    with open(os.path.join(dest, "reference.json"), "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    # Echo the known answers as a sanity check of the layouts.
    p = fixtures["partitionable"]
    print("split(key(0)) partitionable:", p["split_key0"])
    print("split(key(0)) original:     ", fixtures["original"]["split_key0"])
    print("uniform(key(0),[4]):", np.array(p["uniform_key0_4"], dtype=np.uint32).view(F32))


if __name__ == "__main__":
    main()
