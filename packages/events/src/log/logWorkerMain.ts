// Entry point of the worker thread that `readLog` starts to scan a big log (see logWorker.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type LogWorkerData, runLogWorker } from './logWorker.js';

if (parentPort) await runLogWorker(parentPort, workerData as LogWorkerData);
