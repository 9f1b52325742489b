// Worker-thread entry for runHunt(dbPath, …): opens the database read-only, compiles and runs one
// query with its limits, posts the result back and exits.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { HuntTimeoutError, KqlError } from '../../../hunting/errors.js';
import { huntOn, type WorkerReply, type WorkerRequest } from './executor.js';

const req = workerData as WorkerRequest;
let reply: WorkerReply;
let db: Database.Database | undefined;
try {
  db = new Database(req.dbPath, { readonly: true, fileMustExist: true });
  const result = huntOn(db, req);
  reply = { ok: true, result };
} catch (e) {
  const err = e as Error;
  reply = { ok: false, name: err.name, message: err.message, timeout: e instanceof HuntTimeoutError };
  if (e instanceof KqlError) Object.assign(reply, { pos: e.pos, line: e.line, column: e.column });
} finally {
  db?.close();
}
parentPort?.postMessage(reply);
