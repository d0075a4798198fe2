export {
  ExpositionError,
  parseExposition,
  parseGoFloat,
  type ExpositionFormat,
  type MetricMetadata,
  type MetricType,
  type ParsedExposition,
  type ParsedSample,
} from './parser.js';
