import { TRIGGERS } from '../scan/triggers.js';
import type { Recognizer } from '../types.js';
import { patternRecognizer } from './pattern.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** True when `value` is a syntactically valid IPv6 address (RFC 4291 text forms, one `::`). */
export function isIPv6(value: string): boolean {
  const address = value.replace(/%[\p{L}\p{N}]+$/u, '');
  const doubleColons = address.split('::').length - 1;
  if (doubleColons > 1) return false;
  let groups = address.split(':');
  let groupBudget = 8;
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) {
    if (!new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`).test(last)) return false;
    groups = groups.slice(0, -1);
    groupBudget = 6;
  }
  if (doubleColons === 1) {
    const filled = groups.filter((g) => g.length > 0);
    if (filled.length >= groupBudget) return false;
    return filled.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g)) && !/^:[^:]|[^:]:$/.test(address);
  }
  return groups.length === groupBudget && groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
}

/**
 * Words before a dotted number that make it a version or the number of a section, not an address
 * ("firmware 5.1.0.12", "paragraph 2.1.1.1", "Art. 6.1.2.3"): each lowers the score below the
 * threshold unless an address word ("IP", "host") is near too.
 */
const NOT_AN_ADDRESS = [
  'version',
  'v',
  'ver',
  'release',
  'build',
  'firmware',
  'section',
  'paragraph',
  'para',
  'art',
  'article',
  'clause',
  'chapter',
  'sec',
  '§',
];

const ipv4 = patternRecognizer({
  name: 'ipv4',
  entity: 'IP_ADDRESS',
  // A letter right before ("v1.2.3.4") or a dot and a digit on either side ("1.2.3.4.5") make a
  // version or a longer number; an octet with a leading zero is not written in an address.
  patterns: [
    {
      regex: new RegExp(
        `(?<![\\p{L}\\p{N}.])${OCTET}(?:\\.${OCTET}){3}(?:\\/(?:3[0-2]|[12]?\\d))?(?![\\p{N}]|\\.\\d)`,
        'u',
      ),
      score: 0.6,
    },
  ],
  context: ['ip', 'address', 'ipv4', 'host', 'server', 'client', 'login', 'from'],
  negativeContext: NOT_AN_ADDRESS,
});

const ipv6 = patternRecognizer({
  name: 'ipv6',
  entity: 'IP_ADDRESS',
  patterns: [
    {
      regex:
        /(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:%[\p{L}\p{N}]{1,16})?(?![0-9A-Fa-f:])/u,
      score: 0.6,
    },
  ],
  // "a::b" and "dead::beef" are valid forms, but in prose they are code or words: an address
  // written by a person holds a digit.
  validator: (value) => value.replace(/%.*$/, '').length >= 3 && /\d/.test(value) && isIPv6(value),
  validatedScore: 0.75,
  context: ['ip', 'ipv6', 'address', 'host'],
  trigger: TRIGGERS.ipv6Groups,
});

const mac = patternRecognizer({
  name: 'mac',
  entity: 'MAC_ADDRESS',
  patterns: [
    {
      regex: /(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f:-])/,
      score: 0.7,
    },
    { regex: /(?<![0-9A-Fa-f.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Fa-f.])/, score: 0.5 },
  ],
  context: ['mac', 'hardware', 'ethernet', 'wifi', 'device', 'bssid'],
  trigger: TRIGGERS.macGroups,
});

/** IPv4, IPv6 and MAC addresses. */
export const NETWORK_RECOGNIZERS: readonly Recognizer[] = [ipv4, ipv6, mac];
