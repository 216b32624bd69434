import { RefObject, startTransition, useLayoutEffect, useState } from 'react';

/**
 * The body's height, as a transition: the rows it makes room for are rendered in slices, not in the task that
 * measured it (the library's table measured in a synchronous update, which mounted its rows in one long task).
 */
export function useViewHeight(body: RefObject<HTMLDivElement | null>): number {
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const element = body.current;
    if (!element) {
      return;
    }
    const measure = () => {
      const measured = element.clientHeight;
      startTransition(() => setHeight(measured));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [body]);
  return height;
}
