// Prometheus metrics for the gateway. Every process that takes mail counts what it sees; the
// primary sums its SMTP worker processes' counts into one /metrics (exposition()). State that
// other processes change too (the queue, released quarantine, historical searches) is read from
// the store when /metrics is scraped, by the primary alone (observe()). Label values come from
// configuration only (labels.ts).
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { ConfigSnapshot } from '../mailflow/snapshot.js';
import type { DeliveryAttempt } from '../queue/runner.js';
import type { RuleRef } from '../rules/index.js';
import type { SmtpMetrics } from '../smtp/context.js';
import type { SignalStore } from '../store/ports.js';
import { ConfigLabels, enhancedCodeLabel } from './labels.js';

/** Queue states always shown (0 when empty), so that a dashboard's series exist from the start. */
const QUEUE_STATES = ['queued', 'deferred', 'quarantined'];
const SEARCH_STATES = ['NotStarted', 'InProgress', 'Done', 'Failed', 'Cancelled'];

export class GatewayMetrics implements SmtpMetrics {
  readonly registry = new Registry();
  private readonly labels: ConfigLabels;
  private signals: SignalStore | undefined;

  private readonly acceptedTotal = this.counter('postern_messages_accepted_total', 'Messages answered 250 (durably queued)');
  private readonly rejectedTotal = this.counter('postern_smtp_rejects_total', 'Refusals in the SMTP dialogue, by stage, reply code and enhanced status code (5.7.68 Reject Direct Send, 5.7.51 connector restriction, …)', ['stage', 'code', 'enhanced_code']);
  private readonly connectionsGauge = new Gauge({ name: 'postern_smtp_connections', help: 'Open SMTP connections', registers: [this.registry] });
  private readonly inboundTotal = this.counter('postern_inbound_messages_total', "Messages accepted for an organization, by the inbound connector they came through (NoConnector: Direct Send or the internet)", ['organization', 'connector']);
  private readonly quarantinedTotal = this.counter('postern_quarantined_total', 'Recipients whose copy was held in the hosted quarantine', ['organization']);
  private readonly ruleHitsTotal = this.counter('postern_transport_rule_hits_total', 'Transport rules that matched a message, by rule and mode (Enforce, Audit, AuditAndNotify)', ['organization', 'rule', 'mode']);
  private readonly deliveries = this.counter('postern_delivery_attempts_total', 'Delivery attempts per recipient, by outcome (delivered, deferred, failed)', ['status']);
  private readonly latency = new Histogram({
    name: 'postern_delivery_latency_seconds',
    help: 'Time from receipt (250 OK) to delivery, per delivered recipient',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
    registers: [this.registry],
  });
  private readonly attempts = new Histogram({
    name: 'postern_delivery_recipient_attempts',
    help: 'Attempts a recipient took until it left the queue, by outcome (delivered, failed)',
    labelNames: ['status'],
    buckets: [1, 2, 3, 5, 8, 13, 21],
    registers: [this.registry],
  });

  // Read from the store at each scrape (collect), once observe() has given it one; so are the state gauges (stateGauge).
  private readonly releasedTotal: Counter = new Counter({
    name: 'postern_quarantine_released_total',
    help: 'Recipients released from the hosted quarantine (Release-QuarantineMessage)',
    labelNames: ['organization'],
    registers: [this.registry],
    collect: () => {
      if (!this.signals) return;
      this.releasedTotal.reset();
      for (const r of this.signals.releasedByOrganization()) this.releasedTotal.inc({ organization: this.labels.organization(r.orgGuid) }, r.count);
    },
  });

  constructor(config?: () => ConfigSnapshot) {
    this.labels = new ConfigLabels(config ?? (() => undefined));
    collectDefaultMetrics({ register: this.registry });
    this.stateGauge('postern_queue_recipients', 'Recipients in the queue by state: queued (not tried yet), deferred (waiting to retry), quarantined (held)', QUEUE_STATES, (s) => s.queueDepth());
    this.stateGauge('postern_historical_searches', 'Historical searches (Start-HistoricalSearch) by Status', SEARCH_STATES, (s) => s.searchesByState());
  }

  /** Read the store's counts at every scrape (the primary only: workers would count them again). */
  observe(signals: SignalStore): void {
    this.signals = signals;
  }

  accepted(n: number): void {
    this.acceptedTotal.inc(n);
  }
  rejected(stage: string, code: number, enhancedCode: string): void {
    this.rejectedTotal.inc({ stage, code: String(code), enhanced_code: enhancedCodeLabel(enhancedCode) });
  }
  connections(delta: number): void {
    this.connectionsGauge.inc(delta);
  }
  inbound(orgGuid: string, connector: string): void {
    this.inboundTotal.inc({ organization: this.labels.organization(orgGuid), connector: this.labels.connector(orgGuid, connector) });
  }
  quarantined(orgGuid: string, recipients: number): void {
    this.quarantinedTotal.inc({ organization: this.labels.organization(orgGuid) }, recipients);
  }
  ruleHits(orgGuid: string, rules: RuleRef[]): void {
    const organization = this.labels.organization(orgGuid);
    for (const r of rules) this.ruleHitsTotal.inc({ organization, rule: this.labels.rule(orgGuid, r.Guid), mode: r.Mode });
  }
  delivered(a: DeliveryAttempt): void {
    this.deliveries.inc({ status: a.status });
    if (a.status === 'delivered') this.latency.observe(a.latencyMs / 1000);
    if (a.status !== 'deferred') this.attempts.observe({ status: a.status }, a.attempt);
  }

  /** This process's metrics as data, to be summed by the primary (SMTP worker processes). */
  snapshot(): Promise<WorkerMetrics> {
    return this.registry.getMetricsAsJSON();
  }

  /** The exposition text: this process's metrics, summed with those of the SMTP worker processes. */
  async exposition(workers: WorkerMetrics[] = []): Promise<string> {
    if (!workers.length) return this.registry.metrics();
    return AggregatorRegistry.aggregate([await this.snapshot(), ...workers]).metrics();
  }

  /** A gauge by `state`, read from the store at each scrape: every listed state shown (0 when absent), others as read. */
  private stateGauge(name: string, help: string, always: string[], read: (s: SignalStore) => { state: string; count: number }[]): void {
    const gauge: Gauge = new Gauge({
      name, help, labelNames: ['state'], registers: [this.registry],
      collect: () => {
        if (!this.signals) return;
        gauge.reset();
        for (const state of always) gauge.set({ state }, 0);
        for (const r of read(this.signals)) gauge.set({ state: r.state }, r.count);
      },
    });
  }

  private counter(name: string, help: string, labelNames: string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}

export type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];
