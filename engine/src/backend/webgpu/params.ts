/**
 * The sizes, strides and offsets a shader reads from a uniform buffer instead of having them
 * baked into its WGSL: a shader's code then depends only on the kernel's structure (rank, which
 * axes are broadcast or reduced, the expression, dtypes), so the pipeline cache, keyed by the
 * code, serves every shape of that structure with one pipeline.
 *
 * Parameters are positional: each call of `u`/`i` adds one, whatever its value (two equal sizes
 * are still two parameters), so the code never depends on the values. Values read from a
 * uniform buffer are uniform in WGSL's analysis, which subgroup operations and barriers need.
 */
export class Params {
  private readonly values: number[] = [];

  /** A u32 parameter: the WGSL expression that reads it. */
  u(value: number): string {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`internal: webgpu u32 parameter ${value}`);
    return this.slot(value);
  }

  /** An i32 parameter (offsets and strides may be negative). */
  i(value: number): string {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new Error(`internal: webgpu i32 parameter ${value}`);
    return `bitcast<i32>(${this.slot(value >>> 0)})`;
  }

  private slot(bits: number): string {
    const k = this.values.length;
    this.values.push(bits);
    return `prm.v[${k >> 2}].${"xyzw"[k & 3]}`;
  }

  get count(): number { return this.values.length; }

  /** The uniform's declaration at `binding` (after the storage buffers), or "" without parameters. */
  declare(binding: number): string {
    if (this.values.length === 0) return "";
    return `struct Prm { v: array<vec4<u32>, ${Math.ceil(this.values.length / 4)}> };\n@group(0) @binding(${binding}) var<uniform> prm: Prm;`;
  }

  /** The uniform buffer's contents (a whole number of vec4s). */
  data(): Uint32Array {
    const out = new Uint32Array(Math.ceil(this.values.length / 4) * 4);
    out.set(this.values);
    return out;
  }
}
