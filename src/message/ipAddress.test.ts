import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseIp, parseIpPrefix, parseIpRange, type IpPrefix } from './ipAddress.js';
import { IpPrefixTrie } from './ipPrefixTrie.js';

const prefix = (s: string): IpPrefix => {
  const p = parseIpPrefix(s);
  if ('error' in p) throw new Error(p.error);
  return p;
};

describe('parseIp', () => {
  it.each(['127.0.0.1', '0.0.0.0', '255.255.255.255', '::1', '2001:db8::25', '::ffff:192.0.2.1'])('parses %s', (s) => {
    expect(parseIp(s)).toBeDefined();
  });
  it.each(['127.1', '01.2.3.4', '1.2.3.256', '1.2.3.4.5', '', 'mail.contoso.com', 'fe80::1%eth0', '1.2.3.'])('refuses %j', (s) => {
    expect(parseIp(s)).toBeUndefined();
  });
  it('returns IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ family: 4, bytes: Uint8Array.from([192, 0, 2, 1]) });
  });
});

describe('IPv6 text forms agree with ipaddr.js', () => {
  it.each([
    '::', '::1', '1::', '2001:db8::25', '2001:DB8:0:0:8:800:200C:417A', 'ff01::101', '0:0:0:0:0:0:13.1.68.3',
    '64:ff9b::192.0.2.33', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4',
  ])('%s', (s) => {
    const ours = parseIp(s);
    const theirs = ipaddr.parse(s);
    const bytes = theirs.kind() === 'ipv6' && (theirs as ipaddr.IPv6).isIPv4MappedAddress() ? (theirs as ipaddr.IPv6).toIPv4Address().toByteArray() : theirs.toByteArray();
    expect(ours && Array.from(ours.bytes)).toEqual(bytes);
  });
  it('keeps the deprecated IPv4-compatible form ::a.b.c.d as IPv6', () => {
    expect(parseIp('::13.1.68.3')).toEqual({ family: 6, bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 13, 1, 68, 3]) });
  });
  it.each([':::', ':1', '1:', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1.2.3', '1.2.3.4::', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:1.2.3.4:5'])('refuses %s', (s) => {
    expect(parseIp(s)).toBeUndefined();
  });
});

describe('parseIpPrefix', () => {
  it('clears host bits and prints a canonical form', () => {
    expect(prefix('192.168.0.1/25').text).toBe('192.168.0.0/25');
    expect(prefix('127.0.0.2').text).toBe('127.0.0.2');
    expect(prefix('2001:DB8:0:0::1/48').text).toBe('2001:db8::/48');
    expect(prefix('10.9.8.7/0').text).toBe('0.0.0.0/0');
  });
  it('explains what is wrong', () => {
    expect(parseIpPrefix('10.0.0.0/33')).toEqual({ error: "'10.0.0.0/33' has a prefix length above /32" });
    expect(parseIpPrefix('nope')).toEqual({ error: "'nope' isn't a valid IP address: give an address (192.168.1.1) or a CIDR block (192.168.0.0/25)" });
  });
});

describe('parseIpRange: what Exchange accepts', () => {
  const text = (t: string, accept = {}) => {
    const r = parseIpRange(t, accept);
    return 'error' in r ? r.error : r.text;
  };
  it.each([
    ['192.168.1.1', '192.168.1.1'],
    ['192.168.0.1/25', '192.168.0.1/25'], // as written: Exchange keeps the host bits it was given
    ['192.168.0.1-192.168.0.254', '192.168.0.1-192.168.0.254'],
    ['2001:DB8:0:0::1/48', '2001:db8::1/48'],
    ['2001:db8::1-2001:db8::9', '2001:db8::1-2001:db8::9'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    [' 10.0.0.1 ', '10.0.0.1'],
  ])('reads %s as %s', (t, expected) => expect(text(t)).toBe(expected));

  it('gives first and last address of a block', () => {
    const r = parseIpRange('192.168.0.77/25');
    expect(r).toMatchObject({ family: 4, first: Uint8Array.from([192, 168, 0, 0]), last: Uint8Array.from([192, 168, 0, 127]), prefixLength: 25 });
  });

  it.each([
    ['192.168.1', /isn't a valid IP address/],
    ['0x0a.0.0.1', /isn't a valid IP address/],
    ['fe80::1%eth0', /isn't a valid IP address/],
    ['::ffff:010.0.0.1', /isn't a valid IP address/],
    ['10.0.0.1/33', /prefix length above \/32/],
    ['10.0.0.1/x', /invalid prefix length/],
    ['10.0.0.9-10.0.0.1', /first address of a range must not be greater than the last/],
    ['10.0.0.1-2001:db8::1', /mixes IPv4 and IPv6/],
    ['host.example', /isn't a valid IP address/],
  ])('refuses %s', (t, error) => expect(text(t)).toMatch(error));

  it('applies a field\'s own rules: no ranges, IPv4 only, a smallest prefix', () => {
    expect(text('192.168.0.1-192.168.0.9', { ranges: false })).toMatch(/ranges aren't supported here/);
    expect(text('2001:db8::1', { ipv4Only: true })).toMatch(/only IPv4 addresses are supported here/);
    expect(text('10.0.0.0/8', { minPrefix: { 4: 24 } })).toMatch(/too wide; valid IPv4 prefix lengths are \/24 through \/32/);
    expect(text('10.0.0.0/24', { minPrefix: { 4: 24 } })).toBe('10.0.0.0/24');
  });
});

describe('IpPrefixTrie', () => {
  const trie = new IpPrefixTrie();
  trie.insert(prefix('10.1.2.0/24'), 1);
  trie.insert(prefix('10.1.2.3/32'), 2);
  trie.insert(prefix('10.1.0.0/16'), 3);
  trie.insert(prefix('2001:db8::/48'), 4);
  trie.insert(prefix('0.0.0.0/0'), 5);

  it.each([
    ['10.1.2.3', [5, 3, 1, 2]],
    ['10.1.2.4', [5, 3, 1]],
    ['10.1.9.9', [5, 3]],
    ['192.0.2.1', [5]],
    ['2001:db8::25', [4]],
    ['2001:db9::25', []],
    ['::ffff:10.1.2.3', [5, 3, 1, 2]],
    ['garbage', []],
  ])('%s is in %j', (ip, values) => {
    expect(trie.lookup(ip)).toEqual(values);
  });
});
