import { Autoencoder } from '../meta/autoencoder.js';

/** Options of {@link KitNet}. */
export interface KitNetOptions {
  /** Most features per ensemble autoencoder (Kitsune's m; default 10). */
  maxClusterSize?: number;
  /** Training passes over the warm-up rows (default 10). */
  epochs?: number;
  learningRate?: number;
  seed: number;
}

/**
 * A small KitNET (Mirsky et al., "Kitsune: An Ensemble of Autoencoders for Online Network Intrusion
 * Detection", NDSS 2018), the baseline tapwatch's detector is compared with. The feature map groups
 * correlated features (distance 1 − |ρ|, single-linkage merges capped at m features per group), one
 * autoencoder with ⌈0.75·k⌉ hidden units reconstructs each group, and an output autoencoder
 * reconstructs the vector of the ensemble's RMSEs; its RMSE is the anomaly score. Unlike Kitsune's
 * online SGD with sigmoid units and min-max scaling, it trains in epochs with tanh units on rows the
 * caller has already scaled, so the comparison isolates the architecture, not the input pipeline.
 */
export class KitNet {
  readonly #options: KitNetOptions;
  #groups: number[][] = [];
  #ensemble: Autoencoder[] = [];
  #output: Autoencoder | undefined;

  constructor(options: KitNetOptions) {
    this.#options = options;
  }

  /** The feature groups of the map (after {@link fit}). */
  get groups(): readonly (readonly number[])[] {
    return this.#groups;
  }

  /** Learns the feature map, then the ensemble, then the output layer, on scaled rows `n × dim`. */
  async fit(rows: Float32Array, dim: number): Promise<void> {
    this.dispose();
    const epochs = this.#options.epochs ?? 10;
    const learningRate = this.#options.learningRate ?? 0.005;
    this.#groups = correlationGroups(rows, dim, this.#options.maxClusterSize ?? 10);
    this.#ensemble = this.#groups.map(
      (g, k) =>
        new Autoencoder({
          inputDim: g.length,
          hiddenUnits: [Math.ceil(0.75 * g.length)],
          learningRate,
          seed: this.#options.seed + k,
        }),
    );
    for (let k = 0; k < this.#groups.length; k++)
      await this.#ensemble[k]!.fit(columns(rows, dim, this.#groups[k]!), epochs);
    const hidden = this.#ensembleErrors(rows, dim);
    const g = this.#groups.length;
    this.#output = new Autoencoder({
      inputDim: g,
      hiddenUnits: [Math.ceil(0.75 * g)],
      learningRate,
      seed: this.#options.seed,
    });
    await this.#output.fit(hidden, epochs);
  }

  /** Anomaly score (output RMSE) of each scaled row. */
  score(rows: Float32Array, dim: number): Float32Array {
    if (!this.#output) throw new Error('KitNet: score() before fit()');
    return this.#output.score(this.#ensembleErrors(rows, dim)).map(Math.sqrt);
  }

  dispose(): void {
    for (const ae of this.#ensemble) ae.dispose();
    this.#output?.dispose();
    this.#ensemble = [];
    this.#output = undefined;
  }

  /** RMSE of every ensemble member per row (`n × groups`), log-compressed as the output layer's input. */
  #ensembleErrors(rows: Float32Array, dim: number): Float32Array {
    const n = rows.length / dim;
    const g = this.#groups.length;
    const out = new Float32Array(n * g);
    this.#ensemble.forEach((ae, k) => {
      const errors = ae.score(columns(rows, dim, this.#groups[k]!));
      for (let i = 0; i < n; i++) out[i * g + k] = Math.log1p(Math.sqrt(errors[i]!));
    });
    return out;
  }
}

/** Single-linkage clustering on 1 − |ρ| with a size cap, by Kruskal merging (union–find). */
export function correlationGroups(rows: Float32Array, dim: number, maxSize: number): number[][] {
  const n = rows.length / dim;
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += rows[i * dim + j]! / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) sd[j]! += (rows[i * dim + j]! - mean[j]!) ** 2 / n;
  const pairs: [number, number, number][] = [];
  for (let a = 0; a < dim; a++) {
    for (let b = a + 1; b < dim; b++) {
      let cov = 0;
      for (let i = 0; i < n; i++) cov += (rows[i * dim + a]! - mean[a]!) * (rows[i * dim + b]! - mean[b]!);
      const denom = Math.sqrt(sd[a]! * sd[b]!) * n;
      pairs.push([denom > 0 ? 1 - Math.abs(cov / denom) : 1, a, b]);
    }
  }
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const parent = Int32Array.from({ length: dim }, (_, j) => j);
  const size = new Int32Array(dim).fill(1);
  const find = (j: number): number => {
    let r = j;
    while (parent[r] !== r) r = parent[r]!;
    return r;
  };
  for (const [, a, b] of pairs) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb || size[ra]! + size[rb]! > maxSize) continue;
    parent[rb] = ra;
    size[ra]! += size[rb]!;
  }
  const groups = new Map<number, number[]>();
  for (let j = 0; j < dim; j++) {
    const r = find(j);
    const g = groups.get(r);
    if (g) g.push(j);
    else groups.set(r, [j]);
  }
  return [...groups.values()];
}

function columns(rows: Float32Array, dim: number, cols: readonly number[]): Float32Array {
  const n = rows.length / dim;
  const out = new Float32Array(n * cols.length);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < cols.length; k++) out[i * cols.length + k] = rows[i * dim + cols[k]!]!;
  return out;
}
