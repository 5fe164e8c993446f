// What an XML 1.0 parser hands a client for the text of an element or attribute: line ends
// normalised first (a raw CR or CR LF reads as LF, XML 1.0 §2.11), then, in one pass, the five
// predefined entities and numeric character references (&#13; &#x1F600;) decoded. fast-xml-parser
// decodes numeric references only as part of its HTML entities, and never normalises line ends,
// so the tests parse with its entity handling off and decode text here.

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(
      /&(?:#x([0-9A-Fa-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/g,
      (whole, hex?: string, dec?: string, name?: string) => {
        if (name !== undefined) return NAMED[name];
        const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      },
    );
}

/** XMLParser options that leave entities alone and decode every text with decodeXmlText. */
export const XML_TEXT_OPTIONS = {
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name: string, value: string) => decodeXmlText(value),
  attributeValueProcessor: (_name: string, value: string) => decodeXmlText(value),
} as const;
