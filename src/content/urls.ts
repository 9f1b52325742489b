// URLs in a message as Defender lists them in EmailUrlInfo: the full URL, its host, and where it
// was found (Body, Subject, Attachment for a name). Text arrives in chunks; a URL a chunk boundary
// cut is carried to the next chunk. Each message keeps at most `limit` distinct URLs.

export type UrlLocation = 'Body' | 'Subject' | 'Attachment';

export interface FoundUrl {
  Url: string;
  UrlDomain: string;
  UrlLocation: UrlLocation;
}

// http(s) URLs and bare www. hosts, up to a delimiter that cannot be part of a URL in text or markup.
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s"'<>()[\]{}\\^`|]+/gi;
/** A URL never runs past this many characters of carry (a longer run is not a URL worth keeping). */
const MAX_CARRY = 8192;
const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', '#38': '&', '#x26': '&' };

/** The URL and host as Defender writes them, or undefined when the text is no valid URL. */
export function normalizeUrl(raw: string): { url: string; domain: string } | undefined {
  // Punctuation that ends a sentence is not part of the link; entities in markup are decoded.
  const text = raw.replace(/&(amp|quot|apos|lt|gt|#38|#x26);/gi, (_, e: string) => ENTITIES[e.toLowerCase()]).replace(/[.,;:!?*'"]+$/, '');
  const absolute = /^www\./i.test(text) ? `http://${text}` : text;
  try {
    const u = new URL(absolute);
    if (!u.hostname || !u.hostname.includes('.')) return undefined;
    return { url: text, domain: u.hostname.toLowerCase() };
  } catch {
    return undefined;
  }
}

export class UrlCollector {
  readonly urls: FoundUrl[] = [];
  /** True once more distinct URLs were found than the limit allows. */
  overLimit = false;
  private readonly seen = new Set<string>();
  private carry = '';

  constructor(private readonly limit: number) {}

  /** URLs in a whole string (the subject, a file name). */
  addText(text: string, location: UrlLocation): void {
    for (const m of text.matchAll(URL_PATTERN)) this.add(m[0], location);
  }

  /** The next chunk of a body part's decoded text. */
  write(text: string): void {
    let all = this.carry + text;
    // Process up to the last delimiter; what follows may be a URL the next chunk continues.
    let cut = all.length;
    for (let i = all.length - 1; i >= 0 && all.length - i <= MAX_CARRY; i--) {
      const c = all.charCodeAt(i);
      if (c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e) {
        cut = i;
        break;
      }
    }
    if (all.length - cut > MAX_CARRY) cut = all.length;
    this.carry = all.slice(cut);
    all = all.slice(0, cut);
    if (all.length) this.scan(all);
  }

  /** The end of a body part: whatever was carried is complete now. */
  endPart(): void {
    if (this.carry) this.scan(this.carry);
    this.carry = '';
  }

  private scan(text: string): void {
    // Most text has no link at all: one native search skips the regular expression then.
    if (!/https?:|www\./i.test(text)) return;
    for (const m of text.matchAll(URL_PATTERN)) this.add(m[0], 'Body');
  }

  private add(raw: string, location: UrlLocation): void {
    const found = normalizeUrl(raw);
    if (!found) return;
    const key = `${location}\n${found.url}`;
    if (this.seen.has(key)) return;
    if (this.urls.length >= this.limit) {
      this.overLimit = true;
      return;
    }
    this.seen.add(key);
    this.urls.push({ Url: found.url, UrlDomain: found.domain, UrlLocation: location });
  }
}
