import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { IpPrefixTrie, parseIp, parseIpPrefix, type IpPrefix } from './ipPrefix.js';

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
    expect(parseIpPrefix('nope')).toEqual({ error: "'nope' is not an IPv4 or IPv6 address" });
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
