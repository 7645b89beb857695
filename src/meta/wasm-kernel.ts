/** The part of the WebAssembly JavaScript API the kernels use: Node has it, the ES library typings do not. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export const PAGE_BYTES = 65_536;

/** A kernel's exported memory. */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Compiles a kernel's binary (base64, as `npm run kernels` writes it) once; each call makes an instance. */
export function kernelFactory<Exports extends { memory: KernelMemory }>(base64: string): () => Exports {
  const module = new Module(Buffer.from(base64, 'base64'));
  return () => new Instance(module).exports as Exports;
}

/**
 * One instance for the whole process, made on first use: for kernels whose callers each write their own
 * parameters before every (synchronous) call, so they can share one memory.
 */
export function sharedKernel<Exports extends { memory: KernelMemory }>(base64: string): () => Exports {
  const make = kernelFactory<Exports>(base64);
  let instance: Exports | undefined;
  return () => {
    instance ??= make();
    return instance;
  };
}

/** Grows `memory` to hold at least `bytes`. */
export function reserve(memory: KernelMemory, bytes: number): void {
  const missing = Math.ceil(bytes / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
  if (missing > 0) memory.grow(missing);
}
