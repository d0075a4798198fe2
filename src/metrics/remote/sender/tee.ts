import type { Labels } from '../../../common/labels.js';
import type { Appendable, SampleAppender } from '../../appender.js';
import type { SampleBatch } from './queue.js';

/**
 * An Appendable that hands every committed batch to `onCommit` after the
 * store made it durable (what Prometheus's remote write reads from its WAL).
 * Samples the store refuses are not passed on.
 */
export function teeAppendable(
  inner: Appendable,
  onCommit: (batch: SampleBatch) => void,
  active: () => boolean,
): Appendable {
  return {
    appender(): SampleAppender {
      const app = inner.appender();
      if (!active()) return app;
      const labels: Labels[] = [];
      const timestamps: number[] = [];
      let values = new Float64Array(64);
      const scratch = new Float64Array(1);
      return {
        append(l, t, v) {
          app.append(l, t, v);
          const n = labels.length;
          if (n === values.length) {
            const grown = new Float64Array(n * 2);
            grown.set(values);
            values = grown;
          }
          // Through a typed array, so a stale marker keeps its bits.
          scratch[0] = v;
          values.set(scratch, n);
          labels.push(l);
          timestamps.push(t);
        },
        async commit() {
          await app.commit();
          if (labels.length > 0) {
            onCommit({
              labels,
              timestamps,
              values: values.subarray(0, labels.length),
              length: labels.length,
            });
          }
        },
        rollback() {
          app.rollback();
          labels.length = 0;
          timestamps.length = 0;
        },
      };
    },
  };
}
