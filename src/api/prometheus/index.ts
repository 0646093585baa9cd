// The Prometheus HTTP API v1: registerPrometheusApi(router, { storage, engine }).
export { registerPrometheusApi, type PrometheusApiDeps, type BuildInfo } from './api.js';
export { formatFloatF, formatFloatE } from '../../promql/parser/format.js';
export { formatSampleValue, formatTimestamp, goJsonString } from './encode.js';
export { parseTime, parseDurationNs } from './params.js';
