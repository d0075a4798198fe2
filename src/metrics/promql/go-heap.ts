/**
 * Go's container/heap and the insertion sort Go's sort.Sort uses for short
 * slices, over a `less` function. topk/bottomk keep Prometheus's heap, so
 * that among equal values the same series win and come out in the same
 * order as in Prometheus.
 */
export type Less<T> = (a: T, b: T) => boolean;

function up<T>(h: T[], j0: number, less: Less<T>): void {
  let j = j0;
  for (;;) {
    const i = Math.floor((j - 1) / 2);
    if (i === j || j <= 0 || !less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    j = i;
  }
}

function down<T>(h: T[], i0: number, n: number, less: Less<T>): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2]!, h[j1]!)) j = j2;
    if (!less(h[j]!, h[i]!)) break;
    [h[i], h[j]] = [h[j]!, h[i]!];
    i = j;
  }
  return i > i0;
}

export function heapPush<T>(h: T[], x: T, less: Less<T>): void {
  h.push(x);
  up(h, h.length - 1, less);
}

export function heapPop<T>(h: T[], less: Less<T>): T {
  const n = h.length - 1;
  [h[0], h[n]] = [h[n]!, h[0]!];
  down(h, 0, n, less);
  return h.pop()!;
}

/** Sorts in place so that `less` holds between neighbours; stable, like Go's short-slice path. */
export function insertionSort<T>(h: T[], less: Less<T>): void {
  for (let i = 1; i < h.length; i++) {
    for (let j = i; j > 0 && less(h[j]!, h[j - 1]!); j--) {
      [h[j], h[j - 1]] = [h[j - 1]!, h[j]!];
    }
  }
}
