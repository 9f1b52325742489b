// Keeps a running server's configuration current: polls the store's configuration version and
// recompiles the snapshot when it moves, so a change made by another process (the shell, the
// API, `config import`) takes effect within one poll interval, without a restart. On PostgreSQL
// the version polled is that of the store's in-memory snapshot, which NOTIFY moves (store/postgres).
import { compileSnapshot, type ConfigSnapshot } from '../mailflow/snapshot.js';
import type { ConfigReader } from '../store/ports.js';

export class ConfigWatcher {
  private current: ConfigSnapshot;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ConfigReader,
    private readonly onChange: (s: ConfigSnapshot) => void = () => {},
  ) {
    this.current = this.load();
  }

  snapshot(): ConfigSnapshot {
    return this.current;
  }

  start(intervalMs = 500): void {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  poll(): void {
    if (this.store.configVersion() === this.current.version) return;
    this.current = this.load();
    this.onChange(this.current);
  }

  private load(): ConfigSnapshot {
    const version = this.store.configVersion();
    return compileSnapshot(version, this.store.organizations());
  }
}
