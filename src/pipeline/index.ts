/**
 * The pipeline layer: durable jobs and the workers that run them.
 */
export * from './jobs/index.js';
export { startWorkers, type WorkerEvent, type WorkerOptions, type Workers } from './worker.js';
export * from './review/index.js';
