import { SampleAppendError } from '../appender.js';

// Prometheus's storage errors (tsdb/storage/interface.go), same messages.
export const outOfOrder = (): SampleAppendError =>
  new SampleAppendError('out_of_order', 'out of order sample');
export const outOfBounds = (): SampleAppendError =>
  new SampleAppendError('out_of_bounds', 'out of bounds');
export const duplicate = (): SampleAppendError =>
  new SampleAppendError('duplicate', 'duplicate sample for timestamp');
