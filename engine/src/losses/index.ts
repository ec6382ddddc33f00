import type { DeviceArray } from "../array.js";
import * as np from "../numpy/index.js";
import { logSoftmax, logSigmoid, oneHot } from "../nn/functions.js";
import type { ArrayLike } from "../numpy/convert.js";

/**
 * Optax's losses, elementwise or per example (reduce with np.mean). Each is written in its
 * numerically stable form: log-sigmoid and log-softmax rather than log of a probability.
 */

/** -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))], via log sigmoid(-z) = log(1 - sigmoid(z)). */
export function sigmoidBinaryCrossEntropy(logitsIn: ArrayLike, labels: ArrayLike): DeviceArray {
  const logits = np.asarray(logitsIn);
  const t = np.asarray(labels).astype(logits.dtype);
  return np.negative(np.add(np.multiply(t, logSigmoid(logits)), np.multiply(np.subtract(1, t), logSigmoid(np.negative(logits)))));
}

/** -sum(labels * logSoftmax(logits)) over `axis` (labels: a distribution per example). */
export function softmaxCrossEntropy(logitsIn: ArrayLike, labels: ArrayLike, axis = -1): DeviceArray {
  const logits = np.asarray(logitsIn);
  return np.negative(np.sum(np.multiply(np.asarray(labels).astype(logits.dtype), logSoftmax(logits, axis)), { axis }));
}

/** Cross entropy with integer class labels: logsumexp(logits) - logits[label]. */
export function softmaxCrossEntropyWithIntegerLabels(logitsIn: ArrayLike, labels: ArrayLike, axis = -1): DeviceArray {
  const logits = np.asarray(logitsIn);
  const ax = axis < 0 ? axis + logits.ndim : axis;
  const lab = np.asarray(labels);
  const onehot = oneHot(lab, logits.shape[ax]!, { dtype: logits.dtype as "float32" | "float64" });
  const moved = ax === logits.ndim - 1 ? onehot : np.moveaxis(onehot, -1, ax);
  return np.negative(np.sum(np.multiply(moved, logSoftmax(logits, ax)), { axis: ax }));
}

/** 0.5 (predictions - targets)^2 (optax.l2_loss); squaredError is without the half. */
export function l2Loss(predictions: DeviceArray, targets?: ArrayLike | null): DeviceArray {
  return np.multiply(0.5, squaredError(predictions, targets));
}
export function squaredError(predictions: DeviceArray, targets?: ArrayLike | null): DeviceArray {
  return np.square(targets === undefined || targets === null ? predictions : np.subtract(predictions, targets));
}

/** Huber: 0.5 e^2 for |e| <= delta, delta (|e| - 0.5 delta) beyond (written as Optax does, without branches in the gradient). */
export function huberLoss(predictions: DeviceArray, targets?: ArrayLike | null, delta = 1): DeviceArray {
  const e = targets === undefined || targets === null ? predictions : np.subtract(predictions, targets);
  const absErr = np.abs(e);
  const quadratic = np.minimum(absErr, delta);
  const linear = np.subtract(absErr, quadratic);
  return np.add(np.multiply(0.5, np.square(quadratic)), np.multiply(delta, linear));
}

/** Cosine similarity along the last axis, each vector's norm floored at epsilon. */
export function cosineSimilarity(predictions: DeviceArray, targets: ArrayLike, epsilon = 0): DeviceArray {
  const t = np.asarray(targets);
  const unit = (x: DeviceArray) => np.divide(x, np.maximum(np.sqrt(np.sum(np.square(x), { axis: -1, keepdims: true })), epsilon));
  return np.sum(np.multiply(unit(predictions), unit(t)), { axis: -1 });
}
export const cosineDistance = (predictions: DeviceArray, targets: ArrayLike, epsilon = 0) => np.subtract(1, cosineSimilarity(predictions, targets, epsilon));
