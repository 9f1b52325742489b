// A binary prefix trie that answers "which entries contain this address" in at most 32 (IPv4) or
// 128 (IPv6) steps, independent of how many prefixes are stored: the index of connectors by
// SenderIPAddresses (mailflow/snapshot.ts) and of widened ranges (config/diff.ts), over the one
// address parser (ipAddress.ts).
import { parseIp, type IpFamily, type IpPrefix } from './ipAddress.js';

interface TrieNode {
  zero?: TrieNode;
  one?: TrieNode;
  values?: number[];
}

/** Binary trie of prefixes per family; `lookup` returns every value whose prefix contains the address. */
export class IpPrefixTrie {
  private readonly roots: Record<IpFamily, TrieNode> = { 4: {}, 6: {} };
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(prefix: IpPrefix, value: number): void {
    let node = this.roots[prefix.family];
    for (let bit = 0; bit < prefix.length; bit++) {
      const one = (prefix.bytes[bit >> 3] >> (7 - (bit & 7))) & 1;
      node = one ? (node.one ??= {}) : (node.zero ??= {});
    }
    (node.values ??= []).push(value);
    this.count++;
  }

  /** Values of all prefixes containing the address, shortest prefix first; [] for an unparsable address. */
  lookup(address: string): number[] {
    const ip = parseIp(address);
    return ip ? this.lookupBytes(ip.family, ip.bytes) : [];
  }

  lookupBytes(family: IpFamily, bytes: Uint8Array): number[] {
    let node: TrieNode | undefined = this.roots[family];
    const found: number[] = [];
    const bits = bytes.length * 8;
    for (let bit = 0; node; bit++) {
      if (node.values) for (const v of node.values) found.push(v);
      if (bit === bits) break;
      node = (bytes[bit >> 3] >> (7 - (bit & 7))) & 1 ? node.one : node.zero;
    }
    return found;
  }
}
