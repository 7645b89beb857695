const f32 = Math.fround;

/** Adam's moment decay rates, as `tf.train.adam` defaults them. */
const BETA1 = 0.9;
const BETA2 = 0.999;

/**
 * Adam (Kingma & Ba 2015) over plain Float32Arrays, step for step the arithmetic of `tf.train.adam`: every
 * operation rounded to float32 as a float32 tensor op would round it (a double result of float32 inputs
 * rounded once is the float32 result for +, −, ×, ÷ and √), so training gives the same weights. The autoencoder
 * has 12 small weight tensors, and TensorFlow.js' optimizer spends about a dozen kernel dispatches on each
 * per step, half of a training step's time; here they are one loop each.
 */
export class AdamState {
  readonly #learningRate: number;
  readonly #epsilon: number;
  readonly #first: Float32Array[];
  readonly #second: Float32Array[];
  #accBeta1 = f32(BETA1);
  #accBeta2 = f32(BETA2);

  /**
   * @param sizes element count of each parameter tensor
   * @param epsilon the backend's float epsilon (`tf.backend().epsilon()`), as `tf.train.adam` uses it
   */
  constructor(learningRate: number, epsilon: number, sizes: readonly number[]) {
    this.#learningRate = learningRate;
    this.#epsilon = epsilon;
    this.#first = sizes.map((n) => new Float32Array(n));
    this.#second = sizes.map((n) => new Float32Array(n));
  }

  /** One update of every parameter tensor in place, `params[k] -= lr · m̂ / (√v̂ + ε)` for gradients `grads[k]`. */
  step(params: readonly Float32Array[], grads: readonly ArrayLike<number>[]): void {
    const beta1 = f32(BETA1);
    const beta2 = f32(BETA2);
    const rest1 = f32(1 - BETA1);
    const rest2 = f32(1 - BETA2);
    const epsilon = f32(this.#epsilon);
    const rate = f32(-this.#learningRate);
    const correction1 = f32(1 - this.#accBeta1);
    const correction2 = f32(1 - this.#accBeta2);
    for (let k = 0; k < params.length; k++) {
      const value = params[k]!;
      const grad = grads[k]!;
      const m = this.#first[k]!;
      const v = this.#second[k]!;
      for (let i = 0; i < value.length; i++) {
        const g = grad[i]!;
        const m1 = f32(f32(m[i]! * beta1) + f32(g * rest1));
        const v1 = f32(f32(v[i]! * beta2) + f32(f32(g * g) * rest2));
        m[i] = m1;
        v[i] = v1;
        const mHat = f32(m1 / correction1);
        const vHat = f32(v1 / correction2);
        const update = f32(f32(mHat / f32(f32(Math.sqrt(vHat)) + epsilon)) * rate);
        value[i] = f32(update + value[i]!);
      }
    }
    this.#accBeta1 = f32(this.#accBeta1 * beta1);
    this.#accBeta2 = f32(this.#accBeta2 * beta2);
  }
}
