// Mail and SaaS services that send on their customers' behalf, as the Direct Send plan recognises
// them: by the domain of the MAIL FROM address they use (their bounce domain) and by the IP ranges
// they publish. Data, not code: an entry is a name, domains and ranges.
//
// Only domains so far. Each service publishes its sending ranges in its SPF record
// (`include:` chains) or a documentation page, and those change; a range list taken from them
// needs a date and a source beside it, which is the next increment's work.

export interface KnownService {
  Name: string;
  /** MAIL FROM domains; a subdomain matches too. */
  Domains: readonly string[];
  /** IP addresses, CIDR blocks or first-last ranges. */
  IpRanges: readonly string[];
}

export const KNOWN_SERVICES: readonly KnownService[] = [
  { Name: 'Amazon SES', Domains: ['amazonses.com'], IpRanges: [] },
  { Name: 'SendGrid', Domains: ['sendgrid.net'], IpRanges: [] },
  { Name: 'Mailgun', Domains: ['mailgun.org'], IpRanges: [] },
  { Name: 'Mailchimp', Domains: ['mcsv.net', 'mcdlv.net', 'mandrillapp.com'], IpRanges: [] },
  { Name: 'SparkPost', Domains: ['sparkpostmail.com'], IpRanges: [] },
  { Name: 'Salesforce', Domains: ['salesforce.com', 'exacttarget.com'], IpRanges: [] },
  { Name: 'Zendesk', Domains: ['zendesk.com'], IpRanges: [] },
  { Name: 'HubSpot', Domains: ['hubspotemail.net'], IpRanges: [] },
];
