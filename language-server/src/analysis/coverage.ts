/**
 * What the server knows of each function the engine declares (engine/src/signatures): every
 * declared function either has a rule here (a handler in engineApi.ts, a transformation or
 * control-flow rule in transforms.ts, a layer or pooling rule in modules.ts) or is listed below
 * with the reason it has none. `test/lsp/api-coverage.test.ts` walks the engine's table, so a
 * function the engine gains fails that test until it gets a rule or a reason. The reason is
 * also what the hover of a `?` says about a value such a call returned.
 */

/** Returns something other than one array (a dtype, a shape, a boolean, a list of arrays, a function, a tree utility). */
const NOT_AN_ARRAY = `
np.frexp np.modf np.divmod np.iscomplexobj np.isrealobj np.allclose np.arrayEqual np.arrayEquiv np.isscalar np.defaultFloatDType
np.promote np.promoteFloat np.dtypeArg np.finfo np.iinfo np.issubdtype np.isdtype np.resultType np.promoteTypes np.canCast
np.meshgrid np.broadcastArrays np.broadcastShapes np.broadcastShapesOf np.arraySplit np.hsplit np.vsplit np.dsplit np.unstack
np.ndim np.shape np.size np.at np.nonzero np.triuIndices np.trilIndices np.triuIndicesFrom np.trilIndicesFrom np.diagIndices
np.diagIndicesFrom np.maskIndices np.unravelIndex np.ix_ np.uniqueAll np.uniqueCounts np.uniqueInverse np.histogram np.gradient
np.vectorize np.applyOverAxes np.place np.put np.fillDiagonal np.linalg.slogdet np.linalg.qr np.linalg.eigh np.linalg.svd
np.linalg.lstsq nn.freeze nn.unfreeze nn.formatTree nn.tabulate nn._scalar lax.threefry2x32 lax.sort lax.topK random.keyData
makeJaxpr customJvp customVjp scipy.linalg.choFactor np.atleast1d np.atleast2d np.atleast3d np.indices lax.associativeScan
nn.initializers.zeros nn.initializers.ones nn.initializers.defaultKernelInit nn.initializers.defaultEmbedInit
nn.initializers.constant nn.initializers.normal nn.initializers.uniform nn.initializers.truncatedNormal nn.initializers.computeFans
nn.initializers.varianceScaling nn.initializers.lecunNormal nn.initializers.lecunUniform nn.initializers.glorotNormal
nn.initializers.glorotUniform nn.initializers.heNormal nn.initializers.heUniform nn.initializers.xavierNormal
nn.initializers.xavierUniform nn.initializers.kaimingNormal nn.initializers.kaimingUniform
`;

/** The result's shape depends on the values in the arrays, which a static analysis does not have. */
const DATA_DEPENDENT = `
np.union1d np.intersect1d np.setdiff1d np.setxor1d np.trimZeros np.flatnonzero np.argwhere np.compress np.extract np.unique
np.uniqueValues np.bincount np.fromfunction np.frombuffer np.piecewise
`;

/** Returns one array whose shape rule the server does not model yet: its hint reads `?`. */
const NOT_YET = `
np.spacing np.imag np.iscomplex np.isreal np.ldexp np.kron np.cross np.matvec np.vecmat np.polyval np.polyadd np.polysub
np.polymul np.around np.isInteger np.angle np.unwrap np.cumulativeSum np.cumulativeProd np.average np.geomspace np.logspace np.tri
np.diag np.diagflat np.asArray np.dstack np.columnStack np.rowStack np.rot90
np.rollaxis np.block np.resize np.vecdot np.trace np.poly np.choose np.putAlongAxis np.append np.delete np.delete_ np.insert
np.ravelMultiIndex np.searchsorted np.quantile np.percentile np.nanquantile np.nanpercentile np.lexsort np.partition
np.argpartition np.isin np.digitize np.histogramBinEdges np.diff np.ediff1d np.trapezoid np.convolve np.correlate np.interp np.cov
np.corrcoef np.polyder np.polyint np.vander np.applyAlongAxis
np.fft.fft np.fft.ifft np.fft.hfft np.fft.rfft np.fft.irfft np.fft.ihfft np.fft.fftn np.fft.ifftn np.fft.rfftn np.fft.irfftn
np.fft.fft2 np.fft.ifft2 np.fft.rfft2 np.fft.irfft2 np.fft.fftfreq np.fft.rfftfreq np.fft.fftshift np.fft.ifftshift
np.linalg.det np.linalg.inv np.linalg.cholesky np.linalg.matrixTranspose np.linalg.solve np.linalg.matrixPower np.linalg.multiDot
np.linalg.norm np.linalg.vectorNorm np.linalg.matrixNorm np.linalg.eigvalsh np.linalg.svdvals np.linalg.pinv np.linalg.matrixRank
np.linalg.outer np.linalg.cross np.linalg.matmul np.linalg.diagonal np.linalg.trace np.linalg.tensordot np.linalg.vecdot
nn.hardSilu nn.sparsePlus nn.makeCausalMask nn.dotProductAttentionWeights nn.dotProductAttention
lax.shiftLeft lax.shiftRightLogical lax.clamp lax.broadcastInDim lax.rev lax.slice lax.pad lax.dynamicSlice lax.dynamicUpdateSlice
lax.gather lax.scatter lax.iota lax.cumsum lax.cumprod lax.cummax lax.cummin lax.argmax lax.argmin lax.dotGeneral
lax.convertElementType lax.bitcastConvertType lax.reduceWindow lax.selectN random.choice random.shuffle
random.dirichlet scipy.linalg.solveTriangular scipy.linalg.cholesky scipy.linalg.choSolve
`;

const words = (s: string) => s.split(/\s+/).filter(Boolean);

export type GapKind = "not-an-array" | "data-dependent" | "not-yet";

/** Declared engine functions without a rule, by the reason. */
export const UNMODELED: ReadonlyMap<string, GapKind> = new Map([
  ...words(NOT_AN_ARRAY).map((n) => [n, "not-an-array"] as const),
  ...words(DATA_DEPENDENT).map((n) => [n, "data-dependent"] as const),
  ...words(NOT_YET).map((n) => [n, "not-yet"] as const),
]);

export const GAP_TEXT: Record<GapKind, string> = {
  "not-an-array": "returns something other than one array; the language server does not follow it",
  "data-dependent": "its result's shape depends on the values in the arrays, which are not known before the program runs",
  "not-yet": "the language server has no shape rule for it yet",
};

/** The declared path ("np.linalg.norm") an engine path resolves to, for the table above. */
export function declaredPath(path: string): string {
  const dot = path.indexOf(".");
  if (dot < 0) return path;
  const ns = path.slice(0, dot);
  return ns === "numpy" || ns === "jnp" ? `np${path.slice(dot)}` : path;
}
