// Serializes response bodies as JSON or as eGain's XML bindings. fast-xml-parser is used as a builder
// only: this API never reads XML.
import { XMLBuilder } from 'fast-xml-parser';

export const COMMON_NS = 'http://bindings.egain.com/ws/model/v12/gen/common';
export const ACTIVITY_NS = 'http://bindings.egain.com/ws/model/v12/gen/interaction/activity';

// Escaping is done here rather than by the builder, because XML needs more than the five entities:
// XML 1.0 allows no control characters but tab, LF and CR, and no lone surrogates — a client can put
// any of them into a body (an attribute or parameter name echoed in an error), so they become U+FFFD;
// and a CR must travel as &#13;, or every XML parser reads it back as LF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};
const escapeXml = (_name: string, value: unknown): unknown =>
  typeof value === 'string'
    ? value.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c)
    : value;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: false,
  tagValueProcessor: escapeXml,
  attributeValueProcessor: escapeXml,
});

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** An element tree in fast-xml-parser's builder form: `@_name` keys are attributes. */
export type XmlTree = Record<string, unknown>;

export function toXml(tree: XmlTree): string {
  return DECLARATION + builder.build(tree);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const XML_TYPE = 'application/xml; charset=utf-8';
