// Test and benchmark helpers: a message and an input with sensible defaults. Kept in src/ (not a
// .test.ts) so tests and bench/rules.mjs share it; it's pure and tiny.
import type { HeaderField, MessageFacts } from '../message/facts.js';
import type { MessageContent, RuleInput } from './input.js';

export interface MessageSpec {
  ip?: string;
  mailFrom?: string;
  rcptTo?: string[];
  headers?: Record<string, string | string[]> | HeaderField[];
  size?: number;
}

export function message(spec: MessageSpec = {}): MessageFacts {
  const mailFrom = spec.mailFrom ?? 'sender@fabrikam.com';
  const rcptTo = spec.rcptTo ?? ['user@contoso.com'];
  let headers: HeaderField[];
  if (Array.isArray(spec.headers)) headers = spec.headers;
  else {
    const h: Record<string, string | string[]> = { From: mailFrom, To: rcptTo.join(', '), Subject: 'Hello', ...(spec.headers ?? {}) };
    headers = Object.entries(h).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
  }
  return {
    client: { ip: spec.ip ?? '203.0.113.9', helo: 'mail.example' },
    envelope: { mailFrom, rcptTo },
    headers,
    size: spec.size ?? 1024,
  };
}

export function input(spec: MessageSpec = {}, extra: Partial<RuleInput> & { content?: MessageContent } = {}): RuleInput {
  return {
    facts: message(spec),
    authAs: 'Anonymous',
    orgDomains: ['contoso.com'],
    now: new Date('2026-01-15T12:00:00Z'),
    ...extra,
  };
}
