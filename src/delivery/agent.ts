// What every delivery agent returns, how failures are classified, and how a target is named in logs.
import type { DeliveryTarget } from '../config/model.js';

export type DeliveryResult =
  | { ok: true; response: string; remote?: string }
  | { ok: false; permanent: boolean; response: string; remote?: string };

export function failure(err: any, remote?: string): DeliveryResult {
  const code = Number(err?.responseCode ?? 0);
  return { ok: false, permanent: code >= 500 && code < 600, response: String(err?.response ?? err?.message ?? err), remote };
}

/** The next hop as logs show it (Postfix's relay=): smtp:host:port, lmtp:host:port, maildir:path, discard. */
export function nextHopOf(target: DeliveryTarget): string {
  switch (target.kind) {
    case 'smtp':
    case 'lmtp':
      return `${target.kind}:${target.host}:${target.port}`;
    case 'maildir':
      return `maildir:${target.path}`;
    case 'discard':
      return 'discard';
  }
}
