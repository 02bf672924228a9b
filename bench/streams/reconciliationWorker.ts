import { parentPort, workerData } from 'node:worker_threads'
import { runReconcileCase, type CaseMessage, type WorkerRequest } from './reconciliation'

/* One reconciliation case in a worker thread: the bench stops it when its time is up. */

const { name, testCase, plan } = workerData as WorkerRequest
const post = (message: CaseMessage) => parentPort?.postMessage(message)

runReconcileCase(name, testCase, plan, post).catch((error: unknown) =>
  post({ kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
)
