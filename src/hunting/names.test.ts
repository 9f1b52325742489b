// Result schemas (column names, order and types) agree with Microsoft's binder for the naming
// rules hunters rely on: auto-named expressions and aggregates, clashes, path names.
import { describe, expect, it } from 'vitest';
import { compileKql } from './compiler.js';
import { kustoOracle } from './testing/oracle.js';

const PROJECTED = [
  'tostring(EmailSize)', 'toint(Subject)', 'tolong(Subject)', 'todouble(Subject)', 'tobool(Subject)', 'todatetime(Subject)',
  'totimespan(Subject)', 'parse_json(Subject)', 'todynamic(Subject)', 'bin(Timestamp, 1h)', 'floor(EmailSize, 10)', 'bin(EmailSize, 10)',
  'startofday(Timestamp)', 'startofweek(Timestamp)', 'startofmonth(Timestamp)', 'startofyear(Timestamp)', 'endofday(Timestamp)',
  'coalesce(Subject, "x")', 'strlen(Subject)', 'tolower(Subject)', 'toupper(Subject)', 'trim(" ", Subject)', 'split(Subject, " ")',
  'split(Subject, " ")[1]', 'tostring(split(Subject, " ")[1])', 'array_length(split(Subject, " "))', 'parse_json(Subject)["a"]',
  'parse_json(Subject)[0]', 'parse_json(Subject).a.b', 'abs(EmailSize)', 'round(EmailSize)', 'round(todouble(EmailSize), 2)',
  'datetime_add("day", 1, Timestamp)', 'datetime_diff("day", now(), Timestamp)', 'format_datetime(Timestamp, "yyyy")',
  'ipv4_is_private(SenderIPv4)', 'ipv4_is_in_range(SenderIPv4, "10.0.0.0/8")', 'parse_ipv4(SenderIPv4)', 'isempty(Subject)',
  'iff(true, 1, 2)', 'case(EmailSize > 1, "a", "b")', 'Timestamp + 1d', 'now() - Timestamp', '-EmailSize', 'ago(1d)', 'now()',
  'substring(Subject, 1)', 'strcat(Subject, "x")', 'dayofweek(Timestamp)', 'hourofday(Timestamp)', 'getmonth(Timestamp)',
  'countof(Subject, "a")', 'extract("a", 0, Subject)', 'replace_string(Subject, "a", "b")', 'pack_array(Subject)',
  'bag_keys(parse_json(Subject))', 'unixtime_seconds_todatetime(EmailSize)', 'EmailSize / 2', 'EmailSize / 2.0', 'AttachmentCount + 1',
  'AttachmentCount * 1.5', 'Subject has "x"', 'EmailSize between (1 .. 2)', 'SenderIPv4 in ("a", "b")',
];

const OPERATORS = [
  'summarize sumif(EmailSize, true), avgif(EmailSize, true), minif(EmailSize, true), maxif(EmailSize, true)',
  'summarize make_set_if(Subject, true), make_list_if(Subject, true), take_any(Subject), any(EmailSize)',
  'summarize dcount(tolower(Subject)), sum(EmailSize * 2), max(strlen(Subject))',
  'summarize c = count() by tolower(Subject), strlen(Subject)',
  'summarize x = round(avg(EmailSize), 2), y = count() * 2 by bin(Timestamp, 1h)',
  'summarize arg_min(EmailSize, Subject, Timestamp) by SenderIPv4',
  'summarize x = arg_max(Timestamp, SenderIPv4) by NetworkMessageId',
  'summarize arg_max(Timestamp, *) by bin(Timestamp, 1d)',
  'summarize arg_max(Timestamp, *), count() by NetworkMessageId',
  'summarize n = count(), arg_min(EmailSize, Subject), dcount(SenderIPv4) by RecipientDomain',
  'summarize count_distinct(Subject), min(Subject), max(Subject)',
  'summarize avg(Timestamp - Timestamp), sum(AttachmentCount), sum(todouble(EmailSize))',
  'project-reorder Subject, Sender* | take 1',
  'project-keep Sender*',
  'extend Subject = strlen(Subject) | project Subject, Timestamp',
  'mv-expand split(Subject, " ")',
  'parse Subject with a " " b:long " " * | project a, b',
  'join kind=leftouter (EmailAttachmentInfo) on NetworkMessageId',
  'join kind=rightsemi (EmailAttachmentInfo) on NetworkMessageId',
  'lookup (EmailAttachmentInfo | project NetworkMessageId, FileName, Timestamp) on NetworkMessageId',
  'union EmailUrlInfo',
  'union withsource=T (EmailUrlInfo | project Url), (SmtpRejectEvents | project Url = Response)',
  'distinct SenderIPv4, Subject',
  'top 3 by EmailSize | project-away Sender*',
  'summarize by SenderIPv4, Day = bin(Timestamp, 1d) | count',
  'lookup (EmailPostDeliveryEvents) on $left.NetworkMessageId == $right.NetworkMessageId',
  'join kind=inner (EmailUrlInfo) on $left.NetworkMessageId == $right.NetworkMessageId',
  'project Timestamp, Subject | getschema',
];

function check(q: string) {
  const o = kustoOracle(q);
  expect(o.diagnostics).toEqual([]);
  expect(compileKql(q, { orgId: 'o' }).columns).toEqual(o.columns);
}

describe('result schema agrees with Kusto', () => {
  for (const e of PROJECTED) it(`project ${e}`, () => check(`EmailEvents | project ${e}`));
  for (const e of OPERATORS) it(e, () => check(`EmailEvents | ${e}`));
});
