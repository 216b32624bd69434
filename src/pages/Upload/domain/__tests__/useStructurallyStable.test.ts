import { renderHook } from '@testing-library/react';
import { useStructurallyStable } from '../useStructurallyStable';

describe('useStructurallyStable', () => {
  it('keeps the first object while new ones have the same content, and takes a changed one', () => {
    const first = { fileIds: ['file:a.json'], options: { serviceName: 'svc', fromMs: 1 } };
    const { result, rerender } = renderHook(({ value }) => useStructurallyStable(value), {
      initialProps: { value: first },
    });
    // What a parse progress tick does: new objects, same plan input.
    rerender({ value: { fileIds: ['file:a.json'], options: { serviceName: 'svc', fromMs: 1 } } });
    expect(result.current).toBe(first);

    const changed = { fileIds: ['file:a.json', 'file:b.json'], options: { serviceName: 'svc', fromMs: 1 } };
    rerender({ value: changed });
    expect(result.current).toBe(changed);
  });
});
