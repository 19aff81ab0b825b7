// Tests of the kernel process environment (the malloc tunables it runs with). Expected values are
// the glibc tunables syntax: name=value pairs joined by ':' (glibc manual, "Tunables").
import { describe, expect, it } from 'vitest';
import { KERNEL_GLIBC_TUNABLES, kernelEnv } from './kernel.ts';

describe('kernelEnv', () => {
  it('adds the huge-page malloc tunable', () => {
    expect(kernelEnv({ PATH: '/bin' })).toEqual({ PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    expect(KERNEL_GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
  });

  it('keeps the tunables already set, and a hugetlb choice of the user', () => {
    expect(kernelEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(kernelEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }).GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=0');
  });

  it('does not change the environment it is given', () => {
    const env = { HOME: '/root' };
    kernelEnv(env);
    expect(env).toEqual({ HOME: '/root' });
  });
});
