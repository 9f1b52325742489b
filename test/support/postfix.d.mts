// Types for postfix.mjs (plain JS so that bench/ can use it too).
export interface PostfixOptions {
  listenPort: number;
  relayPort?: number;
  relayHost?: string;
  bindAddress?: string;
  clientCert?: { cert: string; key: string };
  discard?: boolean;
  extra?: string[];
}

export interface RunningPostfix {
  port: number;
  dir: string;
  log(): string;
  stop(): void;
}

export function startPostfix(dir: string, opts: PostfixOptions): RunningPostfix;
