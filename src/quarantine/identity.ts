// Quarantine identities in Exchange's format `GUID1\GUID2`: GUID1 is the message (Postern's
// NetworkMessageId of the organization's copy), GUID2 the recipient's entry. A bare GUID1 names
// every entry of the message.
const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const FULL = new RegExp(`^${GUID}\\\\${GUID}$`, 'i');
const MESSAGE = new RegExp(`^${GUID}$`, 'i');

export type ParsedIdentity = { kind: 'entry'; identity: string; message: string } | { kind: 'message'; message: string };

/** The identity normalised (lower-case, trimmed), or undefined when it isn't one. */
export function parseQuarantineIdentity(raw: string): ParsedIdentity | undefined {
  const id = raw.trim().toLowerCase();
  if (FULL.test(id)) return { kind: 'entry', identity: id, message: id.split('\\')[0] };
  if (MESSAGE.test(id)) return { kind: 'message', message: id };
  return undefined;
}
