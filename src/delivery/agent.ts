// What every delivery agent returns, and how failures are classified.
export type DeliveryResult =
  | { ok: true; response: string; remote?: string }
  | { ok: false; permanent: boolean; response: string; remote?: string };

export function failure(err: any, remote?: string): DeliveryResult {
  const code = Number(err?.responseCode ?? 0);
  return { ok: false, permanent: code >= 500 && code < 600, response: String(err?.response ?? err?.message ?? err), remote };
}
