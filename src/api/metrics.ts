// Prometheus metrics for the gateway.
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { SmtpMetrics } from '../smtp/context.js';

export class GatewayMetrics implements SmtpMetrics {
  readonly registry = new Registry();
  private readonly acceptedTotal = new Counter({ name: 'postern_messages_accepted_total', help: 'Messages answered 250 (durably queued)', registers: [this.registry] });
  private readonly rejectedTotal = new Counter({ name: 'postern_smtp_rejects_total', help: 'Refusals in the SMTP dialogue', labelNames: ['stage', 'code'], registers: [this.registry] });
  private readonly connectionsGauge = new Gauge({ name: 'postern_smtp_connections', help: 'Open SMTP connections', registers: [this.registry] });
  private readonly deliveries = new Counter({ name: 'postern_delivery_attempts_total', help: 'Delivery outcomes per recipient', labelNames: ['status'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'postern_queue_recipients', help: 'Recipients waiting for delivery', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  accepted(n: number): void {
    this.acceptedTotal.inc(n);
  }
  rejected(stage: string, code: number): void {
    this.rejectedTotal.inc({ stage, code: String(code) });
  }
  connections(delta: number): void {
    this.connectionsGauge.inc(delta);
  }
  delivered(status: string, n: number): void {
    this.deliveries.inc({ status }, n);
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
}

export type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];
