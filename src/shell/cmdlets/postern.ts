// Postern's own cmdlets: Test-MailFlow (the simulator) and Invoke-Hunting (KQL).
import { ShellError } from '../errors.js';
import type { ExchangeCmdlet } from './common.js';
import type { MailFlowSimulationRequest, TlsVersion } from '../../admin/types.js';
import { enumType, hashtableType, int32Type, ipAddressType, multiValuedType, smtpAddressType, stringType, switchType } from '../types.js';
import { Hashtable, tagged, toStr } from '../values.js';
import { str } from './common.js';

export const posternCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Test-MailFlow',
    source: 'Postern',
    synopsis: 'What would happen to this message, stage by stage, and why (connector attribution, Reject Direct Send, rules, disposition). Nothing is delivered.',
    outputType: 'MailFlowSimulation',
    parameters: [
      {
        name: 'ClientIP',
        type: ipAddressType(),
        mandatory: true,
        description: 'IP address of the connecting SMTP client.',
      },
      { name: 'MailFrom', type: smtpAddressType(), mandatory: true, aliases: ['Sender', 'EnvelopeFrom'], description: 'SMTP MAIL FROM (P1 sender).' },
      { name: 'Recipients', type: multiValuedType(smtpAddressType()), mandatory: true, aliases: ['Recipient', 'RcptTo'], description: 'SMTP RCPT TO addresses.' },
      { name: 'HeloName', type: str(), aliases: ['Helo', 'Ehlo'] },
      { name: 'TlsVersion', type: enumType('System.String', ['None', 'TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3']), description: 'TLS negotiated by the client; default TLS1.2.' },
      { name: 'CertificateName', type: str(), description: 'Subject or SAN name of the TLS client certificate presented.' },
      { name: 'Authenticated', type: switchType(), description: 'The client authenticated (SMTP AUTH).' },
      { name: 'MessageFile', type: str(), description: 'Path of an .eml file to use as the message.' },
      { name: 'Message', type: str(), description: 'The message text (RFC 5322).' },
      { name: 'From', type: str(), description: 'Header From: of a synthesised message.' },
      { name: 'Subject', type: str() },
      { name: 'Headers', type: hashtableType(), description: 'Extra header fields: @{"X-Header"="value"}.' },
    ],
    async run(ctx, params) {
      let messageText = params.get<string>('Message') ?? undefined;
      const file = params.get<string>('MessageFile');
      if (file) {
        if (!ctx.readFile) throw new ShellError('Reading files is not available in this shell session.', { errorId: 'FileAccessNotAllowed', category: 'PermissionDenied', parameter: 'MessageFile', command: 'Test-MailFlow' });
        messageText = await ctx.readFile(file);
      }
      const headers = params.get<Hashtable>('Headers');
      const request: MailFlowSimulationRequest = {
        ClientIP: params.get<string>('ClientIP') as string,
        MailFrom: params.get<string>('MailFrom') as string,
        Recipients: params.get<string[]>('Recipients') as string[],
        HeloName: params.get<string>('HeloName') ?? undefined,
        TlsVersion: (params.get<TlsVersion>('TlsVersion') ?? 'TLS1.2'),
        CertificateName: params.get<string>('CertificateName') ?? undefined,
        Authenticated: params.get<boolean>('Authenticated') ?? false,
        MessageText: messageText,
        Headers: headers ? Object.fromEntries(headers.entries().map(([k, v]) => [k, toStr(v)])) : undefined,
        From: params.get<string>('From') ?? undefined,
        Subject: params.get<string>('Subject') ?? undefined,
      };
      return tagged({ ...(await ctx.services.simulate(request)) }, 'MailFlowSimulation');
    },
  },
  {
    name: 'Invoke-Hunting',
    source: 'Postern',
    synopsis: 'Run an advanced hunting (KQL) query over EmailEvents and related tables.',
    parameters: [
      { name: 'Query', type: stringType(), mandatory: true, position: 1, valueFromPipeline: true },
      { name: 'Limit', type: int32Type({ min: 1, max: 30000 }) },
    ],
    async run(ctx, params) {
      const rows = await ctx.services.hunt(params.get<string>('Query') as string, { Limit: params.get<number>('Limit') ?? undefined });
      return rows.map((r) => ({ ...r }));
    },
  },
];
