import { chain, scaleByAdam, scaleByLearningRate, scaleByRms, scaleByRss, scaleByLion, trace, addDecayedWeights, identity, type GradientTransformation, type Mask, type ScalarOrSchedule } from "./transforms.js";

/** The usual optimizers as chains of transformations, with Optax's defaults. */
export function sgd(learningRate: ScalarOrSchedule, opts: { momentum?: number; nesterov?: boolean } = {}): GradientTransformation<any> {
  return chain(opts.momentum ? trace({ decay: opts.momentum, nesterov: opts.nesterov }) : identity(), scaleByLearningRate(learningRate));
}
export function adam(learningRate: ScalarOrSchedule, opts: { b1?: number; b2?: number; eps?: number; epsRoot?: number } = {}): GradientTransformation<any> {
  return chain(scaleByAdam(opts), scaleByLearningRate(learningRate));
}
/** Adam with decoupled weight decay (default 1e-4, as Optax), optionally masked. */
export function adamw(learningRate: ScalarOrSchedule, opts: { b1?: number; b2?: number; eps?: number; epsRoot?: number; weightDecay?: number; mask?: Mask } = {}): GradientTransformation<any> {
  return chain(scaleByAdam(opts), addDecayedWeights(opts.weightDecay ?? 1e-4, opts.mask), scaleByLearningRate(learningRate));
}
export function rmsprop(learningRate: ScalarOrSchedule, opts: { decay?: number; eps?: number; initialScale?: number; momentum?: number; nesterov?: boolean } = {}): GradientTransformation<any> {
  return chain(scaleByRms(opts), scaleByLearningRate(learningRate), opts.momentum ? trace({ decay: opts.momentum, nesterov: opts.nesterov }) : identity());
}
export function adagrad(learningRate: ScalarOrSchedule, opts: { initialAccumulatorValue?: number; eps?: number } = {}): GradientTransformation<any> {
  return chain(scaleByRss(opts), scaleByLearningRate(learningRate));
}
/** Lion (Chen et al. 2023) with decoupled weight decay (default 1e-3, as Optax). */
export function lion(learningRate: ScalarOrSchedule, opts: { b1?: number; b2?: number; weightDecay?: number; mask?: Mask } = {}): GradientTransformation<any> {
  return chain(scaleByLion(opts), addDecayedWeights(opts.weightDecay ?? 1e-3, opts.mask), scaleByLearningRate(learningRate));
}
