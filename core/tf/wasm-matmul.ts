/**
 * Routes the wasm backend's transposed matrix products to XNNPACK.
 *
 * `@tensorflow/tfjs-backend-wasm` (4.22) computes `matMul(a, b, transposeA, transposeB)` with
 * XNNPACK's SIMD fully-connected operator only when neither operand is transposed; any transposed
 * product falls back to a scalar triple loop (`slow_batch_matmul` in its BatchMatMul.cc, a
 * limitation stated in tensorflow/tfjs#2532: "For now we only call XNNPack when transpose_a =
 * transpose_b = false"). Every backward pass needs transposed products (a Dense layer's input
 * gradient is `dy · Wᵀ`, its kernel gradient `xᵀ · dy`), so training spent most of its matrix time
 * in the slow loop. This wraps the `BatchMatMul` and `_FusedMatMul` wasm kernels: a transposed
 * operand is first transposed by the wasm `Transpose` kernel (a copy) and the product then runs
 * untransposed, on XNNPACK. Same mathematical result; float32 rounding can differ in the last bits
 * (the sums run in another order). Measured in docs/benchmarks.md.
 *
 * Only unbatched products are rerouted (every leading dimension 1, e.g. plain 2-D matrices):
 * XNNPACK is used for those alone, so batched ones keep the original kernel.
 */
import * as tf from '@tensorflow/tfjs';

const patched = new Set<string>();
let rerouting = true;

/**
 * Turns the rerouting of {@link installWasmTransposedMatMul} off (`false`: the wrapped kernels call
 * the package's own kernel for every product) or back on. For side-by-side measurements and
 * checks in one process; `STRATUM_WASM_TRANSPOSED_MATMUL=0` keeps the wrapper out altogether.
 *
 * @param on - whether transposed products go to XNNPACK
 */
export function rerouteTransposedMatMul(on: boolean): void {
  rerouting = on;
}

/** The operand of a product, as a kernel sees it. */
type Operand = tf.TensorInfo;

/** Whether every dimension before the last two is 1 (the product is a single matrix product). */
function unbatched(t: Operand): boolean {
  return t.shape.slice(0, -2).every((d) => d === 1);
}

/** Permutation swapping the last two axes. */
function swapLastTwo(rank: number): number[] {
  return [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
}

/**
 * Wraps the wasm `BatchMatMul` and `_FusedMatMul` kernels as the module comment describes. Call
 * once the wasm backend is registered (its kernels are registered when the package is imported);
 * safe to call more than once. Does nothing for a kernel that is not registered.
 *
 * @returns the names of the kernels wrapped by this call (empty when already wrapped)
 */
export function installWasmTransposedMatMul(): string[] {
  const transposeConfig = tf.getKernel('Transpose', 'wasm');
  if (!transposeConfig) return [];
  const transpose = transposeConfig.kernelFunc;
  const wrapped: string[] = [];
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(name, 'wasm');
    if (!original || patched.has(name)) continue;
    const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
      const { a, b } = inputs as { a: Operand; b: Operand };
      const ta = attrs?.transposeA === true;
      const tb = attrs?.transposeB === true;
      if (!rerouting || (!ta && !tb) || !unbatched(a) || !unbatched(b)) return original.kernelFunc({ inputs, backend, attrs });
      const flip = (x: Operand) => transpose({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } }) as Operand;
      const at = ta ? flip(a) : a;
      const bt = tb ? flip(b) : b;
      try {
        return original.kernelFunc({ inputs: { ...inputs, a: at, b: bt }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        const owner = backend as tf.KernelBackend;
        if (ta) owner.disposeData(at.dataId);
        if (tb) owner.disposeData(bt.dataId);
      }
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...original, kernelFunc });
    patched.add(name);
    wrapped.push(name);
  }
  return wrapped;
}
