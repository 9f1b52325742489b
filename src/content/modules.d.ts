// The few parts of mailsplit and libqp (no published types) that the content scan uses.
declare module 'libqp' {
  const libqp: { decode(input: string): Buffer };
  export default libqp;
}

declare module 'mailsplit' {
  /** One MIME node as mailsplit parses it (lib/mime-node.js). */
  export interface MimeNode {
    type: 'node';
    root: boolean;
    parentNode: MimeNode | false;
    contentType: string | false;
    multipart: string | false;
    encoding: string | false;
    disposition: string | false;
    filename: string | false;
    charset: string | false;
    rfc822: boolean;
  }
  export interface SplitterLine {
    type: 'body' | 'data';
    node: MimeNode;
    value: Buffer;
  }
  export class Splitter {
    constructor(config?: { maxHeadSize?: number; maxChildNodes?: number; ignoreEmbedded?: boolean });
    /** The node being read and whether its header (1) or body (2) is. */
    node: MimeNode;
    state: number;
    /** Feed one whole line (ending in LF), or `false` with final=true at the end. */
    processLine(line: Buffer | false, final: boolean, next: (err: Error | null, data?: MimeNode | SplitterLine | false, flush?: boolean) => void): void;
    push(chunk: unknown): boolean;
  }
}
