// Piping a message between streams: source → … → sink, settled once every stream is done, the
// first error destroying them all. Node's stream.pipeline does the same but creates and aborts an
// AbortController per call, which builds a DOMException with a stack trace: ~40 µs per message on
// the SMTP hot path, for a signal nobody listens to.
import { finished, type Stream } from 'node:stream';

type Pipeable = NodeJS.ReadableStream | NodeJS.WritableStream;

export function pump(...streams: Pipeable[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = streams.length;
    let failed = false;
    for (const s of streams) {
      finished(s, (err) => {
        if (failed) return;
        if (err) {
          failed = true;
          for (const x of streams) (x as unknown as Stream & { destroy(): void }).destroy();
          reject(err);
        } else if (--left === 0) resolve();
      });
    }
    for (let i = 0; i + 1 < streams.length; i++) (streams[i] as NodeJS.ReadableStream).pipe(streams[i + 1] as NodeJS.WritableStream);
  });
}
