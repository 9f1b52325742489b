// What an operator sees of a message once it is accepted: one log line per organization's copy
// (queue id, NetworkMessageId, client, organization, connector, recipients, size, disposition),
// grep-able by queue id as Postfix's lines are, and the counts behind /metrics.
import type { PlannedCopy } from '../mailflow/copyPlan.js';
import type { MessageFacts } from '../message/facts.js';
import { NO_CONNECTOR } from '../mailflow/attribution.js';
import type { ListenerContext } from './context.js';

/** Rule hits count whether the message is then accepted or refused (a RejectMessage rule hits too). */
export function countRuleHits(ctx: ListenerContext, plans: readonly PlannedCopy[]): void {
  for (const p of plans) {
    const hits = p.plan.rules?.decision.hits;
    if (hits?.length) ctx.metrics.ruleHits(p.orgGuid, hits.map((h) => h.rule));
  }
}

export function reportAccepted(ctx: ListenerContext, queueId: string, facts: MessageFacts, plans: readonly PlannedCopy[]): void {
  ctx.metrics.accepted(1);
  // Rules may fork one organization's copy; the message still came in once per organization and connector.
  const inbound = new Set<string>();
  for (const { orgGuid, plan, recipients } of plans) {
    const connector = plan.firewall.connectors;
    const key = `${orgGuid}|${connector}`;
    if (!inbound.has(key)) {
      inbound.add(key);
      ctx.metrics.inbound(orgGuid, connector);
    }
    if (plan.outcome === 'quarantine') ctx.metrics.quarantined(orgGuid, plan.recipients.length);
    ctx.logger.info(
      {
        queueId,
        networkMessageId: plan.networkMessageId,
        clientIp: facts.client.ip,
        organization: recipients[0].org.Name,
        connector: connector || NO_CONNECTOR,
        from: facts.envelope.mailFrom,
        recipients: plan.recipients,
        size: facts.size,
        disposition: plan.outcome,
        ...(plan.decidedBy && { rule: plan.decidedBy.Name }),
      },
      'accepted',
    );
  }
}
