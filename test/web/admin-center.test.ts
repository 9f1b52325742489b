// The admin center in a real browser (Debian's Chromium through playwright-core) against a real
// `postern serve`, with SMTP traffic from swaks: the Direct Send article's path, clicked through —
// see Direct Send on the dashboard, restrict a partner to its IP, quarantine what comes from
// elsewhere, release it, follow it in message trace, hunt it with the article's KQL, then lock the
// door with Reject Direct Send and watch the next attempt fail over SMTP. Message content that
// looks like HTML stays text everywhere, and the strict CSP reports no violation.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contoso, importOrgs, maildirMessages, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from '../support/postern.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';
const XSS = '<img src=x onerror=alert(1)>';
const USER = 'webadmin';
const PASSWORD = 'correct horse battery staple 42';
const ARTICLE_KQL = `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`;

let pg: Running;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
/** Every alert or prompt a page opened (a confirm the test answers is not one), and every CSP violation. */
const dialogs: string[] = [];
const cspViolations: string[] = [];

const send = (ip: string, from: string, to: string, subject: string) =>
  swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--local-interface', ip, '--from', from, '--to', to, '--header', `Subject: ${subject}`]);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function open(link: string, heading: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** Replaces the KQL editor's text (CodeMirror in a shadow root) and runs it with Ctrl+Enter. */
