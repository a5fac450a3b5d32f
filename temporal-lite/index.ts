// temporal-lite: a Temporal-protocol server the real Temporal SDK runs against.
export { startTemporalLite, type TemporalLite, type TemporalLiteOptions } from './server.js';
export { StorageOpenError } from './persistence/open-database.js';
export { stderrLogger, type Logger } from './logger.js';
export { prepareCodecs, prepareWorkflowServiceCodecs } from './grpc/proto.js';
