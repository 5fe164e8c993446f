// Serializes response bodies as JSON or as eGain's XML bindings. fast-xml-parser is used as a builder
// only: this API never reads XML.
import { XMLBuilder } from 'fast-xml-parser';

export const COMMON_NS = 'http://bindings.egain.com/ws/model/v12/gen/common';
export const ACTIVITY_NS = 'http://bindings.egain.com/ws/model/v12/gen/interaction/activity';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
});

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** An element tree in fast-xml-parser's builder form: `@_name` keys are attributes. */
export type XmlTree = Record<string, unknown>;

export function toXml(tree: XmlTree): string {
  return DECLARATION + builder.build(tree);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const XML_TYPE = 'application/xml; charset=utf-8';
