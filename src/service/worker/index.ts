/** The workers: each job built in its own child process, under heartbeat, cancel and deadline. */

export { BUILD_CHILD } from './run-build.ts';
export { type WorkerSettings, workerSettings } from './settings.ts';
export { type RunningWorker, startWorker, type WorkerOptions } from './worker.ts';
export { runWorkerProcess, type WorkerProcessOptions } from './worker-process.ts';
