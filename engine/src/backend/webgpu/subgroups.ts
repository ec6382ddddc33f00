import type { Reducer } from "./kernels.js";

/**
 * A workgroup's reduction with subgroup operations (the adapter's `subgroups` feature): each
 * subgroup combines its lanes' values with shuffles in registers, and only one value per
 * subgroup goes through workgroup memory, against a log2(workgroup)-step tree with a barrier per
 * step in the workgroup-memory path.
 *
 * Written for any combine (NaN-propagating max/min, bool and/or as u32, products): a
 * shuffle-down tree, rather than subgroupAdd/subgroupMax, whose float NaN handling and order of
 * operations WGSL leaves to the implementation. Nothing assumes how lanes map to
 * local_invocation_index: every thread writes a slot of its own (its subgroup's total in lane 0,
 * the identity in the others), and every subgroup then combines all slots, so the result does
 * not depend on the layout and is the same at every run. Needs `lane` (subgroup_invocation_id),
 * `sgsize` (subgroup_size), `lid`, `acc` and the workgroup array `partial` of `wg` slots; ends
 * with the workgroup's result in `acc` of every thread. All control flow here is uniform (the
 * loop bounds are subgroup_size and constants), as subgroup operations require.
 */
export function subgroupReduceLines(r: Reducer, wg: number): string[] {
  const shuffleTree = [
    "for (var d = sgsize >> 1u; d > 0u; d = d >> 1u) {",
    `  acc = ${r.combine("acc", "subgroupShuffleDown(acc, d)")};`,
    "}",
  ];
  return [
    ...shuffleTree,
    `partial[lid] = select(${r.init}, acc, lane == 0u);`,
    "workgroupBarrier();",
    `acc = ${r.init};`,
    `for (var t = 0u; t < ${wg}u; t = t + sgsize) {`,
    `  if (t + lane < ${wg}u) { acc = ${r.combine("acc", "partial[t + lane]")}; }`,
    "}",
    ...shuffleTree,
    "acc = subgroupBroadcast(acc, 0u);",
  ];
}
