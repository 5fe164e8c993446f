// Turns JSON Schema validation errors of a request body into the one eGain error the contract asks
// for: the first code in precedence order wins (104, 147, 146, 152), and within a code the first
// offending attribute in document order is named, as a dotted path without array indexes.
import type { ApiError } from './error-catalog.js';
import { attributeError, tooManyActivities } from './error-catalog.js';
import type { MessageVariant } from './message-variants.js';

/** The fields of an Ajv error this mapper reads. */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
}

type BodyCode = '400-104' | '400-147' | '400-146' | '400-152';
const PRECEDENCE: readonly BodyCode[] = ['400-104', '400-147', '400-146', '400-152'];

interface Finding {
  readonly code: BodyCode;
  /** JSON pointer segments of the offending attribute. */
  readonly segments: readonly string[];
}

function segmentsOf(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function classify(error: SchemaError): Finding {
  const at = segmentsOf(error.instancePath);
  switch (error.keyword) {
    case 'maxItems':
      return { code: '400-104', segments: at };
    case 'additionalProperties':
      return { code: '400-147', segments: [...at, String(error.params.additionalProperty)] };
    case 'required':
      return { code: '400-146', segments: [...at, String(error.params.missingProperty)] };
    case 'minItems':
      // An empty `activity` array is a missing activity (contract: 400-146 naming `activity`).
      return { code: '400-146', segments: at };
    default:
      return { code: '400-152', segments: at };
  }
}

/**
 * `activity/3/color` → `activity.color`: eGain names attributes, not positions. Whether a segment is
 * a position is read from the body itself, so an object key that looks like a number ("42") is kept.
 */
export function attributeName(body: unknown, segments: readonly string[]): string {
  const names: string[] = [];
  let node = body;
  for (const segment of segments) {
    if (!Array.isArray(node)) names.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return names.length > 0 ? names.join('.') : 'body';
}

/**
 * Document order of a path inside the parsed body: at each level the index of the key among the
 * object's keys (JSON.parse keeps source order) or the array index. Missing attributes sort at the
 * end of their object, after its present keys. Each object's keys are indexed once per mapping
 * (`indexes`), so mapping n errors costs O(n + keys), not O(n × keys).
 */
function positionOf(
  body: unknown,
  segments: readonly string[],
  indexes: Map<object, Map<string, number>>,
): number[] {
  const position: number[] = [];
  let node = body;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      position.push(Number(segment));
      node = node[Number(segment)];
    } else if (node !== null && typeof node === 'object') {
      let index = indexes.get(node);
      if (!index) {
        index = new Map(Object.keys(node).map((key, i) => [key, i]));
        indexes.set(node, index);
      }
      position.push(index.get(segment) ?? index.size);
      node = (node as Record<string, unknown>)[segment];
    } else {
      break;
    }
  }
  return position;
}

function compareLexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** `wording`: the route's operation, so that 400-104 is worded for it (pick's wording without). */
export function bodyErrorFromSchema(
  errors: readonly SchemaError[],
  body: unknown,
  wording?: MessageVariant,
): ApiError {
  const findings = errors.map(classify);
  for (const code of PRECEDENCE) {
    const matching = findings.filter((f) => f.code === code);
    if (matching.length === 0) continue;
    if (code === '400-104') return tooManyActivities(wording);
    // The earliest in document order, in one pass (the first of equals, as a stable sort would).
    const indexes = new Map<object, Map<string, number>>();
    let first = matching[0];
    let firstPosition = positionOf(body, first.segments, indexes);
    for (const finding of matching.slice(1)) {
      const position = positionOf(body, finding.segments, indexes);
      if (compareLexicographic(position, firstPosition) < 0) {
        first = finding;
        firstPosition = position;
      }
    }
    return attributeError(code, attributeName(body, first.segments));
  }
  return attributeError('400-152', 'body');
}
