// The KQL tokenizer behind the admin center's editor highlighting, in Node.
import { describe, expect, it } from 'vitest';
import { kql } from '../../web/src/components/kqlLanguage.js';

function tokens(text: string): [string, string][] {
  const out: [string, string][] = [];
  kql.parser.parse(text).iterate({
    enter(node) {
      if (node.type.isTop) return;
      out.push([node.type.name, text.slice(node.from, node.to)]);
    },
  });
  return out;
}

describe('the KQL editor highlighting', () => {
  it("classifies the article's query: tables, keywords, operators, strings, numbers, functions and comments", () => {
    const t = tokens("EmailEvents // inbound only\n| where Timestamp > ago(30d) and Connectors == '' and Subject has \"it's\"\n| take 10");
    const of = (kind: string) => t.filter(([k]) => k === kind).map(([, text]) => text);
    expect(of('typeName')).toEqual(['EmailEvents']);
    expect(of('comment')).toEqual(['// inbound only']);
    expect(of('keyword')).toEqual(['where', 'and', 'and', 'has', 'take']);
    expect(of('operator')).toEqual(['|', '>', '==', '|']);
    expect(of('string')).toEqual(["''", '"it\'s"']);
    expect(of('number')).toEqual(['30d', '10']);
    expect(of('variableName.function')).toEqual(['ago']);
    expect(of('variableName')).toEqual(['Timestamp', 'Connectors', 'Subject']);
  });

  it('knows every hunting table and keeps a multi-line ``` string one string', () => {
    for (const table of ['EmailEvents', 'EmailAttachmentInfo', 'EmailUrlInfo', 'EmailPostDeliveryEvents', 'AdminAuditEvents']) {
      expect(tokens(table)).toEqual([['typeName', table]]);
    }
    const t = tokens('print ```a\nb where``` | take 1');
    expect(t.filter(([k]) => k === 'string').map(([, s]) => s).join('')).toBe('```ab where```');
    expect(t.filter(([k]) => k === 'keyword').map(([, s]) => s)).toEqual(['take']);
  });
});
