/**
 * Threefry-2x32 with 20 rounds (Salmon et al. 2011, "Parallel random numbers: as easy as
 * 1, 2, 3"), as JAX uses it. All arithmetic is on uint32.
 */
const ROTATIONS = [[13, 15, 26, 6], [17, 29, 16, 24]] as const;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;

export function threefry2x32(k0: number, k1: number, x0: number, x1: number): [number, number] {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  let a = (x0 + ks[0]!) >>> 0;
  let b = (x1 + ks[1]!) >>> 0;
  for (let block = 0; block < 5; block++) {
    const rot = ROTATIONS[block % 2]!;
    for (const r of rot) {
      a = (a + b) >>> 0;
      b = rotl(b, r) ^ a;
    }
    a = (a + ks[(block + 1) % 3]!) >>> 0;
    b = (b + ks[(block + 2) % 3]! + block + 1) >>> 0;
  }
  return [a, b];
}
