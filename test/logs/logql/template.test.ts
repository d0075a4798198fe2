import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTemplate } from '../../../src/logs/logql/template/index.js';

const LABELS = {
  method: 'GET',
  status: '503',
  bytes: '12551',
  path: '/api/v1/orders',
  msg: 'request completed',
  trace: '4ecf629df571bc52',
  dur: '15ms',
  size: '24.8KiB',
  user: 'u-007',
};
const TS = 1762740000123456789n; // 2025-11-10T02:00:00.123456789Z

const cases: [string, string][] = [
  ['{{.method}} {{.path}}', 'GET /api/v1/orders'],
  ['{{ .missing }}|', '|'],
  ['{{ default "none" .missing }}', 'none'],
  ['{{ .msg | ToUpper }}', 'REQUEST COMPLETED'],
  ['{{ .msg | title }}', 'Request Completed'],
  ['{{ printf "%-6s|%5s|%9.2f" .method .status (float64 .bytes) }}', 'GET   |  503| 12551.00'],
  [
    '{{ add (int .status) 1000 }} {{ div (int .bytes) 1024 }} {{ mod (int .bytes) 7 }}',
    '1503 12 0',
  ],
  ['{{ mulf (float64 .bytes) 0.5 }}', '6275.5'],
  ['{{ mulf 1000 1000 }}', '1e+06'],
  ['{{ round (divf (float64 .bytes) 1000) 1 }} {{ ceil 1.2 }} {{ floor 1.8 }}', '12.6 2 1'],
  ['{{ substr 0 8 .trace }}~{{ trunc -4 .trace }}', '4ecf629d~bc52'],
  ['{{ regexReplaceAll "u-0*([0-9]+)" .user "user#${1}" }}', 'user#7'],
  [
    '{{ replace "/api/v1" "/v1" .path }} {{ Replace .path "o" "0" 1 }}',
    '/v1/orders /api/v1/0rders',
  ],
  ['{{ trimPrefix "/api" .path | trimSuffix "/orders" }}', '/v1'],
  ['{{ alignLeft 6 .method }}|{{ alignRight 4 .status }}|', 'GET   | 503|'],
  ['{{ .dur | duration }}s {{ .size | bytes }}B {{ count "e" .msg }}', '0.015s 25395B 4'],
  [
    '{{ if ge (int .status) 500 }}5xx{{ else if ge (int .status) 400 }}4xx{{ else }}ok{{ end }}',
    '5xx',
  ],
  ['{{ if hasPrefix "/api" .path }}api{{ end }}{{ if contains "x" .path }}x{{ end }}', 'api'],
  ['{{ .path | urlencode }} {{ .method | b64enc }}', '%2Fapi%2Fv1%2Forders R0VU'],
  ['{{ __timestamp__ | date "2006-01-02 15:04:05.000" }}', '2025-11-10 02:00:00.123'],
  ['{{ unixEpoch __timestamp__ }} {{ len __line__ }}', '1762740000 4'],
  ['{{ upper .method | lower | repeat 2 }}', 'getget'],
  ['{{ trimAll "/" .path }}', 'api/v1/orders'],
  ['{{- .method -}} ! {{- .status }}', 'GET!503'],
];

test('Go text/template with Loki functions', async (t) => {
  for (const [src, want] of cases) {
    await t.test(src, () => {
      assert.equal(compileTemplate('line', src).render(LABELS, 'line', TS), want);
    });
  }
});

test('template errors carry Go text/template positions', () => {
  assert.throws(() => compileTemplate('line', '{{.unit'), /template: line:1: unclosed action/);
  assert.throws(() => compileTemplate('line', '{{ nosuch .x }}'), /function "nosuch" not defined/);
  const t = compileTemplate('line', '{{ .dur | duration }}s');
  assert.throws(
    () => t.render({ dur: 'n/a' }, '', 0n),
    (err: Error) =>
      err.message ===
      'template: line:1:10: executing "line" at <duration>: error calling duration: time: invalid duration "n/a"',
  );
});

test('toDate and toDateInZone parse with Go layouts, the zero time when they cannot', () => {
  const render = (src: string) => compileTemplate('line', src).render({}, '', 0n);
  assert.equal(
    render('{{ toDate "02/Jan/2006:15:04:05 -0700" "10/Oct/2000:13:55:36 -0700" | unixEpoch }}'),
    '971211336',
  );
  assert.equal(
    render(
      '{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2024-07-01 12:00" | date "15:04 MST" }}',
    ),
    '10:00 UTC',
  );
  assert.equal(
    render('{{ toDateInZone "2006-01-02" "Not/AZone" "2024-07-01" | date "2006-01-02T15:04" }}'),
    '2024-07-01T00:00',
  );
  assert.equal(render('{{ toDate "2006-01-02" "garbage" | date "2006-01-02" }}'), '0001-01-01');
});