async function runKql(text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
  await page.keyboard.press('Control+Enter');
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) throw new Error('the admin center is not built: run npm run build (it writes dist/web/)');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('postern-web-');
  importOrgs(dir, [contoso()]);
  const added = runCli(['user', 'add', USER, '-d', dir, '--organization', 'Contoso', '--role', 'Organization Management', '--password-stdin'], { input: `${PASSWORD}\n` });
  expect(added.status, added.stderr).toBe(0);
  const operator = runCli(['user', 'add', 'operator', '-d', dir, '--provider', '--password-stdin'], { input: `${PASSWORD}\n` });
  expect(operator.status, operator.stderr).toBe(0);
  pg = await startPostern(dir);
  base = `http://127.0.0.1:${pg.httpPort}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  page = await context.newPage();
  page.on('dialog', (d) => {
    if (d.type() === 'confirm') return void d.accept();
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy') || m.text().startsWith('CSP violation')) cspViolations.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pg?.stop();
});

describe('the admin center, in Chromium, against a running gateway', () => {
  it('signs in and charts the Direct Send traffic the test just sent, NoConnector apart', async () => {
    expect(send('127.0.0.1', 'ceo@contoso.com', 'alice@contoso.com', 'Direct Send before any rule').out).toMatch(/250 2\.0\.0 OK/);
    expect(send('127.0.0.2', 'news@fabrikam.example', 'bob@contoso.com', 'Partner newsletter').out).toMatch(/250 2\.0\.0 OK/);
    // A scanner that sends as the organization's own domain: the impact preview's 5.7.68 sender.
    expect(send('127.0.0.3', 'scanner@contoso.com', 'ops@contoso.com', 'Scan to mail').out).toMatch(/250 2\.0\.0 OK/);
    await page.goto(`${base}/`);
    await page.getByLabel('User name').fill(USER);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not right');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbound messages' }).waitFor();
    await expect.poll(() => page.getByTestId('counter-messages').textContent()).toBe('3');
    expect(await page.getByTestId('counter-no-connector').textContent()).toBe('100.0 %');
    await page.getByText('NoConnector (Direct Send)').first().waitFor();
    // The Direct Send series is drawn in its own colour (red), not the palette's.
    await expect.poll(() => page.locator('.recharts-bar-rectangle [fill="#c62828"]').count()).toBeGreaterThan(0);
    await page.getByLabel('30 days').check();
    await expect.poll(() => page.getByTestId('counter-messages').textContent()).toBe('3');
    await shot('01-dashboard');
  });

  it('creates an IP-restricted connector, showing a refused value next to its field', async () => {
    await open('Connectors', 'Inbound connectors');
    await page.getByRole('button', { name: 'New connector' }).click();
    const form = page.getByRole('form', { name: 'New inbound connector' });
    await form.getByLabel('Name', { exact: true }).fill('Fabrikam relay');
    await form.getByLabel('Sender IP addresses').fill('not-an-ip-address');
    await form.getByLabel('Sender domains').fill('fabrikam.example');
    await form.getByLabel(/RestrictDomainsToIPAddresses/).check();
    await form.getByRole('button', { name: 'Create connector' }).click();
    const ipField = form.getByLabel('Sender IP addresses');
    await expect.poll(() => ipField.getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error').textContent()).toMatch(/not-an-ip-address|IP/);
    await shot('02-connector-error');
    await ipField.fill('127.0.0.2');
    await form.getByRole('button', { name: 'Create connector' }).click();
    const row = page.getByRole('row', { name: /Fabrikam relay/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('127.0.0.2');
    expect(await row.textContent()).toContain('IP addresses');
    // An edit sends what changed (Set-InboundConnector -Comment).
    await row.getByRole('button', { name: 'Edit Fabrikam relay' }).click();
    const edit = page.getByRole('form', { name: 'Edit connector Fabrikam relay' });
    await edit.getByLabel('Comment').fill('Fabrikam sends from its relay only');
    await edit.getByRole('button', { name: 'Save connector' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Connector Fabrikam relay saved.');
    await shot('03-connectors');
  });

  it("adds the article's quarantine rule from the form and tests it with a simulated message", async () => {
    await open('Rules', 'Transport rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New transport rule' });
    await form.getByLabel('Name', { exact: true }).fill('Redirect to quarantine if not coming from known IPs');
    await form.getByLabel('Priority').fill('0');
    await form.getByLabel(/\(Quarantine\)/).check();
    await form.getByLabel(/\(ExceptIfSenderIpRanges\)/).fill('127.0.0.2/32\n198.51.100.0/24');
    await form.getByLabel(/\(ExceptIfHeaderContainsMessageHeader\)/).fill('X-MS-Exchange-Organization-AuthAs');
    await form.getByLabel(/\(ExceptIfHeaderContainsWords\)/).fill('Internal');
    await form.getByLabel(/\(StopRuleProcessing\)/).check();
    await form.getByRole('button', { name: 'Create rule' }).click();
    const row = page.getByRole('row', { name: /Redirect to quarantine/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/ExceptIfSenderIpRanges: 127\.0\.0\.2\/32, 198\.51\.100\.0\/24/);
    const test = page.getByRole('form', { name: 'Test the rules' });
    await test.getByLabel('Client IP').fill('127.0.0.1');
    await test.getByLabel('Mail from').fill('ceo@contoso.com');
    await test.getByLabel('Recipients').fill('cfo@contoso.com');
    await test.getByLabel('Subject').fill(XSS);
    await test.getByRole('button', { name: 'Test' }).click();
    const decision = page.getByRole('definition').first();
    await expect.poll(() => decision.textContent()).toMatch(/quarantine/i);
    await shot('04-rules');
  });

  it('reorders, disables and removes a rule from the list', async () => {
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New transport rule' });
    await form.getByLabel('Name', { exact: true }).fill('Tag newsletters');
    await form.getByLabel(/\(SubjectContainsWords\)/).fill('Newsletter');
    await form.getByLabel(/\(PrependSubject\)/).fill('[Newsletter] ');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const names = () => page.locator('tbody th[scope=row]').allTextContents();
    await expect.poll(names).toEqual(['Redirect to quarantine if not coming from known IPs', 'Tag newsletters']);
    await page.getByRole('button', { name: 'Move Tag newsletters up' }).click();
    await expect.poll(names).toEqual(['Tag newsletters', 'Redirect to quarantine if not coming from known IPs']);
    await page.getByRole('button', { name: 'Disable Tag newsletters' }).click();
    await expect.poll(() => page.getByRole('row', { name: /Tag newsletters/ }).textContent()).toContain('Disabled');
    await page.getByRole('button', { name: 'Remove Tag newsletters' }).click();
    await expect.poll(names).toEqual(['Redirect to quarantine if not coming from known IPs']);
  });

  it('shows a Direct Send message held by the rule, as text, and releases it to its mailbox', async () => {
    let n = 0;
    // The running gateway picks the new rule up by itself; send probes until it holds one.
    await waitFor(() => {
      send('127.0.0.1', 'ceo@contoso.com', 'probe@contoso.com', `probe ${++n}`);
      return query(pg.dataDir, "SELECT 1 FROM message_trace WHERE status = 'Quarantined'")[0];
    }, 10_000, 'the rule to take effect');
    expect(send('127.0.0.1', 'ceo@contoso.com', 'alice@contoso.com', XSS).out).toMatch(/250 2\.0\.0 OK/);
    await open('Quarantine', 'Quarantine');
    await page.getByLabel('Subject').fill('img');
    await page.getByRole('button', { name: 'Search' }).click();
    const subject = page.getByRole('button', { name: XSS, exact: true });
    await subject.waitFor();
    await subject.click();
    await expect.poll(() => page.getByTestId('q-detail-subject').textContent()).toBe(XSS);
    await page.getByTestId('q-preview-text').waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    await shot('05-quarantine');
    await page.getByRole('checkbox', { name: `Select ${XSS}` }).check();
    await page.getByRole('button', { name: /Release selected \(1\)/ }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('1 message(s) released');
    await waitFor(() => maildirMessages(pg.dataDir, 'alice@contoso.com').some((m) => m.includes(XSS)), 15_000, 'the released message in the mailbox');
  });

  it('shows an HTML body only inside a sandboxed iframe, where its script does not run', async () => {
    const html = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--local-interface', '127.0.0.1', '--from', 'ceo@contoso.com', '--to', 'alice@contoso.com', '--header', 'Subject: HTML invoice', '--add-header', 'Content-Type: text/html; charset=utf-8', '--body', '<p>Pay now</p><script>alert(3)</script><img src=x onerror=alert(4)>']);
    expect(html.out).toMatch(/250 2\.0\.0 OK/);
    await page.getByLabel('Subject').fill('HTML invoice');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'HTML invoice', exact: true }).click();
    const frame = page.locator('iframe.preview');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('src')).toMatch(/\/quarantine\/.+\/preview\.html$/);
    await page.frameLocator('iframe.preview').getByText('Pay now').waitFor();
    expect(dialogs).toEqual([]);
    await shot('05b-quarantine-html');
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/message\(s\) deleted/);
    await page.getByText('No quarantined messages match.').waitFor();
  });

  it('follows the released message in message trace, event by event', async () => {
    await open('Message trace', 'Message trace');
    await page.getByLabel('Recipient address').fill('alice@contoso.com');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('button', { name: `Events for alice@contoso.com: ${XSS}` });
    await row.waitFor();
    await row.click();
    const timeline = page.getByRole('list', { name: 'Event timeline' });
    await expect.poll(() => timeline.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
    const events = (await timeline.textContent()) ?? '';
    expect(events).toMatch(/RECEIVE/i);
    expect(events).toMatch(/QUARANTINE/i);
    expect(await page.locator('main img').count()).toBe(0);
    await shot('06-message-trace');
  });

  it("runs the article's KQL with Ctrl+Enter, charts a render, underlines an error and exports CSV", async () => {
    await open('Hunting', 'Advanced hunting');
    await runKql(ARTICLE_KQL);
    await page.getByRole('cell', { name: XSS, exact: true }).first().waitFor();
    await shot('07-hunting');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('Timestamp,RecipientEmailAddress,SenderFromAddress,Subject,NetworkMessageId,EmailDirection,Connectors,SenderIPv4,SenderIPv6');
    expect(csv).toContain(XSS);
    await runKql('EmailEvents\n| wher Subject has "x"');
    await page.locator('.cm-lintRange-error').first().waitFor();
    expect(await page.getByRole('alert').first().textContent()).toBeTruthy();
    await runKql('EmailEvents\n| summarize Messages = count() by Day = bin(Timestamp, 1d)\n| render columnchart');
    await page.getByRole('figure').first().waitFor();
    await shot('08-hunting-chart');
  });

  it('turns on Reject Direct Send after reading its impact preview, and the next Direct Send attempt is refused over SMTP', async () => {
    await open('Organization', /Organization settings/);
    // The preview: who would be refused, grouped by sender, and the ordered steps with their cmdlets.
    await expect.poll(() => page.getByTestId('direct-send-impact').textContent()).toMatch(/would be refused/);
    const scanner = page.getByRole('row', { name: /127\.0\.0\.3/ });
    expect(await scanner.textContent()).toMatch(/5\.7\.68.*WouldRefuse.*contoso\.com.*scanner@contoso\.com/);
    expect(await page.locator('ol.steps').textContent()).toContain('Set-OrganizationConfig -RejectDirectSend $true');
    await shot('09-organization-preview');
    const toggle = page.getByRole('switch', { name: /Reject Direct Send/ });
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    const confirm = page.getByRole('alertdialog');
    expect(await confirm.textContent()).toMatch(/Turn on Reject Direct Send\? \d+ senders? seen in the last 30 days would be refused/);
    await shot('09a-organization-confirm');
    await confirm.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    const refused = await waitFor(() => {
      const out = send('127.0.0.1', 'ceo@contoso.com', 'cfo@contoso.com', 'after the lock').out;
      return out.includes('5.7.68') && out;
    }, 5000, '5.7.68');
    expect(refused).toMatch(/550 5\.7\.68/);
    // The restricted partner still comes in through its connector.
    expect(send('127.0.0.2', 'news@fabrikam.example', 'bob@contoso.com', 'still welcome').out).toMatch(/250 2\.0\.0 OK/);
    await shot('10-organization');
  });

  it("gives a refused 5.7.68 sender its connector in one click, and its mail comes in again", async () => {
    const scanner = page.getByRole('row', { name: /127\.0\.0\.3/ });
    await expect.poll(() => scanner.textContent()).toMatch(/WillRefuse|Refused/);
    await scanner.getByRole('button', { name: 'Create a connector for 127.0.0.3' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Connector .*127\.0\.0\.3.* created/);
    const accepted = await waitFor(() => {
      // A Partner connector requires TLS unless told otherwise (New-InboundConnector's default).
      const out = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--local-interface', '127.0.0.3', '--tls', '--from', 'scanner@contoso.com', '--to', 'ops@contoso.com', '--header', 'Subject: scan after the lock']).out;
      return /250 2\.0\.0 OK/.test(out) && out;
    }, 5000, 'the scanner through its new connector');
    expect(accepted).toBeTruthy();
    // Every other source of contoso.com mail stays refused (now by the restricting connector).
    expect(send('127.0.0.1', 'ceo@contoso.com', 'cfo@contoso.com', 'still locked').out).toMatch(/550 5\.7\.(68|51)/);
    await shot('10a-organization-connector');
  });

  it('shows the historical searches page and starts the article search', async () => {
    await open('Historical searches', 'Historical searches');
    await page.getByRole('button', { name: 'Start search' }).click();
    const row = page.getByRole('row', { name: /DirectSendMessages/ });
    await row.waitFor();
    // The page looks again while the search runs; the report is offered once it is done.
    const link = row.getByRole('link', { name: 'Download CSV' });
    await link.waitFor({ timeout: 30_000 });
    await shot('11-historical-searches');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(readFileSync((await download.path())!, 'utf8')).toMatch(/ceo@contoso\.com/);
  });

  it('lists the changes made from the admin center in the audit log', async () => {
    await open('Audit log', 'Audit log');
    await page.getByRole('rowheader', { name: 'Set-OrganizationConfig' }).first().waitFor();
    await page.getByRole('rowheader', { name: 'New-InboundConnector' }).first().waitFor();
    await shot('12a-audit-log');
  });

  it('lays every page out at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [link, heading, name] of [['Dashboard', 'Inbound messages', 'dashboard'], ['Quarantine', 'Quarantine', 'quarantine'], ['Message trace', 'Message trace', 'message-trace'], ['Rules', 'Transport rules', 'rules'], ['Hunting', 'Advanced hunting', 'hunting']] as const) {
      await open(link, heading);
      // Nothing wider than the screen except inside a scrolling table.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(`13-phone-${name}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('never ran message content as markup, reported no CSP violation, and a lost session returns to sign-in', async () => {
    expect(dialogs).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.clearCookies();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot('12-signed-out');
  });

  it('lets a provider operator pick the organization the pages act on', async () => {
    await page.getByLabel('User name').fill('operator');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // A second tenant, made through the API with the session's CSRF token.
    const session = (await (await context.request.get(`${base}/api/session`)).json()) as { csrfToken: string };
    const created = await context.request.post(`${base}/api/organizations`, { headers: { 'x-csrf-token': session.csrfToken }, data: { Name: 'Woodgrove', DomainName: 'woodgrove.example' } });
    expect(created.status()).toBe(201);
    await page.reload();
    const picker = page.getByRole('combobox', { name: 'Organization' });
    await picker.waitFor();
    expect(await picker.locator('option').allTextContents()).toEqual(expect.arrayContaining(['Contoso', 'Woodgrove']));
    await open('Connectors', 'Inbound connectors');
    await picker.selectOption('Woodgrove');
    await page.getByText('No inbound connectors').waitFor();
    await picker.selectOption('Contoso');
    await page.getByRole('row', { name: /Fabrikam relay/ }).waitFor();
    await shot('14-organization-picker');
  });
});
