import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

/**
 * IDX files (the MNIST format): a magic number whose third byte is the element type (0x08:
 * unsigned bytes) and fourth the rank, the dimensions as big-endian uint32, then the data.
 * Gzipped files (.gz) are inflated first.
 */
export interface Idx { dims: number[]; data: Uint8Array }
export function readIdx(path: string): Idx {
  let bytes: Buffer = readFileSync(path);
  if (path.endsWith(".gz") || (bytes[0] === 0x1f && bytes[1] === 0x8b)) bytes = gunzipSync(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${path}: not an IDX file (bad magic number)`);
  if (bytes[2] !== 0x08) throw new Error(`${path}: element type 0x${bytes[2]!.toString(16)} is not supported (only unsigned bytes)`);
  const rank = bytes[3]!;
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * rank, size = dims.reduce((p, d) => p * d, 1);
  if (bytes.length < start + size) throw new Error(`${path}: truncated: ${bytes.length - start} bytes of data for dims [${dims}]`);
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, size) };
}

/** Fashion-MNIST (Debian's dataset-fashion-mnist installs it here). */
export const DEFAULT_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";
export const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

export interface Split { images: Float32Array; labels: Int32Array; count: number; rows: number; cols: number }
/** Images scaled to [0, 1] (row-major, count x rows x cols) and integer labels. */
export function loadSplit(dir: string, split: "train" | "t10k", limit?: number): Split {
  const img = readIdx(join(dir, `${split}-images-idx3-ubyte.gz`));
  const lab = readIdx(join(dir, `${split}-labels-idx1-ubyte.gz`));
  if (img.dims[0] !== lab.dims[0]) throw new Error(`${dir}: ${img.dims[0]} images but ${lab.dims[0]} labels`);
  const count = Math.min(img.dims[0]!, limit ?? Infinity), rows = img.dims[1]!, cols = img.dims[2]!;
  const images = new Float32Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  return { images, labels: Int32Array.from(lab.data.subarray(0, count)), count, rows, cols };
}
